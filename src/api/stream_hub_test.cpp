#include "api/stream_hub.hpp"

#include <atomic>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "api/exposition_check.hpp"
#include "api/metrics.hpp"

namespace optischema::api {
namespace {

/// A sink with a bounded queue that nobody drains unless the test does.
class FakeSink final : public StreamSink {
public:
    explicit FakeSink(std::size_t capacity) : capacity_(capacity) {}
    bool TrySend(std::shared_ptr<const std::string> message) override {
        std::lock_guard lock(mutex_);
        if (messages_.size() >= capacity_) return false;
        messages_.push_back(nlohmann::json::parse(*message));
        return true;
    }
    void Drop() override { dropped = true; }
    std::vector<nlohmann::json> Messages() {
        std::lock_guard lock(mutex_);
        return messages_;
    }
    std::atomic<bool> dropped{false};

private:
    std::mutex mutex_;
    std::size_t capacity_;
    std::vector<nlohmann::json> messages_;
};

std::vector<std::string> Topics(const std::vector<nlohmann::json>& messages) {
    std::vector<std::string> topics;
    for (const auto& m : messages) topics.push_back(m.at("topic").get<std::string>());
    return topics;
}

TEST(StreamHubTest, EveryClientGetsEverythingUntilItSubscribes) {
    StreamHub hub;
    auto all = std::make_shared<FakeSink>(100);
    auto picky = std::make_shared<FakeSink>(100);
    hub.Connect(all, std::nullopt);
    const auto picky_id = hub.Connect(picky, std::nullopt);
    const auto reply =
        nlohmann::json::parse(hub.HandleClientMessage(picky_id, R"({"subscribe": ["target:1", "target:3"]})"));
    EXPECT_EQ(reply.at("type"), "subscribed");
    EXPECT_EQ(reply.at("topics"), nlohmann::json::array({"target:1", "target:3"}));

    hub.Broadcast("target:1", {{"calls", 5}});
    hub.Broadcast("target:2", {{"calls", 6}});
    hub.Broadcast("target:3", nullptr);

    EXPECT_EQ(Topics(all->Messages()), (std::vector<std::string>{"target:1", "target:2", "target:3"}));
    EXPECT_EQ(Topics(picky->Messages()), (std::vector<std::string>{"target:1", "target:3"}));
    const auto first = picky->Messages().front();
    EXPECT_EQ(first.at("type"), "event");
    EXPECT_EQ(first.at("data").at("calls"), 5);

    (void)hub.HandleClientMessage(picky_id, R"({"subscribe": ["*"]})");
    hub.Broadcast("target:9", {});
    EXPECT_EQ(Topics(picky->Messages()).back(), "target:9");
}

TEST(StreamHubTest, AClientWhoseSessionEndedIsDisconnectedAtTheNextEvent) {
    StreamHub hub;
    auto fresh = std::make_shared<FakeSink>(100);
    auto checked = std::make_shared<FakeSink>(100);
    std::atomic<bool> allowed{true};
    std::atomic<int> asked{0};
    hub.Connect(
        checked, std::nullopt,
        [&] {
            ++asked;
            return allowed.load();
        },
        std::chrono::milliseconds(0));
    int fresh_asked = 0;
    hub.Connect(
        fresh, std::nullopt, [&] { return ++fresh_asked > 0; }, std::chrono::hours(1));
    hub.Broadcast("target:1", nullptr);
    EXPECT_EQ(asked, 1);
    EXPECT_EQ(fresh_asked, 0) << "an answer younger than recheck_every is not asked again";
    allowed = false;  // e.g. logged out
    hub.Broadcast("target:1", nullptr);
    EXPECT_TRUE(checked->dropped);
    EXPECT_EQ(checked->Messages().size(), 1u) << "nothing reaches it after its session ended";
    EXPECT_EQ(hub.ClientCount(), 1u);
    hub.Broadcast("target:1", nullptr);
    EXPECT_EQ(asked, 2) << "a disconnected client is not asked again";
    EXPECT_EQ(fresh->Messages().size(), 3u);
    EXPECT_FALSE(fresh->dropped);
}

TEST(StreamHubTest, BadClientMessagesGetAnErrorAndChangeNothing) {
    StreamHub hub;
    auto sink = std::make_shared<FakeSink>(100);
    const auto id = hub.Connect(sink, std::nullopt);
    (void)hub.HandleClientMessage(id, R"({"subscribe": ["a"]})");
    for (const char* bad :
         {"", "not json", "[]", R"({"subscribe": "a"})", R"({"subscribe": [1]})", R"({"other": 1})"}) {
        const auto reply = nlohmann::json::parse(hub.HandleClientMessage(id, bad));
        EXPECT_EQ(reply.at("type"), "error") << bad;
    }
    hub.Broadcast("b", {});
    hub.Broadcast("a", {});
    EXPECT_EQ(Topics(sink->Messages()), std::vector<std::string>{"a"});
}

TEST(StreamHubTest, SlowClientIsDroppedWithoutHoldingUpOthers) {
    MetricsRegistry metrics;
    StreamHub hub(&metrics);
    auto slow = std::make_shared<FakeSink>(3);
    auto fast = std::make_shared<FakeSink>(1000);
    hub.Connect(slow, std::nullopt);
    hub.Connect(fast, std::nullopt);
    for (int i = 0; i < 10; ++i) hub.Broadcast("t", {{"i", i}});
    EXPECT_TRUE(slow->dropped);
    EXPECT_EQ(slow->Messages().size(), 3u);
    EXPECT_EQ(fast->Messages().size(), 10u);
    EXPECT_EQ(hub.ClientCount(), 1u);
    const auto text = metrics.Render();
    EXPECT_NE(text.find("optischema_stream_dropped_clients_total 1\n"), std::string::npos) << text;
    EXPECT_NE(text.find("optischema_stream_clients 1\n"), std::string::npos) << text;
    EXPECT_EQ(testing::ExpositionProblems(text), "");
}

TEST(StreamHubTest, ForgetsClientsThatWentAway) {
    StreamHub hub;
    auto sink = std::make_shared<FakeSink>(10);
    const auto id = hub.Connect(sink, std::nullopt);
    EXPECT_EQ(hub.ClientCount(), 1u);
    sink.reset();
    hub.Broadcast("t", {});
    EXPECT_EQ(hub.ClientCount(), 0u);
    hub.Disconnect(id);  // unknown by now: ignored
    EXPECT_EQ(nlohmann::json::parse(hub.HandleClientMessage(id, R"({"subscribe": []})")).at("type"), "error");
}

TEST(StreamHubTest, BroadcastFromManyThreadsDeliversEveryMessage) {
    StreamHub hub;
    auto sink = std::make_shared<FakeSink>(100000);
    hub.Connect(sink, std::nullopt);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&hub, t] {
            for (int i = 0; i < 500; ++i) hub.Broadcast("target:" + std::to_string(t), {{"i", i}});
        });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(sink->Messages().size(), 2000u);
}

}  // namespace
}  // namespace optischema::api
