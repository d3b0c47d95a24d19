#include "api/router.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>

namespace optischema::api {

namespace {

bool IsParam(std::string_view segment) { return segment.size() > 2 && segment.front() == '{' && segment.back() == '}'; }

// "/a/b/" → {"a", "b"}; "/" → {}.
std::vector<std::string_view> PathSegments(std::string_view path) {
    if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
    std::vector<std::string_view> segments;
    if (path.size() <= 1) return segments;
    path.remove_prefix(1);
    std::size_t start = 0;
    while (true) {
        const auto slash = path.find('/', start);
        segments.push_back(path.substr(start, slash - start));
        if (slash == std::string_view::npos) break;
        start = slash + 1;
    }
    return segments;
}

// Lexicographic specificity: a literal in an earlier position wins. Higher is more specific.
std::vector<int> Specificity(const Route& route) {
    std::vector<int> score;
    score.reserve(route.segments.size());
    for (const auto& segment : route.segments) score.push_back(IsParam(segment) ? 0 : 1);
    return score;
}

bool SegmentsMatch(const Route& route,
                   const std::vector<std::string_view>& segments,
                   std::map<std::string, std::string>* params) {
    if (route.segments.size() != segments.size()) return false;
    for (std::size_t i = 0; i < segments.size(); ++i) {
        const std::string& expected = route.segments[i];
        if (IsParam(expected)) {
            if (segments[i].empty()) return false;
            if (params != nullptr) {
                auto decoded = PercentDecode(segments[i]);
                if (!decoded) return false;
                (*params)[expected.substr(1, expected.size() - 2)] = std::move(*decoded);
            }
        } else if (expected != segments[i]) {
            return false;
        }
    }
    return true;
}

}  // namespace

void Router::Add(std::string_view method, std::string_view pattern, Handler handler, RouteOptions options) {
    if (method.empty() || pattern.empty() || pattern.front() != '/') {
        throw std::invalid_argument("route pattern must start with '/': " + std::string(pattern));
    }
    Route route;
    route.method = std::string(method);
    route.pattern = std::string(pattern);
    std::set<std::string_view> names;
    for (const auto segment : PathSegments(pattern)) {
        if (segment.empty()) throw std::invalid_argument("route pattern has an empty segment: " + route.pattern);
        const bool has_brace = segment.find_first_of("{}") != std::string_view::npos;
        if (has_brace && !IsParam(segment)) {
            throw std::invalid_argument("a route parameter must be a whole segment: " + route.pattern);
        }
        if (IsParam(segment) && !names.insert(segment).second) {
            throw std::invalid_argument("route parameter repeated: " + route.pattern);
        }
        route.segments.emplace_back(segment);
    }
    for (const auto& existing : routes_) {
        if (existing.method == route.method && existing.segments.size() == route.segments.size()) {
            bool same = true;
            for (std::size_t i = 0; i < route.segments.size() && same; ++i) {
                const bool both_params = IsParam(existing.segments[i]) && IsParam(route.segments[i]);
                same = both_params || existing.segments[i] == route.segments[i];
            }
            if (same) throw std::invalid_argument("route registered twice: " + route.method + " " + route.pattern);
        }
    }
    route.handler = std::move(handler);
    route.options = options;
    routes_.push_back(std::move(route));
}

void Router::Get(std::string_view pattern, Handler handler, RouteOptions options) {
    Add("GET", pattern, std::move(handler), options);
}
void Router::Post(std::string_view pattern, Handler handler, RouteOptions options) {
    Add("POST", pattern, std::move(handler), options);
}
void Router::Put(std::string_view pattern, Handler handler, RouteOptions options) {
    Add("PUT", pattern, std::move(handler), options);
}
void Router::Delete(std::string_view pattern, Handler handler, RouteOptions options) {
    Add("DELETE", pattern, std::move(handler), options);
}

RouteMatch Router::Find(std::string_view method, std::string_view path) const {
    const auto segments = PathSegments(path);
    const Route* best = nullptr;
    const Route* best_get = nullptr;  // for HEAD without a HEAD route
    std::vector<int> best_score;
    std::vector<int> best_get_score;
    std::set<std::string> allowed;
    for (const auto& route : routes_) {
        if (!SegmentsMatch(route, segments, nullptr)) continue;
        allowed.insert(route.method);
        if (route.method == method || (method == "HEAD" && route.method == "GET")) {
            auto score = Specificity(route);
            const bool exact = route.method == method;
            const Route*& slot = exact ? best : best_get;
            std::vector<int>& slot_score = exact ? best_score : best_get_score;
            if (slot == nullptr || score > slot_score) {
                slot = &route;
                slot_score = std::move(score);
            }
        }
    }
    RouteMatch match;
    if (best == nullptr) best = best_get;
    if (best != nullptr) {
        match.kind = RouteMatch::Kind::kFound;
        match.route = best;
        SegmentsMatch(*best, segments, &match.params);
        return match;
    }
    if (allowed.empty()) return match;
    if (allowed.contains("GET")) allowed.insert("HEAD");
    match.kind = RouteMatch::Kind::kMethodNotAllowed;
    for (const auto& m : allowed) {
        if (!match.allow.empty()) match.allow += ", ";
        match.allow += m;
    }
    return match;
}

}  // namespace optischema::api
