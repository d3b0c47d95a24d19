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
        if (!Allowed(id)) {
            DropClient(id, *sink);
            continue;
        }
        if (sink->TrySend(message)) {
            if (messages_counter_ != nullptr) messages_counter_->Increment();
            continue;
        }
        DropClient(id, *sink);
        if (dropped_counter_ != nullptr) dropped_counter_->Increment();
    }
}

bool StreamHub::Allowed(ClientId id) {
    StillAllowed ask;
    const auto now = std::chrono::steady_clock::now();
    {
        std::lock_guard lock(mutex_);
        const auto it = clients_.find(id);
        if (it == clients_.end()) return false;
        const Client& c = it->second;
        if (!c.still_allowed || now - c.allowed_at < c.recheck_every) return true;
        ask = c.still_allowed;
    }
    // Outside the lock: the answer may need the store.
    if (!ask()) return false;
    std::lock_guard lock(mutex_);
    if (const auto it = clients_.find(id); it != clients_.end()) it->second.allowed_at = now;
    return true;
}

void StreamHub::DropClient(ClientId id, StreamSink& sink) {
    Disconnect(id);
    sink.Drop();
}

std::size_t StreamHub::ClientCount() const {
    std::lock_guard lock(mutex_);
    return clients_.size();
}

StreamHub::ClientId StreamHub::Connect(std::weak_ptr<StreamSink> sink,
                                       std::optional<Principal> principal,
                                       StillAllowed still_allowed,
                                       std::chrono::milliseconds recheck_every) {
    std::lock_guard lock(mutex_);
    const ClientId id = next_id_++;
    clients_.emplace(id, Client{std::move(sink),
                                std::move(principal),
                                true,
                                {},
                                std::move(still_allowed),
                                recheck_every,
                                std::chrono::steady_clock::now()});
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
