#pragma once

// Internal to server/: what the route files share to decode requests and encode answers.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "api/http_message.hpp"
#include "api/router.hpp"
#include "common/clock.hpp"
#include "common/error.hpp"
#include "server/routes.hpp"

namespace optischema::server::route_helpers {

using api::HttpRequest;
using api::HttpResponse;
using Json = nlohmann::json;
using api::Role;

// The options of routes whose handlers reach a target database or an LLM (api::RouteOptions::slow).
inline constexpr api::RouteOptions kSlowViewer{.required_role = api::Role::kViewer, .slow = true};
inline constexpr api::RouteOptions kSlowOperator{.required_role = api::Role::kOperator, .slow = true};
inline constexpr api::RouteOptions kSlowAdmin{.required_role = api::Role::kAdmin, .slow = true};

inline constexpr auto kDefaultRange = std::chrono::hours(1);

[[nodiscard]] Json OptionalNumber(const std::optional<double>& v);
[[nodiscard]] Json OptionalTime(const std::optional<TimePoint>& t);

/// A positive number in the path.
[[nodiscard]] Result<std::int64_t> IdParam(const HttpRequest& request, const char* name = "id");
/// A field a route reads from its JSON body, and the type it must have when present.
struct BodyField {
    enum class Type { kString, kInteger, kNumber, kBoolean };
    const char* name;
    Type type;
};

/// The body as a JSON object (an empty body is `{}`). Each listed field that is present must have its
/// type (else kInvalidArgument naming it), and a null one is removed, so `value(name, default)` is safe.
[[nodiscard]] Result<Json> JsonBody(const HttpRequest& request, std::initializer_list<BodyField> fields = {});

struct Range {
    TimePoint from;
    TimePoint to;
};
/// `from` and `to` (ISO 8601 or Unix ms, 1970 to 2199); default: the last hour. Else kInvalidArgument
/// naming the parameter and the range.
[[nodiscard]] Result<Range> RangeParams(const HttpRequest& request);
/// An integer query parameter in [min, max]; `fallback` when absent. Anything else (not a whole number,
/// out of range) is kInvalidArgument naming the parameter and the range.
[[nodiscard]] Result<std::int64_t> IntegerParam(
    const HttpRequest& request, const char* name, std::int64_t min, std::int64_t max, std::int64_t fallback);
/// `limit` in [1, max]; `fallback` when absent.
[[nodiscard]] Result<std::size_t> LimitParam(const HttpRequest& request, std::size_t fallback, std::size_t max);
/// An integer field of a JSON body (JsonBody checked its type) in [min, max]; `fallback` when absent.
[[nodiscard]] Result<std::int64_t> IntegerField(
    const Json& body, const char* name, std::int64_t min, std::int64_t max, std::int64_t fallback);

/// "user:NAME", or "user:NAME (API token ID)" for a request with a token, as the audit log names who did something.
[[nodiscard]] std::string Actor(const HttpRequest& request);

/// Wraps a handler that may fail: an Error becomes the API's error response.
template <typename F>
api::Handler Handle(F f) {
    return [f = std::move(f)](const HttpRequest& request) -> HttpResponse {
        Result<HttpResponse> response = f(request);
        return response ? std::move(*response) : HttpResponse::FromError(response.error());
    };
}

[[nodiscard]] HttpResponse RawJson(int status, std::string body);

/// Records a connection test or a configuration change in the audit log, whatever its outcome. The
/// request body is never recorded (it holds DSNs and passwords); the name it gives is.
[[nodiscard]] api::Handler Audited(Services& s, std::string action, api::Handler handler);

/// The text of a statement the target's collector saw (the user's, not OptiSchema's own).
[[nodiscard]] Result<std::string> StatementSql(Services& s, std::int64_t target_id, const std::string& fingerprint);

[[nodiscard]] Result<store::RecommendationRecord> FindRecommendation(Services& s, const std::string& id);

/// A watched target and its DSN, for the routes that connect to it.
struct TargetAccess {
    TargetView target;
    std::string dsn;
};
[[nodiscard]] Result<TargetAccess> Access(Services& s, std::int64_t target_id);
/// What a use case that proves or changes something on the target needs, with the requester as the actor.
[[nodiscard]] service::Context ContextFor(Services& s, const TargetAccess& access, const HttpRequest& request);

/// The target an audited action was taken on, and the name the action was audited under.
struct ActionTarget {
    TargetAccess access;
    std::string audited_as;
};
/// By the recommendation an apply carried out (its target id: right even after a rename, or when another
/// target took the old name since), else by the audited name.
[[nodiscard]] Result<ActionTarget> TargetOfAction(Services& s, std::int64_t action_id);

}  // namespace optischema::server::route_helpers
