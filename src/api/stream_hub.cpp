#include "api/stream_hub.hpp"

#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/metrics.hpp"

namespace optischema::api {

namespace {

constexpr std::size_t kMaxTopics = 1000;
constexpr std::size_t kMaxTopicLength = 200;

std::string Dump(const nlohmann::json& value) {
    return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string ErrorReply(std::string_view message) {
    return Dump(nlohmann::json{{"type", "error"}, {"message", message}});
}

}  // namespace

StreamHub::StreamHub(MetricsRegistry* metrics) {
    if (metrics == nullptr) return;
    clients_gauge_ = &metrics->GetGauge("optischema_stream_clients", "WebSocket stream clients connected.");
    messages_counter_ = &metrics->GetCounter("optischema_stream_messages_total", "Stream events queued to clients.");
    dropped_counter_ = &metrics->GetCounter("optischema_stream_dropped_clients_total",
                                            "Stream clients disconnected because they fell behind.");
}

void StreamHub::Broadcast(std::string_view topic, const nlohmann::json& data) {
    auto message =
        std::make_shared<const std::string>(Dump(nlohmann::json{{"type", "event"}, {"topic", topic}, {"data", data}}));
    std::vector<std::pair<ClientId, std::shared_ptr<StreamSink>>> targets;
    {
        std::lock_guard lock(mutex_);
        for (auto it = clients_.begin(); it != clients_.end();) {
            auto sink = it->second.sink.lock();
            if (!sink) {
                it = clients_.erase(it);
                continue;
            }
            if (it->second.all_topics || it->second.topics.contains(topic))
                targets.emplace_back(it->first, std::move(sink));
            ++it;
        }
        if (clients_gauge_ != nullptr) clients_gauge_->Set(static_cast<double>(clients_.size()));
    }
    // Sent outside the lock: a sink may call back into the hub.
    for (auto& [id, sink] : targets) {
        if (sink->TrySend(message)) {
            if (messages_counter_ != nullptr) messages_counter_->Increment();
            continue;
        }
        Disconnect(id);
        sink->Drop();
        if (dropped_counter_ != nullptr) dropped_counter_->Increment();
    }
}

std::size_t StreamHub::ClientCount() const {
    std::lock_guard lock(mutex_);
    return clients_.size();
}

StreamHub::ClientId StreamHub::Connect(std::weak_ptr<StreamSink> sink, std::optional<Principal> principal) {
    std::lock_guard lock(mutex_);
    const ClientId id = next_id_++;
    clients_.emplace(id, Client{std::move(sink), std::move(principal), true, {}});
    if (clients_gauge_ != nullptr) clients_gauge_->Set(static_cast<double>(clients_.size()));
    return id;
}

void StreamHub::Disconnect(ClientId id) {
    std::lock_guard lock(mutex_);
    clients_.erase(id);
    if (clients_gauge_ != nullptr) clients_gauge_->Set(static_cast<double>(clients_.size()));
}

std::string StreamHub::HandleClientMessage(ClientId id, std::string_view text) {
    const auto message = nlohmann::json::parse(text, nullptr, false);
    constexpr std::string_view kUsage = R"(expected {"subscribe": ["topic", ...]})";
    if (message.is_discarded() || !message.is_object() || !message.contains("subscribe")) return ErrorReply(kUsage);
    const auto& list = message["subscribe"];
    if (!list.is_array() || list.size() > kMaxTopics) return ErrorReply(kUsage);
    std::set<std::string, std::less<>> topics;
    for (const auto& topic : list) {
        if (!topic.is_string() || topic.get_ref<const std::string&>().size() > kMaxTopicLength)
            return ErrorReply(kUsage);
        topics.insert(topic.get<std::string>());
    }
    const bool all = topics.contains("*");
    {
        std::lock_guard lock(mutex_);
        auto it = clients_.find(id);
        if (it == clients_.end()) return ErrorReply("not connected");
        it->second.all_topics = all;
        it->second.topics = all ? std::set<std::string, std::less<>>() : topics;
    }
    nlohmann::json reply{{"type", "subscribed"}};
    reply["topics"] = all ? nlohmann::json::array({"*"}) : nlohmann::json(topics);
    return Dump(reply);
}

}  // namespace optischema::api
