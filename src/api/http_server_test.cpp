#include "api/http_server.hpp"

#include <atomic>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include "api/auth.hpp"
#include "api/exposition_check.hpp"
#include "api/metrics.hpp"
#include "api/request_pipeline.hpp"
#include "api/stream_hub.hpp"
#include "http_test_client.hpp"

namespace optischema::api {
namespace {

namespace fs = std::filesystem;
using optischema::testing::HttpTestClient;
using optischema::testing::HttpTestResponse;
using optischema::testing::WebSocketTestClient;
using namespace std::chrono_literals;

// Bearer "<role>-token" or cookie optischema_session=<role> authenticate as that role; while
// `store_down` is set, every check fails as when the store cannot answer.
std::atomic<bool> store_down{false};
Result<std::optional<Principal>> TestAuthenticator(const HttpRequest& request) {
    if (store_down) return MakeError(ErrorCode::kStorage, "store unreachable");
    if (const auto authorization = request.headers.Get("Authorization");
        authorization && authorization->starts_with("Bearer ")) {
        const auto token = authorization->substr(7);
        if (!token.ends_with("-token")) return std::nullopt;
        if (auto role = ParseRole(token.substr(0, token.size() - 6)))
            return Principal{"bot", *role, AuthMethod::kBearer};
        return std::nullopt;
    }
    if (auto session = request.Cookie("optischema_session")) {
        if (auto role = ParseRole(*session)) return Principal{"alice", *role, AuthMethod::kCookie};
    }
    return std::nullopt;
}

nlohmann::json Json(const HttpTestResponse& response) { return nlohmann::json::parse(response.body); }

std::string ErrorCodeOf(const HttpTestResponse& response) { return Json(response).at("error").at("code"); }

/// Waits for a condition other threads make true; false when it did not happen within `timeout`.
template <typename Predicate>
bool Eventually(Predicate predicate, std::chrono::milliseconds timeout = 5s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (predicate()) return true;
        std::this_thread::sleep_for(5ms);
    }
    return predicate();
}

class HttpServerTest : public ::testing::Test {
protected:
    HttpServerTest() : hub_(&metrics_) {
        options_.metrics = &metrics_;
        options_.stream_hub = &hub_;
        options_.authenticate = TestAuthenticator;
        options_.worker_threads = 2;
        router_.Get("/api/v1/targets/{id}",
                    [](const HttpRequest& request) {
                        return HttpResponse::Json(200, {{"id", request.PathParam("id")},
                                                        {"q", request.QueryParam("q").value_or("")},
                                                        {"remote", request.remote_address}});
                    },
                    {.public_route = true});
        router_.Post("/api/v1/echo",
                     [](const HttpRequest& request) {
                         return HttpResponse::Text(201, request.body,
                                                   std::string(request.headers.Get("Content-Type").value_or("none")));
                     },
                     {.public_route = true});
        router_.Get("/metrics",
                    [this](const HttpRequest&) {
                        return HttpResponse::Text(200, metrics_.Render(), std::string(kPrometheusContentType));
                    },
                    {.public_route = true});
    }
    ~HttpServerTest() override {
        if (server_) server_->Stop();
    }

    void StartServer() {
        server_ = std::make_unique<HttpServer>(router_, options_);
        auto port = server_->Start("127.0.0.1:0", 2);
        ASSERT_TRUE(port) << port.error().message;
        port_ = *port;
    }

    /// POST /api/v1/apply for operators: {"applied": true}.
    void AddApplyRoute() {
        router_.Post("/api/v1/apply",
                     [](const HttpRequest&) {
                         return HttpResponse::Json(200, {{"applied", true}});
                     },
                     {.required_role = Role::kOperator});
    }

    Router router_;
    MetricsRegistry metrics_;
    StreamHub hub_;
    HttpServerOptions options_;
    std::unique_ptr<HttpServer> server_;
    std::uint16_t port_ = 0;
};

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
    options_.read_timeout = 300ms;
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

TEST_F(HttpServerTest, RolesAuthenticationAndCsrfAreEnforcedPerRoute) {
    router_.Get("/api/v1/private", [](const HttpRequest& request) {
        return HttpResponse::Json(200, {{"user", request.principal->username}});
    });
    AddApplyRoute();
    StartServer();
    HttpTestClient client(port_);

    auto anonymous = client.Get("/api/v1/private");
    EXPECT_EQ(anonymous.status, 401);
    EXPECT_TRUE(anonymous.Header("WWW-Authenticate"));
    EXPECT_EQ(client.Get("/api/v1/private", {{"Authorization", "Bearer bogus"}}).status, 401);
    auto viewer = client.Get("/api/v1/private", {{"Authorization", "Bearer viewer-token"}});
    EXPECT_EQ(viewer.status, 200);
    EXPECT_EQ(Json(viewer).at("user"), "bot");

    auto forbidden = client.Request("POST", "/api/v1/apply", "{}", {{"Authorization", "Bearer viewer-token"}});
    EXPECT_EQ(forbidden.status, 403);
    EXPECT_EQ(ErrorCodeOf(forbidden), "forbidden");
    EXPECT_EQ(client.Request("POST", "/api/v1/apply", "{}", {{"Authorization", "Bearer operator-token"}}).status, 200);

    const std::string csrf = NewToken();
    const std::string cookies = "optischema_session=operator; optischema_csrf=" + csrf;
    auto no_csrf = client.Request("POST", "/api/v1/apply", "{}", {{"Cookie", cookies}});
    EXPECT_EQ(no_csrf.status, 403);
    EXPECT_EQ(ErrorCodeOf(no_csrf), "csrf");
    EXPECT_EQ(client.Request("POST", "/api/v1/apply", "{}", {{"Cookie", cookies}, {"X-CSRF-Token", "wrong"}}).status,
              403);
    EXPECT_EQ(client.Request("POST", "/api/v1/apply", "{}", {{"Cookie", cookies}, {"X-CSRF-Token", csrf}}).status, 200);
    // Reads by cookie need no CSRF token.
    EXPECT_EQ(client.Get("/api/v1/private", {{"Cookie", "optischema_session=viewer"}}).status, 200);
}

TEST_F(HttpServerTest, ChangesFromAnotherOriginAreRefusedWhateverTheCredentials) {
    AddApplyRoute();
    StartServer();
    HttpTestClient client(port_);
    const std::string self = "http://127.0.0.1:" + std::to_string(port_);
    const optischema::testing::HeaderList bearer = {{"Authorization", "Bearer operator-token"}};
    auto foreign = client.Request("POST", "/api/v1/apply", "{}",
                                  {{"Authorization", "Bearer operator-token"}, {"Origin", "http://evil.example"}});
    EXPECT_EQ(foreign.status, 403);
    EXPECT_EQ(ErrorCodeOf(foreign), "cross_origin");
    // Public routes too (a login from another site), and an opaque origin.
    EXPECT_EQ(client.Request("POST", "/api/v1/echo", "x", {{"Origin", "null"}}).status, 403);
    EXPECT_EQ(client.Request("POST", "/api/v1/apply", "{}", bearer).status, 200);  // no Origin: not a browser
    EXPECT_EQ(
        client.Request("POST", "/api/v1/apply", "{}", {{"Authorization", "Bearer operator-token"}, {"Origin", self}})
            .status,
        200);
    // Behind a proxy that rewrites Host, the host the browser asked for comes in X-Forwarded-Host.
    EXPECT_EQ(client
                  .Request("POST", "/api/v1/apply", "{}",
                           {{"Authorization", "Bearer operator-token"},
                            {"Origin", "https://advisor.example"},
                            {"X-Forwarded-Host", "advisor.example"}})
                  .status,
              200);
    // Reads from another origin are not changes (the browser keeps their answers from the other page).
    EXPECT_EQ(client.Get("/api/v1/targets/1", {{"Origin", "http://evil.example"}}).status, 200);
}

TEST_F(HttpServerTest, WithoutAuthenticationOnlyRequestsToLocalhostAreAnswered) {
    options_.authenticate = [](const HttpRequest&) {
        return std::optional<Principal>(Principal{"local", Role::kAdmin, AuthMethod::kLocal});
    };
    router_.Get("/api/v1/private", [](const HttpRequest& request) {
        return HttpResponse::Json(200, {{"user", request.principal->username}});
    });
    StartServer();
    HttpTestClient client(port_);
    EXPECT_EQ(client.Get("/api/v1/private").status, 200);
    EXPECT_EQ(client.Get("/api/v1/private", {{"Host", "localhost:8080"}}).status, 200);
    EXPECT_EQ(client.Get("/api/v1/private", {{"Host", "[::1]:8080"}}).status, 200);
    // A rebinding page's own name, pointed at 127.0.0.1, must get nothing.
    auto rebound = client.Get("/api/v1/private", {{"Host", "attacker.example:8080"}});
    EXPECT_EQ(rebound.status, 403);
    EXPECT_NE(rebound.body.find("localhost"), std::string::npos);
    EXPECT_EQ(client.Get("/api/v1/private", {{"Host", "127.0.0.1.attacker.example"}}).status, 403);
}

TEST(LoopbackHostTest, NamesThisMachineOnly) {
    for (const std::string_view yes : {"localhost", "LOCALHOST:80", "127.0.0.1", "127.1.2.3:8080", "[::1]:80", "::1"}) {
        EXPECT_TRUE(IsLoopbackHost(yes)) << yes;
    }
    for (const std::string_view no : {"0.0.0.0:8080", ":8080", "10.0.0.1:80", "localhost.evil.example", "[::2]:80",
                                      "evil.example", "127.0.0.1.evil.example", ""}) {
        EXPECT_FALSE(IsLoopbackHost(no)) << no;
    }
}

TEST(ClientAddressTest, OnlyATrustedProxyNamesTheClient) {
    const std::vector<std::string> proxies = {"10.0.0.5", "10.0.0.6"};
    auto from = [&](std::string_view peer, std::vector<std::string> forwarded) {
        HttpHeaders headers;
        for (const auto& line : forwarded) headers.Add("X-Forwarded-For", line);
        return ClientAddress(peer, headers, proxies);
    };
    EXPECT_EQ(from("203.0.113.9", {"198.51.100.1"}), "203.0.113.9") << "anyone else's header is ignored";
    EXPECT_EQ(from("10.0.0.5", {}), "10.0.0.5");
    EXPECT_EQ(from("10.0.0.5", {"198.51.100.1"}), "198.51.100.1");
    EXPECT_EQ(from("10.0.0.5", {"1.2.3.4, 198.51.100.1"}), "198.51.100.1") << "the client may have forged 1.2.3.4";
    EXPECT_EQ(from("10.0.0.5", {"1.2.3.4", "198.51.100.1, 10.0.0.6"}), "198.51.100.1") << "proxies are skipped";
    EXPECT_EQ(from("10.0.0.5", {"2001:db8::7"}), "2001:db8::7");
    EXPECT_EQ(from("10.0.0.5", {"unknown"}), "10.0.0.5") << "not an address";
}

TEST_F(HttpServerTest, BehindATrustedProxyTheClientAddressComesFromXForwardedFor) {
    options_.trusted_proxies = {"127.0.0.1"};
    StartServer();
    HttpTestClient client(port_);
    auto proxied = client.Get("/api/v1/targets/1", {{"X-Forwarded-For", "198.51.100.1"}});
    ASSERT_EQ(proxied.status, 200);
    EXPECT_EQ(Json(proxied)["remote"], "198.51.100.1");
}

TEST_F(HttpServerTest, WithoutAuthenticatorNonPublicRoutesAre401) {
    options_.authenticate = nullptr;
    router_.Get("/api/v1/private", [](const HttpRequest&) { return HttpResponse::Json(200, {}); });
    StartServer();
    HttpTestClient client(port_);
    EXPECT_EQ(client.Get("/api/v1/private", {{"Authorization", "Bearer admin-token"}}).status, 401);
    EXPECT_EQ(client.Get("/api/v1/targets/1").status, 200);
}

class StaticFilesTest : public HttpServerTest {
protected:
    StaticFilesTest() {
        base_ = fs::temp_directory_path() /
                ("optischema-static-" + std::to_string(::getpid()) + "-" + NewToken().substr(0, 6));
        const auto root = base_ / "dist";
        fs::create_directories(root / "assets");
        Write(root / "index.html", "<html>dashboard</html>");
        Write(root / "favicon.svg", "<svg/>");
        Write(root / "assets" / "app.1a2b3c.js", "console.log('plain')");
        Write(root / "assets" / "app.1a2b3c.js.gz", "GZIPPED-BYTES");
        Write(root / "assets" / "style.9f8e.css", "body{}");
        Write(root / ".env", "TOPSECRET");
        Write(base_ / "secret.txt", "TOPSECRET");
        fs::create_symlink(base_ / "secret.txt", root / "assets" / "link.js");
        Write(root / "assets" / "page.5d6e.js", "console.log('page')");
        fs::create_symlink(base_ / "secret.txt", root / "assets" / "page.5d6e.js.gz");  // a .gz sibling leading out
        options_.static_dir = root;
    }
    ~StaticFilesTest() override {
        std::error_code ec;
        fs::remove_all(base_, ec);
    }
    static void Write(const fs::path& path, std::string_view contents) {
        std::ofstream(path, std::ios::binary) << contents;
    }

    fs::path base_;
};

TEST_F(StaticFilesTest, ServesFilesWithTypesCachingAndSpaFallback) {
    StartServer();
    HttpTestClient client(port_);
    auto index = client.Get("/");
    ASSERT_EQ(index.status, 200);
    EXPECT_EQ(index.body, "<html>dashboard</html>");
    EXPECT_EQ(index.Header("Content-Type"), "text/html; charset=utf-8");
    EXPECT_EQ(index.Header("Cache-Control"), "no-cache");

    auto script = client.Get("/assets/app.1a2b3c.js");
    EXPECT_EQ(script.body, "console.log('plain')");
    EXPECT_EQ(script.Header("Content-Type"), "text/javascript; charset=utf-8");
    EXPECT_EQ(script.Header("Cache-Control"), "public, max-age=31536000, immutable");
    EXPECT_EQ(script.Header("Vary"), "Accept-Encoding");
    EXPECT_FALSE(script.Header("Content-Encoding"));

    EXPECT_EQ(client.Get("/assets/style.9f8e.css").Header("Content-Type"), "text/css; charset=utf-8");
    EXPECT_EQ(client.Get("/favicon.svg").Header("Content-Type"), "image/svg+xml");

    auto spa = client.Get("/targets/5/statements?range=1h");
    EXPECT_EQ(spa.status, 200);
    EXPECT_EQ(spa.body, "<html>dashboard</html>");
    EXPECT_EQ(spa.Header("Cache-Control"), "no-cache");

    EXPECT_EQ(client.Get("/assets/missing.js").status, 404);
    auto api = client.Get("/api/v1/unknown");
    EXPECT_EQ(api.status, 404);
    EXPECT_EQ(api.Header("Content-Type"), "application/json");
    EXPECT_EQ(client.Request("POST", "/somewhere").status, 404);
}

TEST_F(StaticFilesTest, ServesGzipVariantOnlyWhenAccepted) {
    StartServer();
    HttpTestClient client(port_);
    auto gzip = client.Get("/assets/app.1a2b3c.js", {{"Accept-Encoding", "gzip, deflate, br"}});
    EXPECT_EQ(gzip.body, "GZIPPED-BYTES");
    EXPECT_EQ(gzip.Header("Content-Encoding"), "gzip");
    EXPECT_EQ(gzip.Header("Content-Type"), "text/javascript; charset=utf-8");
    EXPECT_EQ(gzip.Header("Vary"), "Accept-Encoding");

    EXPECT_EQ(client.Get("/assets/app.1a2b3c.js", {{"Accept-Encoding", "gzip;q=0, br"}}).body, "console.log('plain')");
    EXPECT_EQ(client.Get("/assets/app.1a2b3c.js", {{"Accept-Encoding", "identity"}}).body, "console.log('plain')");
    EXPECT_NE(gzip.Header("ETag"), client.Get("/assets/app.1a2b3c.js").Header("ETag"));
}

TEST_F(StaticFilesTest, RevalidatesWithEtag) {
    StartServer();
    HttpTestClient client(port_);
    auto first = client.Get("/");
    ASSERT_TRUE(first.Header("ETag"));
    auto again = client.Get("/", {{"If-None-Match", *first.Header("ETag")}});
    EXPECT_EQ(again.status, 304);
    EXPECT_TRUE(again.body.empty());
    EXPECT_EQ(client.Get("/", {{"If-None-Match", "W/\"other\""}}).status, 200);
}

TEST_F(StaticFilesTest, RefusesTraversalHiddenFilesAndSymlinksOut) {
    StartServer();
    for (const char* target :
         {"/../secret.txt", "/%2e%2e/secret.txt", "/assets/..%2f..%2fsecret.txt", "/assets/%2e%2e/%2e%2e/secret.txt",
          "/assets/../../secret.txt", "/.env", "/%2eenv", "/assets/link.js", "/assets/..%5c..%5csecret.txt"}) {
        HttpTestClient client(port_);
        auto response = client.Get(target);
        EXPECT_NE(response.status, 200) << target;
        EXPECT_EQ(response.body.find("TOPSECRET"), std::string::npos) << target;
    }
    // An absolute-looking path is still relative to the dashboard: the SPA fallback, not /etc/passwd.
    HttpTestClient client(port_);
    auto sibling = client.Get("/assets/page.5d6e.js", {{"Accept-Encoding", "gzip"}});
    EXPECT_EQ(sibling.status, 200);
    EXPECT_EQ(sibling.body, "console.log('page')") << "the plain file, not the .gz that leads out of the root";
    auto passwd = client.Get("//etc/passwd");
    EXPECT_EQ(passwd.body, "<html>dashboard</html>");
}

TEST_F(StaticFilesTest, EveryResponseCarriesSecurityHeaders) {
    StartServer();
    std::vector<HttpTestResponse> responses;
    {
        HttpTestClient client(port_);
        responses.push_back(client.Get("/"));
        responses.push_back(client.Get("/assets/app.1a2b3c.js"));
        responses.push_back(client.Get("/api/v1/targets/1"));
        responses.push_back(client.Get("/api/v1/missing"));
        responses.push_back(client.Request("PUT", "/api/v1/targets/1"));
    }
    {
        HttpTestClient client(port_);
        client.SendRaw("NOT HTTP\r\n\r\n");
        responses.push_back(client.ReadResponse());
    }
    for (const auto& response : responses) {
        EXPECT_EQ(response.Header("X-Content-Type-Options"), "nosniff") << response.status;
        EXPECT_EQ(response.Header("X-Frame-Options"), "DENY") << response.status;
        EXPECT_EQ(response.Header("Referrer-Policy"), "no-referrer") << response.status;
        const auto csp = response.Header("Content-Security-Policy").value_or("");
        EXPECT_NE(csp.find("default-src 'self'"), std::string::npos) << response.status;
        EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << response.status;
        EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos) << response.status;
    }
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
