#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "api/http_message.hpp"
#include "api/principal.hpp"

namespace optischema::api {

/// Turns one request into one response. Runs on a worker thread; must be thread-safe. A handler that
/// may take long (it reaches a target database or an LLM) is registered as `slow`.
using Handler = std::function<HttpResponse(const HttpRequest&)>;

/// Who may call a route. The server enforces it before the handler runs.
struct RouteOptions {
    bool public_route = false;           // no authentication (login, health checks, metrics)
    Role required_role = Role::kViewer;  // ignored for public routes
    // Seconds to minutes (a connection test, a benchmark, an index build, an LLM call): runs on the
    // server's slow workers, so that a few of these never hold up the requests the store answers.
    bool slow = false;
};

/// One registered route.
struct Route {
    std::string method;
    std::string pattern;                // "/api/v1/targets/{id}"
    std::vector<std::string> segments;  // "api", "v1", "targets", "{id}"
    Handler handler;
    RouteOptions options;
};

/// The outcome of looking a request up.
struct RouteMatch {
    enum class Kind { kFound, kNotFound, kMethodNotAllowed };
    Kind kind = Kind::kNotFound;
    const Route* route = nullptr;               // set for kFound
    std::map<std::string, std::string> params;  // decoded path parameters, for kFound
    std::string allow;                          // "GET, HEAD, POST" for kMethodNotAllowed
};

/// Method + path pattern → handler. Register everything before the server starts; lookups are then
/// thread-safe. A literal segment beats a `{param}` in the same position; HEAD falls back to GET;
/// one trailing slash is ignored.
class Router {
public:
    /// Registers a route. Throws std::invalid_argument for a malformed or duplicate pattern, which is
    /// a programming error found at startup.
    void Add(std::string_view method, std::string_view pattern, Handler handler, RouteOptions options = {});
    void Get(std::string_view pattern, Handler handler, RouteOptions options = {});
    void Post(std::string_view pattern, Handler handler, RouteOptions options = {});
    void Put(std::string_view pattern, Handler handler, RouteOptions options = {});
    void Delete(std::string_view pattern, Handler handler, RouteOptions options = {});

    /// Finds the route for a raw (undecoded) request path.
    [[nodiscard]] RouteMatch Find(std::string_view method, std::string_view path) const;

    [[nodiscard]] const std::vector<Route>& routes() const { return routes_; }

private:
    std::vector<Route> routes_;
};

}  // namespace optischema::api
