// The live stream (WebSocket) of the HTTP server: broadcasts and subscriptions, authentication, pings,
// slow clients dropped, credentials checked again, and a close on stop.
#include <atomic>
#include <future>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "api/http_server.hpp"
#include "api/http_server_fixture.hpp"
#include "api/metrics.hpp"
#include "api/stream_hub.hpp"
#include "http_test_client.hpp"

namespace optischema::api {
namespace {

using namespace optischema::api::testing;
using optischema::testing::HttpTestClient;
using optischema::testing::WebSocketTestClient;
using namespace std::chrono_literals;

TEST_F(HttpServerTest, StreamDeliversBroadcastsAndHonoursSubscriptions) {
    StartServer();
    const optischema::testing::HeaderList auth = {{"Authorization", "Bearer viewer-token"}};
    WebSocketTestClient everything(port_, "/api/v1/stream", auth);
    WebSocketTestClient picky(port_, "/api/v1/stream", auth);
    picky.SendText(R"({"subscribe": ["target:1"]})");
    auto ack = picky.ReadText(5s);
    ASSERT_TRUE(ack);
    EXPECT_EQ(nlohmann::json::parse(*ack).at("type"), "subscribed");
    ASSERT_TRUE(Eventually([&] { return hub_.ClientCount() == 2; }));

    hub_.Broadcast("target:2", {{"snapshot", 2}});
    hub_.Broadcast("target:1", {{"snapshot", 1}});

    auto first = everything.ReadText(5s);
    auto second = everything.ReadText(5s);
    ASSERT_TRUE(first && second);
    EXPECT_EQ(nlohmann::json::parse(*first).at("topic"), "target:2");
    EXPECT_EQ(nlohmann::json::parse(*second).at("data").at("snapshot"), 1);

    auto only = picky.ReadText(5s);
    ASSERT_TRUE(only);
    EXPECT_EQ(nlohmann::json::parse(*only).at("topic"), "target:1");

    picky.SendText("not json");
    auto error = picky.ReadText(5s);
    ASSERT_TRUE(error);
    EXPECT_EQ(nlohmann::json::parse(*error).at("type"), "error");
}

TEST_F(HttpServerTest, StreamUpgradeGoesThroughAuthentication) {
    StartServer();
    const std::string upgrade =
        "GET /api/v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Version: 13\r\n";
    {
        HttpTestClient client(port_);
        client.SendRaw(upgrade + "\r\n");
        EXPECT_EQ(client.ReadResponse().status, 401);
    }
    {
        HttpTestClient client(port_);
        client.SendRaw(upgrade + "Cookie: optischema_session=viewer\r\nOrigin: http://evil.example\r\n\r\n");
        EXPECT_EQ(client.ReadResponse().status, 403);
    }
    EXPECT_NO_THROW(WebSocketTestClient(
        port_, "/api/v1/stream",
        {{"Cookie", "optischema_session=viewer"}, {"Origin", "http://127.0.0.1:" + std::to_string(port_)}}));
    HttpTestClient plain(port_);
    EXPECT_EQ(plain.Get("/api/v1/stream").status, 426);
}

TEST_F(HttpServerTest, CredentialsThatCannotBeCheckedAre503AndEndNoStream) {
    options_.stream_recheck_every = 0ms;
    AddApplyRoute();
    StartServer();
    WebSocketTestClient stream(port_, "/api/v1/stream", {{"Authorization", "Bearer viewer-token"}});
    ASSERT_TRUE(Eventually([&] { return hub_.ClientCount() == 1; }));
    store_down = true;
    HttpTestClient client(port_);
    auto refused = client.Request("POST", "/api/v1/apply", "", {{"Authorization", "Bearer operator-token"}});
    EXPECT_EQ(refused.status, 503) << refused.body;
    EXPECT_EQ(ErrorCodeOf(refused), "unavailable");
    hub_.Broadcast("target:1", {{"snapshot", 1}});
    auto during = stream.ReadText(5s);
    store_down = false;
    ASSERT_TRUE(during) << "a store that cannot answer does not end the stream";
    EXPECT_EQ(nlohmann::json::parse(*during).at("data").at("snapshot"), 1);
    EXPECT_EQ(hub_.ClientCount(), 1u);
}

TEST_F(HttpServerTest, AStreamEndsWhenItsCredentialsAreRefused) {
    options_.stream_recheck_every = 0ms;
    static std::atomic<bool> revoked{false};  // static: the server may check it until the fixture stops it
    revoked = false;
    options_.authenticate = [](const HttpRequest& request) -> Result<std::optional<Principal>> {
        if (revoked) return MakeError(ErrorCode::kUnauthenticated, "the API token was revoked");
        return TestAuthenticator(request);
    };
    StartServer();
    WebSocketTestClient stream(port_, "/api/v1/stream", {{"Authorization", "Bearer viewer-token"}});
    ASSERT_TRUE(Eventually([&] { return hub_.ClientCount() == 1; }));
    hub_.Broadcast("target:1", {{"snapshot", 1}});
    ASSERT_TRUE(stream.ReadText(5s)) << "the stream works before the token is revoked";
    revoked = true;
    hub_.Broadcast("target:1", {{"snapshot", 2}});
    EXPECT_TRUE(stream.connection().WaitForClose(5s)) << "a revoked token's stream is closed";
    EXPECT_TRUE(Eventually([&] { return hub_.ClientCount() == 0; }));
}

TEST_F(HttpServerTest, StreamPingsIdleClientsAndClosesThoseThatNeverAnswer) {
    options_.stream_idle_timeout = 400ms;
    StartServer();
    const optischema::testing::HeaderList auth = {{"Authorization", "Bearer viewer-token"}};
    WebSocketTestClient answering(port_, "/api/v1/stream", auth);
    EXPECT_FALSE(answering.ReadText(1500ms));  // nothing but pings, answered
    EXPECT_GE(answering.pings_received, 1);
    EXPECT_FALSE(answering.close_code);
    hub_.Broadcast("t", {});
    EXPECT_TRUE(answering.ReadText(5s));

    WebSocketTestClient silent(port_, "/api/v1/stream", auth);
    silent.auto_pong = false;
    EXPECT_TRUE(silent.connection().WaitForClose(5s));
}

TEST_F(HttpServerTest, SlowStreamClientIsDroppedWhileOthersKeepReceiving) {
    options_.stream_queue_messages = 64;
    StartServer();
    const optischema::testing::HeaderList auth = {{"Authorization", "Bearer viewer-token"}};
    WebSocketTestClient slow(port_, "/api/v1/stream", auth, 4096);  // never reads
    WebSocketTestClient fast(port_, "/api/v1/stream", auth);
    ASSERT_TRUE(Eventually([&] { return hub_.ClientCount() == 2; }));

    constexpr int kMessages = 400;
    std::atomic<int> fast_received{0};
    auto received = std::async(std::launch::async, [&fast, &fast_received] {
        while (auto message = fast.ReadText(10s)) {
            if (nlohmann::json::parse(*message).at("topic") == "last") return fast_received.load();
            ++fast_received;
        }
        return -1;
    });
    // 400 x 64 KiB is far more than the slow client's socket buffers and queue hold. The fast client
    // is kept within 8 messages of the broadcaster (well inside its queue of 64), however slow the machine.
    const std::string payload(64 * 1024, 'x');
    for (int i = 0; i < kMessages; ++i) {
        ASSERT_TRUE(Eventually([&] { return fast_received.load() >= i - 8; }, 10s)) << "fast client stuck at " << i;
        hub_.Broadcast("bulk", {{"i", i}, {"payload", payload}});
    }
    EXPECT_TRUE(Eventually([&] { return hub_.ClientCount() == 1; }));
    hub_.Broadcast("last", {});
    EXPECT_EQ(received.get(), kMessages);
    EXPECT_NE(metrics_.Render().find("optischema_stream_dropped_clients_total 1\n"), std::string::npos);
}

TEST_F(HttpServerTest, StopClosesStreamsWithGoingAway) {
    StartServer();
    WebSocketTestClient client(port_, "/api/v1/stream", {{"Authorization", "Bearer viewer-token"}});
    ASSERT_TRUE(Eventually([&] { return hub_.ClientCount() == 1; }));
    auto stopping = std::async(std::launch::async, [this] { server_->Stop(); });
    EXPECT_FALSE(client.ReadText(5s));
    EXPECT_EQ(client.close_code, 1001);
    client.SendControl(8, std::string("\x03\xe9", 2));  // answer the close handshake
    EXPECT_TRUE(client.connection().WaitForClose(5s));
    client.connection().Close();
    stopping.get();
    EXPECT_EQ(hub_.ClientCount(), 0u);
}

}  // namespace
}  // namespace optischema::api
