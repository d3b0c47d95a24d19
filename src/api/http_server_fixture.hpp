#pragma once

// Test helper (header-only, used by api_test): an HttpServer on a free port with a few routes, an
// authenticator that trusts role-named tokens, and readers of the answers.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "api/auth.hpp"
#include "api/http_server.hpp"
#include "api/metrics.hpp"
#include "api/stream_hub.hpp"
#include "http_test_client.hpp"

namespace optischema::api::testing {

/// While set, TestAuthenticator fails every check, as when the store cannot answer.
inline std::atomic<bool> store_down{false};

/// Bearer "<role>-token" or cookie optischema_session=<role> authenticate as that role.
inline Result<std::optional<Principal>> TestAuthenticator(const HttpRequest& request) {
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

/// The body of a response as JSON.
inline nlohmann::json Json(const optischema::testing::HttpTestResponse& response) {
    return nlohmann::json::parse(response.body);
}

/// The `code` of the API's error body.
inline std::string ErrorCodeOf(const optischema::testing::HttpTestResponse& response) {
    return Json(response).at("error").at("code");
}

/// Waits for a condition other threads make true; false when it did not happen within `timeout`.
template <typename Predicate>
bool Eventually(Predicate predicate, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (predicate()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return predicate();
}

/// A server on 127.0.0.1 (started by StartServer, after a test set its options and routes) with a stream
/// hub, metrics, TestAuthenticator, and public routes GET /api/v1/targets/{id} (echoes the id, ?q and the
/// client address), POST /api/v1/echo (echoes the body and its type) and GET /metrics.
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

}  // namespace optischema::api::testing
