// Who may call what through the HTTP server: roles, CSRF, cross-origin changes, localhost-only answers
// without authentication, and the client address behind a trusted proxy.
#include <optional>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "api/auth.hpp"
#include "api/http_server.hpp"
#include "api/http_server_fixture.hpp"
#include "http_test_client.hpp"

namespace optischema::api {
namespace {

using namespace optischema::api::testing;
using optischema::testing::HttpTestClient;

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

}  // namespace
}  // namespace optischema::api
