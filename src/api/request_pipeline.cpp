#include "api/request_pipeline.hpp"

#include <algorithm>
#include <cstring>
#include <iterator>
#include <exception>

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <spdlog/spdlog.h>

#include "api/auth.hpp"
#include "api/metrics.hpp"
#include "common/strings.hpp"

namespace optischema::api {

namespace {

std::string_view StatusClass(int status) {
    switch (status / 100) {
        case 1:
            return "1xx";
        case 2:
            return "2xx";
        case 3:
            return "3xx";
        case 4:
            return "4xx";
        default:
            return "5xx";
    }
}

// Bounded label values, so a client cannot grow the metrics without limit with made-up methods.
std::string_view MethodLabel(std::string_view method) {
    for (const std::string_view known : {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"}) {
        if (method == known) return known;
    }
    return "other";
}

}  // namespace

bool IsApiPath(std::string_view path) { return path == "/api" || path.starts_with("/api/"); }

bool SameOrigin(const HttpRequest& request) {
    const auto origin = request.headers.Get("Origin");
    if (!origin) return true;
    const auto scheme_end = origin->find("://");
    if (scheme_end == std::string_view::npos) return false;
    const auto origin_host = origin->substr(scheme_end + 3);
    // A reverse proxy may rewrite Host; the host it was asked for then comes in X-Forwarded-Host,
    // which a cross-site page cannot set (it is not a header a browser sends without a preflight).
    for (const std::string_view header : {"Host", "X-Forwarded-Host"}) {
        if (const auto host = request.headers.Get(header); host && EqualsIgnoreCase(origin_host, *host)) return true;
    }
    return false;
}

bool IsIpAddress(const std::string& text) {
    unsigned char buffer[sizeof(in6_addr)];
    return inet_pton(AF_INET, text.c_str(), buffer) == 1 || inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

std::string AddressGroup(std::string_view address) {
    const std::string text(address);
    in_addr v4{};
    if (inet_pton(AF_INET, text.c_str(), &v4) == 1) {
        char out[INET_ADDRSTRLEN] = {};
        return inet_ntop(AF_INET, &v4, out, sizeof(out)) != nullptr ? std::string(out) : text;
    }
    in6_addr v6{};
    if (inet_pton(AF_INET6, text.c_str(), &v6) != 1) return text;
    if (IN6_IS_ADDR_V4MAPPED(&v6)) {
        std::memcpy(&v4, &v6.s6_addr[12], sizeof(v4));
        char out[INET_ADDRSTRLEN] = {};
        return inet_ntop(AF_INET, &v4, out, sizeof(out)) != nullptr ? std::string(out) : text;
    }
    std::fill(std::begin(v6.s6_addr) + 8, std::end(v6.s6_addr), static_cast<unsigned char>(0));
    char out[INET6_ADDRSTRLEN] = {};
    if (inet_ntop(AF_INET6, &v6, out, sizeof(out)) == nullptr) return text;
    return std::string(out) + "/64";
}

std::string ClientAddress(std::string_view peer,
                          const HttpHeaders& headers,
                          const std::vector<std::string>& trusted_proxies) {
    const auto trusted = [&](std::string_view address) {
        return std::find(trusted_proxies.begin(), trusted_proxies.end(), address) != trusted_proxies.end();
    };
    if (!trusted(peer)) return std::string(peer);
    std::vector<std::string> hops;  // X-Forwarded-For, in order, over all its header lines
    for (const auto line : headers.GetAll("X-Forwarded-For")) {
        for (const auto& hop : Split(line, ',')) hops.emplace_back(Trim(hop));
    }
    for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
        if (trusted(*it)) continue;
        // A hop that is not an address ("unknown", a name): the proxy's own address is all there is.
        return IsIpAddress(*it) ? *it : std::string(peer);
    }
    return std::string(peer);
}

Result<HttpRequest> ReadRequest(std::string method,
                                std::string_view target,
                                HttpHeaders headers,
                                std::string body,
                                std::string_view peer,
                                const std::vector<std::string>& trusted_proxies) {
    HttpRequest request;
    if (method.empty()) return MakeError(ErrorCode::kInvalidArgument, "missing method");
    request.method = std::move(method);
    if (auto parsed = ParseRequestTarget(target, request); !parsed) return tl::unexpected(parsed.error());
    request.headers = std::move(headers);
    for (const auto cookie : request.headers.GetAll("Cookie")) request.cookies.merge(ParseCookies(cookie));
    request.body = std::move(body);
    request.remote_address = ClientAddress(peer, request.headers, trusted_proxies);
    return request;
}

bool IsLoopbackHost(std::string_view host) {
    if (host.starts_with('[')) {
        const auto close = host.find(']');
        return close != std::string_view::npos && host.substr(1, close - 1) == "::1";
    }
    if (host == "::1") return true;
    host = host.substr(0, host.find(':'));
    const bool ipv4 = std::all_of(host.begin(), host.end(), [](char c) { return c == '.' || (c >= '0' && c <= '9'); });
    return EqualsIgnoreCase(host, "localhost") || (ipv4 && host.starts_with("127."));
}

RequestPipeline::RequestPipeline(const Router& router, const HttpServerOptions& options)
    : router_(router), options_(options) {
    if (!options_.static_dir.empty()) static_files_.emplace(options_.static_dir);
}

bool RequestPipeline::IsSlow(const HttpRequest& request) const {
    const RouteMatch match = router_.Find(request.method, request.path);
    return match.kind == RouteMatch::Kind::kFound && match.route->options.slow;
}

HttpResponse RequestPipeline::Handle(HttpRequest& request) {
    const auto start = std::chrono::steady_clock::now();
    HttpResponse response = Dispatch(request);
    AddSecurityHeaders(response, request.route_pattern != "static");
    Record(request, response.status, std::chrono::steady_clock::now() - start);
    return response;
}

HttpResponse RequestPipeline::Dispatch(HttpRequest& request) {
    if (options_.stream_hub != nullptr && request.path == options_.stream_path) {
        request.route_pattern = options_.stream_path;
        auto response = HttpResponse::Error(426, "upgrade_required", "this endpoint speaks WebSocket only");
        response.headers.Set("Upgrade", "websocket");
        return response;
    }
    RouteMatch match = router_.Find(request.method, request.path);
    if (match.kind == RouteMatch::Kind::kMethodNotAllowed) {
        auto response = HttpResponse::Error(
            405, "method_not_allowed", fmt::format("{} is not allowed here; allowed: {}", request.method, match.allow));
        response.headers.Set("Allow", match.allow);
        return response;
    }
    if (match.kind == RouteMatch::Kind::kNotFound) {
        if (static_files_ && (request.method == "GET" || request.method == "HEAD") && !IsApiPath(request.path)) {
            request.route_pattern = "static";
            return static_files_->Serve(request);
        }
        return HttpResponse::Error(404, "not_found", "no such endpoint");
    }
    const Route& route = *match.route;
    request.route_pattern = route.pattern;
    request.path_params = std::move(match.params);
    // Browsers send Origin with every cross-site POST/PUT/DELETE; no change is accepted from another site,
    // whatever credentials it carries (the CSRF token guards cookie sessions as well).
    if (IsMutatingMethod(request.method) && !SameOrigin(request)) {
        return HttpResponse::Error(403, "cross_origin", "changes are only accepted from the dashboard's own origin");
    }
    if (auto refusal = Authorize(request, route.options)) return std::move(*refusal);
    try {
        return route.handler(request);
    } catch (const std::exception& e) {
        const auto id = next_request_id_.fetch_add(1);
        spdlog::error("request {} ({} {}) failed: {}", id, request.method, route.pattern, e.what());
        return HttpResponse::Error(500, "internal", fmt::format("internal error (request {} in the server log)", id));
    } catch (...) {
        const auto id = next_request_id_.fetch_add(1);
        spdlog::error("request {} ({} {}) failed with a non-standard exception", id, request.method, route.pattern);
        return HttpResponse::Error(500, "internal", fmt::format("internal error (request {} in the server log)", id));
    }
}

std::optional<HttpResponse> RequestPipeline::Authorize(HttpRequest& request, const RouteOptions& options) const {
    if (options.public_route) return std::nullopt;
    if (options_.authenticate) {
        try {
            auto principal = options_.authenticate(request);
            if (!principal && principal.error().code == ErrorCode::kUnauthenticated) {
                auto response = HttpResponse::FromError(principal.error());
                response.headers.Set("WWW-Authenticate", "Bearer realm=\"optischema\", error=\"invalid_token\"");
                return response;
            }
            if (!principal) {
                spdlog::warn("credentials of {} {} cannot be checked: {}", request.method, request.route_pattern,
                             principal.error().message);
                return HttpResponse::Error(503, "unavailable",
                                           "credentials cannot be checked right now (the store is unavailable); "
                                           "try again shortly");
            }
            request.principal = std::move(*principal);
        } catch (const std::exception& e) {
            spdlog::error("authentication failed for {} {}: {}", request.method, request.route_pattern, e.what());
            return HttpResponse::Error(500, "internal", "internal error");
        }
    }
    // Without authentication everyone is admin, so only requests addressed to this machine count: a page
    // that points a name it controls at 127.0.0.1 (DNS rebinding) sends its own name in Host.
    if (request.principal && request.principal->method == AuthMethod::kLocal) {
        const auto host = request.headers.Get("Host");
        if (!host || !IsLoopbackHost(*host)) {
            return HttpResponse::Error(403, "forbidden",
                                       "authentication is off, so only requests to localhost are answered; "
                                       "open the dashboard at http://localhost:PORT or turn authentication on");
        }
    }
    if (!request.principal) {
        auto response = HttpResponse::Error(401, "unauthorized", "log in or send an API token");
        response.headers.Set("WWW-Authenticate", "Bearer realm=\"optischema\"");
        return response;
    }
    if (!Allows(request.principal->role, options.required_role)) {
        return HttpResponse::Error(403, "forbidden",
                                   fmt::format("this needs the {} role", RoleName(options.required_role)));
    }
    if (!CsrfSatisfied(request)) {
        return HttpResponse::Error(403, "csrf",
                                   "missing or wrong X-CSRF-Token header (copy it from the optischema_csrf cookie)");
    }
    return std::nullopt;
}

std::optional<HttpResponse> RequestPipeline::AuthorizeStream(HttpRequest& request) {
    const auto start = std::chrono::steady_clock::now();
    request.route_pattern = options_.stream_path;
    std::optional<HttpResponse> refusal;
    if (!SameOrigin(request)) {
        refusal = HttpResponse::Error(403, "forbidden",
                                      "the stream only accepts connections from the dashboard's own origin");
    } else {
        refusal = Authorize(request, RouteOptions{});
    }
    if (refusal) {
        AddSecurityHeaders(*refusal, true);
        Record(request, refusal->status, std::chrono::steady_clock::now() - start);
        return refusal;
    }
    Record(request, 101, std::chrono::steady_clock::now() - start);
    return std::nullopt;
}

HttpResponse RequestPipeline::TransportError(int status,
                                             std::string_view code,
                                             std::string_view message,
                                             std::string_view remote_address) {
    auto response = HttpResponse::Error(status, code, message);
    AddSecurityHeaders(response, true);
    HttpRequest request;
    request.remote_address = std::string(remote_address);
    request.method = "other";
    Record(request, status, std::chrono::steady_clock::duration::zero());
    return response;
}

void RequestPipeline::AddSecurityHeaders(HttpResponse& response, bool api) const {
    auto set_default = [&](std::string_view name, std::string_view value) {
        if (!response.headers.Has(name)) response.headers.Set(name, value);
    };
    set_default("X-Content-Type-Options", "nosniff");
    set_default("X-Frame-Options", "DENY");
    set_default("Referrer-Policy", "no-referrer");
    set_default("Cross-Origin-Opener-Policy", "same-origin");
    set_default("Content-Security-Policy", options_.content_security_policy);
    if (api) set_default("Cache-Control", "no-store");
}

void RequestPipeline::Record(const HttpRequest& request, int status, std::chrono::steady_clock::duration elapsed) {
    const double seconds = std::chrono::duration<double>(elapsed).count();
    if (spdlog::should_log(spdlog::level::debug)) {
        // The path only: query strings may carry secrets, and headers (Cookie, Authorization) are never logged.
        spdlog::debug("http {} {} {} {} {:.2f} ms", request.remote_address, MethodLabel(request.method), request.path,
                      status, seconds * 1000);
    }
    if (options_.metrics == nullptr) return;
    const std::string route = request.route_pattern.empty() ? "unmatched" : request.route_pattern;
    options_.metrics
        ->GetCounter("optischema_http_requests_total", "HTTP requests by route pattern, method and status class.",
                     {{"route", route},
                      {"method", std::string(MethodLabel(request.method))},
                      {"status", std::string(StatusClass(status))}})
        .Increment();
    static const std::vector<double> kBuckets = DefaultLatencyBuckets();
    options_.metrics
        ->GetHistogram("optischema_http_request_duration_seconds", "HTTP request handling time by route pattern.",
                       kBuckets, {{"route", route}})
        .Observe(seconds);
}

}  // namespace optischema::api
