#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/http_message.hpp"
#include "api/http_server.hpp"
#include "api/router.hpp"
#include "api/static_files.hpp"

namespace optischema::api {

/// Everything between a parsed request and its response that does not touch sockets: routing,
/// authentication, roles, CSRF, static files, exception containment, security headers, metrics and the
/// access log. The transport (http_server.cpp) only parses and writes. Thread-safe.
class RequestPipeline {
public:
    /// `router` and `options` must outlive the pipeline.
    RequestPipeline(const Router& router, const HttpServerOptions& options);

    /// Whether the request goes to a route registered as slow (RouteOptions::slow).
    [[nodiscard]] bool IsSlow(const HttpRequest& request) const;

    /// The finished response to a request (security headers set, metrics recorded, access logged).
    [[nodiscard]] HttpResponse Handle(HttpRequest& request);

    /// Nullopt when a WebSocket upgrade to the stream may proceed (request.principal is then set),
    /// else the finished refusal (401, 403 for a role or a foreign Origin).
    [[nodiscard]] std::optional<HttpResponse> AuthorizeStream(HttpRequest& request);

    /// A finished error the transport produced itself (400 malformed, 413, 431), recorded and logged.
    [[nodiscard]] HttpResponse TransportError(int status,
                                              std::string_view code,
                                              std::string_view message,
                                              std::string_view remote_address);

    /// Adds the security headers (and a no-store default for API responses) where absent.
    void AddSecurityHeaders(HttpResponse& response, bool api) const;

private:
    [[nodiscard]] HttpResponse Dispatch(HttpRequest& request);
    [[nodiscard]] std::optional<HttpResponse> Authorize(HttpRequest& request, const RouteOptions& options) const;
    void Record(const HttpRequest& request, int status, std::chrono::steady_clock::duration elapsed);

    const Router& router_;
    const HttpServerOptions& options_;
    std::optional<StaticFiles> static_files_;
    std::atomic<std::uint64_t> next_request_id_{1};
};

/// True for paths the router owns exclusively: "/api" and everything under "/api/".
[[nodiscard]] bool IsApiPath(std::string_view path);

/// True when an Origin header names the same host[:port] as the Host (or X-Forwarded-Host) header, or
/// there is no Origin.
[[nodiscard]] bool SameOrigin(const HttpRequest& request);

/// True for an IPv4 or IPv6 address in text form ("10.0.0.5", "::1"), not a name.
[[nodiscard]] bool IsIpAddress(const std::string& text);

/// The address of the client a request comes from: the peer's, or, when the peer is one of
/// `trusted_proxies` (exact IP addresses), the last address in X-Forwarded-For that is not itself a
/// trusted proxy (what the nearest untrusted hop said; earlier entries are the client's to forge).
[[nodiscard]] std::string ClientAddress(std::string_view peer,
                                        const HttpHeaders& headers,
                                        const std::vector<std::string>& trusted_proxies);

/// The group an address is limited as: an IPv4 address itself, an IPv4-mapped IPv6 address as its IPv4
/// address, any other IPv6 address as its /64 ("2001:db8:1:2::/64": one subscriber's network, whose
/// 2^64 addresses cost an attacker nothing). Anything else (not an address) is returned unchanged.
[[nodiscard]] std::string AddressGroup(std::string_view address);

/// The request the transport read, as handlers see it: the target split and decoded (ParseRequestTarget),
/// cookies from every Cookie header (ParseCookies), the client's address (ClientAddress of `peer`).
/// Fails, with what is wrong, on an empty method or a target ParseRequestTarget refuses.
[[nodiscard]] Result<HttpRequest> ReadRequest(std::string method,
                                              std::string_view target,
                                              HttpHeaders headers,
                                              std::string body,
                                              std::string_view peer,
                                              const std::vector<std::string>& trusted_proxies);

/// True for a Host header (or listen address) naming this machine: localhost, 127.x.x.x or [::1], any port.
[[nodiscard]] bool IsLoopbackHost(std::string_view host);

}  // namespace optischema::api
