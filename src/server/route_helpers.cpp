#include "server/route_helpers.hpp"

#include <algorithm>
#include <charconv>
#include <limits>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/format.hpp"

namespace optischema::server::route_helpers {

Json OptionalNumber(const std::optional<double>& v) { return v ? Json(Round3(*v)) : Json(nullptr); }
Json OptionalTime(const std::optional<TimePoint>& t) { return t ? Json(IsoTime(*t)) : Json(nullptr); }

Result<std::int64_t> IdParam(const HttpRequest& request, const char* name) {
    const std::string text = request.PathParam(name);
    std::int64_t id = 0;
    if (text.empty() || std::from_chars(text.data(), text.data() + text.size(), id).ec != std::errc() || id <= 0) {
        return MakeError(ErrorCode::kInvalidArgument, fmt::format("{} must be a whole number from 1 to {}", name,
                                                                  std::numeric_limits<std::int64_t>::max()));
    }
    return id;
}

Result<Json> JsonBody(const HttpRequest& request, std::initializer_list<BodyField> fields) {
    if (request.body.empty()) return Json::object();
    auto body = Json::parse(request.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
        return MakeError(ErrorCode::kInvalidArgument, "the body must be a JSON object");
    }
    for (const BodyField& field : fields) {
        const auto it = body.find(field.name);
        if (it == body.end()) continue;
        if (it->is_null()) {
            body.erase(it);
            continue;
        }
        using Type = BodyField::Type;
        const bool ok = field.type == Type::kString    ? it->is_string()
                        : field.type == Type::kInteger ? it->is_number_integer()
                        : field.type == Type::kNumber  ? it->is_number()
                                                       : it->is_boolean();
        if (!ok) {
            const char* wanted = field.type == Type::kString    ? "a string"
                                 : field.type == Type::kInteger ? "an integer"
                                 : field.type == Type::kNumber  ? "a number"
                                                                : "true or false";
            return MakeError(ErrorCode::kInvalidArgument, fmt::format("{} must be {}", field.name, wanted));
        }
    }
    return body;
}

namespace {

Error TimeParamError(const char* name) {
    return Error{ErrorCode::kInvalidArgument,
                 fmt::format("{} must be a time from 1970-01-01T00:00:00Z to 2199-12-31T23:59:59Z, in ISO 8601 "
                             "(2026-01-31T12:00:00Z) or Unix milliseconds (0 to {})",
                             name, kLatestTimeMs),
                 {}};
}

Error RangeError(const char* name, std::int64_t min, std::int64_t max) {
    return Error{
        ErrorCode::kInvalidArgument, fmt::format("{} must be a whole number from {} to {}", name, min, max), {}};
}

}  // namespace

Result<Range> RangeParams(const HttpRequest& request) {
    Range r;
    r.to = std::chrono::system_clock::now();
    if (auto to = request.QueryParam("to")) {
        auto t = ParseTime(*to);
        if (!t) return tl::unexpected(TimeParamError("to"));
        r.to = *t;
    }
    r.from = r.to - kDefaultRange;
    if (auto from = request.QueryParam("from")) {
        auto t = ParseTime(*from);
        if (!t) return tl::unexpected(TimeParamError("from"));
        r.from = *t;
    }
    if (r.from > r.to) return MakeError(ErrorCode::kInvalidArgument, "from is after to");
    return r;
}

Result<std::int64_t> IntegerParam(
    const HttpRequest& request, const char* name, std::int64_t min, std::int64_t max, std::int64_t fallback) {
    auto text = request.QueryParam(name);
    if (!text) return fallback;
    std::int64_t n = 0;
    const char* end = text->data() + text->size();
    if (text->empty() || std::from_chars(text->data(), end, n).ptr != end || n < min || n > max) {
        return tl::unexpected(RangeError(name, min, max));
    }
    return n;
}

Result<std::size_t> LimitParam(const HttpRequest& request, std::size_t fallback, std::size_t max) {
    auto n = IntegerParam(request, "limit", 1, static_cast<std::int64_t>(max), static_cast<std::int64_t>(fallback));
    if (!n) return tl::unexpected(n.error());
    return static_cast<std::size_t>(*n);
}

Result<std::int64_t> IntegerField(
    const Json& body, const char* name, std::int64_t min, std::int64_t max, std::int64_t fallback) {
    const auto it = body.find(name);
    if (it == body.end() || it->is_null()) return fallback;
    // An integer beyond int64 parses as unsigned (or a float): out of range, not wrapped around.
    if (!it->is_number_integer() || (it->is_number_unsigned() && it->get<std::uint64_t>() > std::uint64_t(max)) ||
        it->get<std::int64_t>() < min || it->get<std::int64_t>() > max) {
        return tl::unexpected(RangeError(name, min, max));
    }
    return it->get<std::int64_t>();
}

std::string Actor(const HttpRequest& request) {
    if (!request.principal) return "user:unknown";
    if (request.principal->method == api::AuthMethod::kBearer) {
        return fmt::format("user:{} (API token {})", request.principal->username, request.principal->token_id);
    }
    return "user:" + request.principal->username;
}

HttpResponse RawJson(int status, std::string body) {
    HttpResponse r;
    r.status = status;
    r.content_type = "application/json";
    r.body = std::move(body);
    return r;
}

api::Handler Audited(Services& s, std::string action, api::Handler handler) {
    return [&s, action = std::move(action), handler = std::move(handler)](const HttpRequest& request) {
        const auto start = std::chrono::steady_clock::now();
        HttpResponse response = handler(request);
        model::AuditEvent event;
        event.at = std::chrono::system_clock::now();
        event.actor = Actor(request);
        const auto body = Json::parse(request.body.empty() ? "{}" : request.body, nullptr, false);
        // What the change was about: the body's name or username when it has one (a string: the body is
        // the client's and may hold anything), else the path.
        std::string name;
        for (const char* key : {"name", "username"}) {
            if (const auto it = body.is_object() ? body.find(key) : body.end();
                name.empty() && it != body.end() && it->is_string()) {
                name = it->get<std::string>();
            }
        }
        event.target = name.empty() ? request.path : name.substr(0, 200);
        event.action = action;
        event.outcome = response.status < 400 ? "ok" : "failed";
        if (response.status >= 400) {
            const auto answer = Json::parse(response.body, nullptr, false);
            event.error = answer.is_object() && answer.contains("error") && answer["error"].is_object()
                              ? answer["error"].value("message", "")
                              : fmt::format("HTTP {}", response.status);
        }
        event.duration_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        event.detail_json =
            Json{{"method", request.method}, {"path", request.path}, {"status", response.status}}.dump();
        if (auto ok = s.store.With([&](store::Store& st) { return st.AppendAudit(event); }); !ok) {
            spdlog::error("cannot write the audit log: {}", ok.error().message);
        }
        return response;
    };
}

Result<std::string> StatementSql(Services& s, std::int64_t target_id, const std::string& fingerprint) {
    auto queries = s.store.With([&](store::Store& st) { return st.LoadQueries(target_id); });
    if (!queries) return tl::unexpected(queries.error());
    for (const auto& [queryid, q] : *queries) {
        if (q.fingerprint == fingerprint && !q.own) return q.text;
    }
    return MakeError(ErrorCode::kNotFound, fmt::format("no statement {} on target {}", fingerprint, target_id));
}

Result<store::RecommendationRecord> FindRecommendation(Services& s, const std::string& id) {
    auto rec = s.store.With([&](store::Store& st) { return st.GetRecommendation(id); });
    if (!rec) return tl::unexpected(rec.error());
    if (!*rec) return MakeError(ErrorCode::kNotFound, fmt::format("no recommendation {}", id));
    return **rec;
}

Result<TargetAccess> Access(Services& s, std::int64_t target_id) {
    auto target = s.targets.Get(target_id);
    if (!target) return tl::unexpected(target.error());
    auto dsn = s.targets.Dsn(target_id);
    if (!dsn) return tl::unexpected(dsn.error());
    return TargetAccess{std::move(*target), std::move(*dsn)};
}

service::Context ContextFor(Services& s, const TargetAccess& access, const HttpRequest& request) {
    return service::Context{s.store, {access.dsn, access.target.record.name}, Actor(request), &s.clusters,
                            guard::Allowlist{s.config.allow_functions}};
}

Result<ActionTarget> TargetOfAction(Services& s, std::int64_t action_id) {
    auto event = s.store.With([&](store::Store& st) { return st.GetAudit(action_id); });
    if (!event) return tl::unexpected(event.error());
    if (!*event) return MakeError(ErrorCode::kNotFound, fmt::format("no action {}", action_id));
    const std::string& name = (*event)->target;
    auto found = [&](Result<TargetAccess> access) -> Result<ActionTarget> {
        if (!access) return tl::unexpected(access.error());
        return ActionTarget{std::move(*access), name};
    };
    const auto detail = Json::parse((*event)->detail_json.empty() ? "{}" : (*event)->detail_json, nullptr, false);
    if (detail.is_object() && detail.contains("recommendation") && detail["recommendation"].is_string()) {
        const std::string rec_id = detail["recommendation"];
        auto rec = s.store.With([&](store::Store& st) { return st.GetRecommendation(rec_id); });
        if (!rec) return tl::unexpected(rec.error());
        if (*rec) return found(Access(s, (*rec)->target_id));
    }
    auto all = s.targets.List();
    if (!all) return tl::unexpected(all.error());
    for (const auto& t : *all) {
        if (t.record.name == name) return found(Access(s, t.record.id));
    }
    return MakeError(ErrorCode::kNotFound, fmt::format("action {} was taken on {}, which the server does not watch",
                                                       action_id, (*event)->target));
}

}  // namespace optischema::server::route_helpers
