#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/http_message.hpp"
#include "api/principal.hpp"
#include "api/router.hpp"
#include "common/error.hpp"

namespace optischema::api {

class MetricsRegistry;
class StreamHub;

/// The Content-Security-Policy sent with every response: the dashboard loads scripts, styles, images,
/// fonts and data only from its own origin (and opens its WebSocket there), and is never framed.
inline constexpr std::string_view kDashboardCsp =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Resolves the credentials of a request (session cookie, bearer token) to who sent it; nullopt when
/// there are none or they are invalid, a kUnauthenticated error when they are refused for a reason to tell
/// the client (401 with its message: a revoked or expired API token), another error when they cannot be
/// checked now (the store is down).
/// Called on a worker thread for every non-public route and for the stream upgrade; must be thread-safe.
using Authenticator = std::function<Result<std::optional<Principal>>(const HttpRequest&)>;

/// Limits and wiring of an HttpServer. Pointers, when set, must outlive the server.
struct HttpServerOptions {
    std::size_t max_body_bytes = 1 << 20;           // larger bodies get 413
    std::size_t max_header_bytes = 16 << 10;        // larger request heads get 431
    std::chrono::milliseconds header_timeout{10000};  // a request head must be complete this long after the
                                                      // connection was accepted, or after its first byte on a
                                                      // kept-alive connection (slowloris)
    std::chrono::milliseconds idle_timeout{10000};    // a kept-alive connection waits this long for the next request
    std::chrono::milliseconds read_timeout{10000};    // to receive a request's body once its head has arrived
    std::chrono::milliseconds write_timeout{30000};
    std::chrono::milliseconds shutdown_timeout{5000};  // Stop() waits this long for in-flight requests
    int worker_threads = 4;                            // run handlers, so slow ones never stall I/O
    int slow_worker_threads = 4;                       // run the handlers of routes marked slow
    std::size_t max_connections = 1024;                // beyond this, new connections are closed at once
    std::size_t max_connections_per_address = 64;      // per TCP peer (an IPv6 /64 counts as one), WebSockets
                                                       // included; trusted_proxies are exempt. Beyond it, closed
    std::filesystem::path static_dir;                  // the built dashboard; empty: none
    std::string content_security_policy = std::string(kDashboardCsp);
    std::vector<std::string> trusted_proxies;  // peers whose X-Forwarded-For names the client (ClientAddress)
    Authenticator authenticate;                // unset: every non-public route answers 401
    MetricsRegistry* metrics = nullptr;
    StreamHub* stream_hub = nullptr;  // unset: no WebSocket endpoint
    std::string stream_path = "/api/v1/stream";
    std::size_t stream_queue_messages = 256;               // per client; a client this far behind is dropped
    std::size_t stream_max_incoming_bytes = 64 << 10;      // largest message a client may send
    std::chrono::milliseconds stream_idle_timeout{30000};  // ping after half of it, close after all of it
    std::chrono::milliseconds stream_recheck_every{5000};  // a stream's credentials are checked again this often
};

/// HTTP/1.1 + WebSocket server on Boost.Beast (which only http_server.cpp includes). Requests go
/// through the Router with authentication, roles and CSRF enforced per route; other GET/HEAD paths
/// outside /api/ are served from static_dir. Every response carries security headers.
/// Start and Stop are called from one controlling thread, never from a handler.
class HttpServer {
public:
    /// `router` must outlive the server and not change after Start.
    HttpServer(const Router& router, HttpServerOptions options);
    /// Stops if running.
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    /// Binds "host:port" ("127.0.0.1:0" picks a free port; "[::1]:8080" for IPv6) and serves on
    /// `io_threads` threads. Returns the bound port.
    [[nodiscard]] Result<std::uint16_t> Start(std::string_view listen, int io_threads = 2);

    /// Graceful: stops accepting, closes idle connections, lets in-flight requests finish and sends
    /// their responses with Connection: close, closes WebSockets with a 1001 close frame, then after
    /// shutdown_timeout closes whatever is left. Returns when all threads have ended. Idempotent.
    void Stop();

    /// The bound port, 0 when not started.
    [[nodiscard]] std::uint16_t port() const;

    class Impl;

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace optischema::api
