// The HTTP transport: routing on keep-alive connections, limits and malformed requests, handler
// failures, the access log and metrics, slow routes, a graceful stop and the listen address.
#include "api/http_server.hpp"

#include <atomic>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include "api/exposition_check.hpp"
#include "api/http_server_fixture.hpp"
#include "api/metrics.hpp"
#include "http_test_client.hpp"

namespace optischema::api {
namespace {

using namespace optischema::api::testing;
using optischema::testing::HttpTestClient;
using optischema::testing::WebSocketTestClient;
using namespace std::chrono_literals;

TEST_F(HttpServerTest, RoutesWithPathParamsQueryAndBodyOnOneKeepAliveConnection) {
    StartServer();
    HttpTestClient client(port_);
    auto get = client.Get("/api/v1/targets/db%2Eone?q=a+b%26c");
    ASSERT_EQ(get.status, 200) << get.body;
    EXPECT_EQ(get.Header("Content-Type"), "application/json");
    EXPECT_EQ(get.Header("Cache-Control"), "no-store");
    EXPECT_EQ(Json(get), (nlohmann::json{{"id", "db.one"}, {"q", "a b&c"}, {"remote", "127.0.0.1"}}));

    auto post = client.Request("POST", "/api/v1/echo", "hello body", {{"Content-Type", "text/x-test"}});
    EXPECT_EQ(post.status, 201);
    EXPECT_EQ(post.body, "hello body");
    EXPECT_EQ(post.Header("Content-Type"), "text/x-test");

    auto head = client.Request("HEAD", "/api/v1/targets/7");
    EXPECT_EQ(head.status, 200);
    EXPECT_EQ(head.Header("Content-Length"), std::to_string(client.Get("/api/v1/targets/7").body.size()));
    EXPECT_TRUE(head.body.empty());
    // Still in step after HEAD: no stray body bytes were sent.
    EXPECT_EQ(Json(client.Get("/api/v1/targets/8")).at("id"), "8");
}

TEST_F(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
    StartServer();
    HttpTestClient client(port_);
    client.SendRaw(
        "GET /api/v1/targets/1 HTTP/1.1\r\nHost: x\r\n\r\nGET /api/v1/targets/2 HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(Json(client.ReadResponse()).at("id"), "1");
    EXPECT_EQ(Json(client.ReadResponse()).at("id"), "2");
}

TEST_F(HttpServerTest, UnknownPathIs404AndWrongMethodIs405WithAllow) {
    StartServer();
    HttpTestClient client(port_);
    auto missing = client.Get("/api/v1/nothing");
    EXPECT_EQ(missing.status, 404);
    EXPECT_EQ(ErrorCodeOf(missing), "not_found");

    auto wrong = client.Request("DELETE", "/api/v1/targets/1");
    EXPECT_EQ(wrong.status, 405);
    EXPECT_EQ(wrong.Header("Allow"), "GET, HEAD");
    EXPECT_EQ(ErrorCodeOf(wrong), "method_not_allowed");

    // No static directory configured: other paths are 404 too.
    EXPECT_EQ(client.Get("/index.html").status, 404);
    EXPECT_EQ(client.Request("BREW", "/api/v1/targets/1").status, 405);
}

TEST_F(HttpServerTest, OversizedBodiesGet413AndTheServerKeepsServing) {
    options_.max_body_bytes = 1024;
    StartServer();
    {
        HttpTestClient client(port_);
        // Refused on the header alone, before the body is sent.
        client.SendRaw("POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2048\r\n\r\n");
        auto response = client.ReadResponse();
        EXPECT_EQ(response.status, 413);
        EXPECT_EQ(ErrorCodeOf(response), "payload_too_large");
        EXPECT_EQ(response.Header("Connection"), "close");
        EXPECT_TRUE(client.WaitForClose(5s));
    }
    {
        HttpTestClient client(port_);
        // Chunked: the limit applies to the sum of the chunks.
        std::string request = "POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
        for (int i = 0; i < 3; ++i) request += "200\r\n" + std::string(512, 'a') + "\r\n";
        request += "0\r\n\r\n";
        client.SendRaw(request);
        EXPECT_EQ(client.ReadResponse().status, 413);
    }
    {
        HttpTestClient client(port_);
        EXPECT_EQ(client.Request("POST", "/api/v1/echo", std::string(1024, 'b')).status, 201);  // exactly the limit
        auto big_header = client.Get("/api/v1/targets/1", {{"X-Big", std::string(20000, 'h')}});
        EXPECT_EQ(big_header.status, 431);
    }
    HttpTestClient fresh(port_);
    EXPECT_EQ(fresh.Get("/api/v1/targets/1").status, 200);
}

TEST_F(HttpServerTest, ExpectContinueGetsAnInterimResponse) {
    StartServer();
    HttpTestClient client(port_);
    client.SendRaw("POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
    EXPECT_EQ(client.ReadHead().status, 100);
    client.SendRaw("12345");
    auto response = client.ReadResponse();
    EXPECT_EQ(response.status, 201);
    EXPECT_EQ(response.body, "12345");
}

TEST_F(HttpServerTest, MalformedRequestsGet400AndTheServerKeepsServing) {
    StartServer();
    const std::string bad_requests[] = {
        "GARBAGE\r\n\r\n",
        "GET /a HTTP/9.9\r\nHost: x\r\n\r\n",
        "GET /a HTTP/1.1\r\nNoColonHere\r\n\r\n",
        "GET nopath HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET http://example.com/ HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /a%zz HTTP/1.1\r\nHost: x\r\n\r\n",
        "POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
        "POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxx",
        "POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", 15),
        std::string("GET /\0 HTTP/1.1\r\n\r\n", 19),
    };
    for (const auto& bad : bad_requests) {
        HttpTestClient client(port_);
        client.SendRaw(bad);
        auto response = client.ReadResponse();
        EXPECT_EQ(response.status, 400) << bad;
        EXPECT_EQ(ErrorCodeOf(response), "bad_request") << bad;
        EXPECT_EQ(response.Header("X-Content-Type-Options"), "nosniff");
        EXPECT_TRUE(client.WaitForClose(5s)) << bad;
    }
    HttpTestClient client(port_);
    EXPECT_EQ(client.Get("/api/v1/targets/1").status, 200);
}

TEST_F(HttpServerTest, SlowHeaderTrickleAndIdleConnectionsAreClosed) {
    options_.header_timeout = 300ms;
    options_.idle_timeout = 300ms;
    StartServer();
    HttpTestClient slow(port_);
    slow.SendRaw("GET /api/v1/targets/1 HTTP/1.1\r\nHost: x\r\n");
    bool closed = false;
    // Far longer than the timeout: a header line every 50 ms for 5 s.
    for (int i = 0; i < 100 && !closed; ++i) {
        closed = slow.WaitForClose(50ms);
        if (!closed) closed = !slow.TrySend("X-Slow: a\r\n");
    }
    EXPECT_TRUE(closed);

    HttpTestClient idle(port_);
    EXPECT_EQ(idle.Get("/api/v1/targets/1").status, 200);
    EXPECT_TRUE(idle.WaitForClose(5s));

    HttpTestClient after(port_);
    EXPECT_EQ(after.Get("/api/v1/targets/1").status, 200);
}

TEST_F(HttpServerTest, HandlerExceptionIs500WithoutDetails) {
    router_.Get("/api/v1/boom",
                [](const HttpRequest&) -> HttpResponse {
                    throw std::runtime_error("connection to db failed: password=hunter2");
                },
                {.public_route = true});
    StartServer();
    HttpTestClient client(port_);
    auto response = client.Get("/api/v1/boom");
    EXPECT_EQ(response.status, 500);
    EXPECT_EQ(ErrorCodeOf(response), "internal");
    EXPECT_EQ(response.body.find("hunter2"), std::string::npos);
    EXPECT_EQ(response.body.find("password"), std::string::npos);
    EXPECT_EQ(client.Get("/api/v1/targets/1").status, 200);  // same connection still served
}

TEST_F(HttpServerTest, AccessLogLeavesOutQueryStringsAndCredentials) {
    auto sink = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(100);
    auto previous = spdlog::default_logger();
    auto logger = std::make_shared<spdlog::logger>("capture", sink);
    logger->set_level(spdlog::level::debug);
    spdlog::set_default_logger(logger);
    StartServer();
    {
        HttpTestClient client(port_);
        EXPECT_EQ(client
                      .Get("/api/v1/targets/3?token=SECRET-QUERY",
                           {{"Cookie", "optischema_session=SECRET-COOKIE"}, {"Authorization", "Bearer SECRET-BEARER"}})
                      .status,
                  200);
    }
    server_->Stop();
    spdlog::set_default_logger(previous);
    std::string all;
    for (const auto& line : sink->last_formatted()) all += line;
    EXPECT_NE(all.find("/api/v1/targets/3"), std::string::npos) << all;
    EXPECT_EQ(all.find("SECRET"), std::string::npos) << all;
}

TEST_F(HttpServerTest, MetricsExpositionCountsRequestsPerRoutePattern) {
    StartServer();
    HttpTestClient client(port_);
    EXPECT_EQ(client.Get("/api/v1/targets/1").status, 200);
    EXPECT_EQ(client.Get("/api/v1/targets/2").status, 200);
    EXPECT_EQ(client.Get("/api/v1/nope/3").status, 404);
    auto metrics = client.Get("/metrics");
    ASSERT_EQ(metrics.status, 200);
    EXPECT_EQ(metrics.Header("Content-Type"), std::string(kPrometheusContentType));
    EXPECT_EQ(testing::ExpositionProblems(metrics.body), "") << metrics.body;
    const auto& text = metrics.body;
    EXPECT_NE(
        text.find("optischema_http_requests_total{method=\"GET\",route=\"/api/v1/targets/{id}\",status=\"2xx\"} 2\n"),
        std::string::npos)
        << text;
    EXPECT_NE(text.find("optischema_http_requests_total{method=\"GET\",route=\"unmatched\",status=\"4xx\"} 1\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("optischema_http_request_duration_seconds_count{route=\"/api/v1/targets/{id}\"} 2\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("# TYPE optischema_http_request_duration_seconds histogram\n"), std::string::npos);
}

TEST_F(HttpServerTest, SlowRoutesNeverHoldUpTheOthers) {
    // One worker of each kind, and a slow route that blocks until released: the other routes still
    // answer, and a second slow request waits for the first.
    options_.worker_threads = 1;
    options_.slow_worker_threads = 1;
    std::promise<void> entered;
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    std::atomic<int> calls{0};
    router_.Post("/api/v1/benchmark",
                 [&](const HttpRequest&) {
                     if (calls.fetch_add(1) == 0) {
                         entered.set_value();
                         released.wait();
                     }
                     return HttpResponse::Text(200, "measured");
                 },
                 {.public_route = true, .slow = true});
    StartServer();
    auto first = std::async(std::launch::async,
                            [port = port_] { return HttpTestClient(port).Request("POST", "/api/v1/benchmark"); });
    ASSERT_EQ(entered.get_future().wait_for(5s), std::future_status::ready);
    auto second = std::async(std::launch::async,
                             [port = port_] { return HttpTestClient(port).Request("POST", "/api/v1/benchmark"); });

    for (int i = 0; i < 3; ++i) {
        HttpTestClient client(port_);
        EXPECT_EQ(client.Get("/api/v1/targets/7").status, 200) << "a store-only route answers meanwhile";
    }
    EXPECT_EQ(second.wait_for(200ms), std::future_status::timeout) << "the one slow worker is busy";
    EXPECT_EQ(calls.load(), 1);

    release.set_value();
    EXPECT_EQ(first.get().body, "measured");
    EXPECT_EQ(second.get().body, "measured");
    EXPECT_EQ(calls.load(), 2);
}

TEST_F(HttpServerTest, GracefulStopFinishesInFlightRequestAndRefusesNewOnes) {
    std::promise<void> entered;
    router_.Get("/api/v1/slow",
                [&entered](const HttpRequest&) {
                    entered.set_value();
                    std::this_thread::sleep_for(300ms);
                    return HttpResponse::Text(200, "finished");
                },
                {.public_route = true});
    StartServer();
    HttpTestClient idle(port_);
    EXPECT_EQ(idle.Get("/api/v1/targets/1").status, 200);

    auto in_flight = std::async(std::launch::async, [port = port_] {
        HttpTestClient client(port);
        return client.Get("/api/v1/slow");
    });
    entered.get_future().wait();
    server_->Stop();
    const auto response = in_flight.get();
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(response.body, "finished");
    EXPECT_EQ(response.Header("Connection"), "close");
    EXPECT_TRUE(idle.WaitForClose(1s));
    EXPECT_THROW(HttpTestClient{port_}, std::runtime_error);
}

TEST_F(HttpServerTest, ConnectionsBeyondTheLimitAreClosedAtOnce) {
    options_.max_connections = 2;
    StartServer();
    auto first = std::make_unique<HttpTestClient>(port_);
    HttpTestClient second(port_);
    EXPECT_EQ(first->Get("/api/v1/targets/1").status, 200);
    EXPECT_EQ(second.Get("/api/v1/targets/1").status, 200);
    HttpTestClient third(port_);
    EXPECT_TRUE(third.WaitForClose(5s));
    first.reset();
    EXPECT_TRUE(Eventually([&] {
        HttpTestClient next(port_);
        return next.TrySend("GET /api/v1/targets/1 HTTP/1.1\r\nHost: x\r\n\r\n") && !next.WaitForClose(100ms);
    }));
}

TEST_F(HttpServerTest, AHeadMustArriveWithinTheHeaderTimeoutWhateverTheIdleTimeout) {
    options_.header_timeout = 300ms;
    options_.idle_timeout = 30s;
    StartServer();
    // A fresh connection that sends nothing: its head is due header_timeout after the accept.
    HttpTestClient silent(port_);
    EXPECT_TRUE(silent.WaitForClose(5s));
    // A head trickled a line every 50 ms, on a connection whose keep-alive idle time is 30 s.
    HttpTestClient slow(port_);
    EXPECT_EQ(slow.Get("/api/v1/targets/1").status, 200);
    slow.SendRaw("GET /api/v1/targets/1 HTTP/1.1\r\nHost: x\r\n");
    bool closed = false;
    for (int i = 0; i < 100 && !closed; ++i) {
        closed = slow.WaitForClose(50ms);
        if (!closed) closed = !slow.TrySend("X-Slow: a\r\n");
    }
    EXPECT_TRUE(closed) << "a trickled head kept its connection open for 5 s";
    // An idle kept-alive connection waits longer than the header timeout, then is served at once.
    HttpTestClient idle(port_);
    EXPECT_EQ(idle.Get("/api/v1/targets/1").status, 200);
    EXPECT_FALSE(idle.WaitForClose(900ms));
    EXPECT_EQ(idle.Get("/api/v1/targets/2").status, 200);
}

TEST_F(HttpServerTest, OneAddressCannotHoldEveryConnection) {
    options_.max_connections_per_address = 2;
    StartServer();
    auto first = std::make_unique<HttpTestClient>(port_);
    HttpTestClient second(port_);
    EXPECT_EQ(first->Get("/api/v1/targets/1").status, 200);
    EXPECT_EQ(second.Get("/api/v1/targets/1").status, 200);
    HttpTestClient third(port_);
    EXPECT_TRUE(third.WaitForClose(5s)) << "a third connection from 127.0.0.1 was kept";
    // Another address is served meanwhile (the global cap is far away).
    HttpTestClient other(port_, 0, "127.0.0.2");
    EXPECT_EQ(other.Get("/api/v1/targets/1").status, 200);
    // A connection that ends gives its place back.
    first.reset();
    EXPECT_TRUE(Eventually([&] {
        HttpTestClient next(port_);
        return next.TrySend("GET /api/v1/targets/1 HTTP/1.1\r\nHost: x\r\n\r\n") && !next.WaitForClose(100ms);
    }));
}

TEST_F(HttpServerTest, AWebSocketKeepsItsPlaceInTheAddressCount) {
    options_.max_connections_per_address = 1;
    StartServer();
    WebSocketTestClient stream(port_, "/api/v1/stream", {{"Authorization", "Bearer viewer-token"}});
    HttpTestClient second(port_);
    EXPECT_TRUE(second.WaitForClose(5s)) << "the upgraded connection no longer counted";
}

TEST_F(HttpServerTest, ATrustedProxyIsNotCappedPerAddress) {
    options_.max_connections_per_address = 1;
    options_.trusted_proxies = {"127.0.0.1"};
    StartServer();
    HttpTestClient first(port_);
    HttpTestClient second(port_);
    HttpTestClient third(port_);
    EXPECT_EQ(first.Get("/api/v1/targets/1").status, 200);
    EXPECT_EQ(second.Get("/api/v1/targets/1").status, 200);
    EXPECT_EQ(third.Get("/api/v1/targets/1").status, 200);
}

TEST_F(HttpServerTest, StartReportsBadAddressesAndBusyPorts) {
    StartServer();
    HttpServer other(router_, options_);
    auto busy = other.Start("127.0.0.1:" + std::to_string(port_));
    ASSERT_FALSE(busy);
    EXPECT_NE(busy.error().message.find("cannot listen"), std::string::npos);
    HttpServer bad(router_, options_);
    EXPECT_FALSE(bad.Start("localhost"));
    EXPECT_FALSE(bad.Start("999.1.1.1:80"));
    EXPECT_FALSE(bad.Start("127.0.0.1:99999"));
}

}  // namespace
}  // namespace optischema::api
