// The AI assistant's endpoints: its settings (admin), a connection test, and "Ask AI" on a statement
// or a recommendation (operator). See docs/API.md, "AI assistant".
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/format.hpp"
#include "server/route_helpers.hpp"
#include "server/routes.hpp"
#include "service/evidence.hpp"

namespace optischema::server {
namespace {

using namespace route_helpers;

Result<Json> SettingsJson(Services& s, const LlmSettings& settings) {
    auto stats = s.llm.CacheStats();
    if (!stats) return tl::unexpected(stats.error());
    const auto& o = settings.options;
    const bool priced = o.price_usd_per_mtok.size() == 2;
    return Json{{"configured", settings.source != "none"},
                {"source", settings.source},
                {"provider", settings.source == "none" ? Json(nullptr) : Json(o.provider)},
                {"base_url", o.base_url},
                {"model", o.model},
                {"has_key", settings.has_key},
                {"timeout_s", o.timeout_s},
                {"input_usd_per_mtok", priced ? Json(o.price_usd_per_mtok[0]) : Json(nullptr)},
                {"output_usd_per_mtok", priced ? Json(o.price_usd_per_mtok[1]) : Json(nullptr)},
                {"problem", settings.problem.empty() ? Json(nullptr) : Json(settings.problem)},
                {"cache",
                 {{"entries", stats->entries},
                  {"hits", stats->hits},
                  {"misses", stats->misses},
                  {"hit_rate", Round3(stats->HitRate())},
                  {"tokens_saved", stats->tokens_saved},
                  {"cost_saved_usd", stats->cost_saved_usd}}}};
}

Result<HttpResponse> SettingsResponse(Services& s, const Result<LlmSettings>& settings) {
    if (!settings) return tl::unexpected(settings.error());
    auto json = SettingsJson(s, *settings);
    if (!json) return tl::unexpected(json.error());
    return HttpResponse::Json(200, *json);
}

constexpr std::initializer_list<BodyField> kAskFields = {{"analyze", BodyField::Type::kBoolean},
                                                         {"refresh", BodyField::Type::kBoolean}};

template <typename T>
Result<void> Field(const Json& body, const char* key, T& out) {
    if (!body.contains(key) || body[key].is_null()) return {};
    try {
        out = body[key].get<T>();
    } catch (const Json::exception&) {
        return MakeError(ErrorCode::kInvalidArgument, fmt::format("{} has the wrong type", key));
    }
    return {};
}

Result<LlmSettingsChange> ChangeFromBody(const Json& body) {
    LlmSettingsChange change;
    double input_price = -1, output_price = -1;
    std::string key;
    for (auto ok : {Field(body, "provider", change.provider), Field(body, "base_url", change.base_url),
                    Field(body, "model", change.model), Field(body, "input_usd_per_mtok", input_price),
                    Field(body, "output_usd_per_mtok", output_price), Field(body, "api_key", key)}) {
        if (!ok) return tl::unexpected(ok.error());
    }
    // Range-checked as a 64-bit integer: get<int> would wrap 2^32 + 5 around to 5.
    auto timeout = IntegerField(body, "timeout_s", 1, 3600, change.timeout_s);
    if (!timeout) return tl::unexpected(timeout.error());
    change.timeout_s = static_cast<int>(*timeout);
    if (change.provider.empty())
        return MakeError(ErrorCode::kInvalidArgument, "provider is required: openai or gemini");
    if (body.contains("api_key") && !body["api_key"].is_null()) change.api_key = key;
    const bool has_input = body.contains("input_usd_per_mtok") && !body["input_usd_per_mtok"].is_null();
    const bool has_output = body.contains("output_usd_per_mtok") && !body["output_usd_per_mtok"].is_null();
    if (has_input != has_output) {
        return MakeError(ErrorCode::kInvalidArgument,
                         "give both input_usd_per_mtok and output_usd_per_mtok, or neither");
    }
    if (has_input) change.price_usd_per_mtok = {input_price, output_price};
    return change;
}

// The answer, or the API's error; "no provider" is its own code so the dashboard can link to settings.
Result<HttpResponse> AnswerResponse(const Result<service::AiReport>& report) {
    if (!report) {
        if (report.error().code == ErrorCode::kPrerequisiteMissing) {
            return HttpResponse::Error(409, "llm_not_configured", report.error().message);
        }
        return tl::unexpected(report.error());
    }
    return RawJson(200, service::AiReportJson(*report).dump());
}

// What the engine proposes, in words the model can assess: the index, the planner's what-if costs of the
// statements it serves, and the sandbox's measurement when there is one.
std::string Proposal(const store::RecommendationRecord& rec, const service::Evidence& evidence) {
    std::string out = fmt::format("{}\n{}\nRollback: {}\n", rec.title, rec.sql, rec.rollback_sql);
    for (const auto& q : evidence.queries) {
        out += fmt::format("Planner cost of `{}`: {} before, {} with the index (HypoPG what-if)\n", q.query,
                           q.cost_before, q.cost_after);
    }
    if (!rec.validation_json.empty()) {
        const Json v = Json::parse(rec.validation_json, nullptr, false);
        if (v.is_object()) {
            out += fmt::format("Measured in a sandbox copy: verdict {}, speed-up {}x\n", v.value("verdict", "?"),
                               v.contains("speedup") && v["speedup"].is_number() ? v["speedup"].get<double>() : 0.0);
        }
    }
    return out;
}

}  // namespace

void RegisterAiRoutes(api::Router& router, Services& s) {
    const api::RouteOptions admin{.required_role = Role::kAdmin};
    router.Get("/api/v1/settings/llm",
               Handle([&s](const HttpRequest&) { return SettingsResponse(s, s.llm.Current()); }));
    router.Put("/api/v1/settings/llm",
               Audited(s, "settings", Handle([&s](const HttpRequest& request) -> Result<HttpResponse> {
                           auto body = JsonBody(request);
                           if (!body) return tl::unexpected(body.error());
                           auto change = ChangeFromBody(*body);
                           if (!change) return tl::unexpected(change.error());
                           return SettingsResponse(s, s.llm.Save(*change));
                       })),
               admin);
    router.Delete(
        "/api/v1/settings/llm",
        Audited(s, "settings", Handle([&s](const HttpRequest&) { return SettingsResponse(s, s.llm.Reset()); })), admin);
    router.Post("/api/v1/settings/llm/test",
                Audited(s, "connect", Handle([&s](const HttpRequest& request) -> Result<HttpResponse> {
                            auto body = JsonBody(request);
                            if (!body) return tl::unexpected(body.error());
                            std::optional<LlmSettingsChange> change;
                            if (!body->empty()) {
                                auto parsed = ChangeFromBody(*body);
                                if (!parsed) return tl::unexpected(parsed.error());
                                change = std::move(*parsed);
                            }
                            auto result = s.llm.Test(change);
                            if (!result && result.error().code == ErrorCode::kPrerequisiteMissing) {
                                return HttpResponse::Error(409, "llm_not_configured", result.error().message);
                            }
                            if (!result) return tl::unexpected(result.error());
                            return HttpResponse::Json(
                                200, {{"ok", result->ok},
                                      {"provider", result->provider},
                                      {"model", result->model},
                                      {"latency_ms", Round3(result->latency_ms)},
                                      {"error", result->error.empty() ? Json(nullptr) : Json(result->error)}});
                        })),
                kSlowAdmin);
    router.Post("/api/v1/targets/{id}/statements/{fingerprint}/ai",
                Handle([&s](const HttpRequest& request) -> Result<HttpResponse> {
                    auto id = IdParam(request);
                    if (!id) return tl::unexpected(id.error());
                    auto body = JsonBody(request, kAskFields);
                    if (!body) return tl::unexpected(body.error());
                    auto sql = StatementSql(s, *id, request.PathParam("fingerprint"));
                    if (!sql) return tl::unexpected(sql.error());
                    auto access = Access(s, *id);
                    if (!access) return tl::unexpected(access.error());
                    return AnswerResponse(s.llm.Ask(ContextFor(s, *access, request), *sql, "",
                                                    body->value("analyze", false), body->value("refresh", false)));
                }),
                kSlowOperator);
    router.Post("/api/v1/recommendations/{id}/ai", Handle([&s](const HttpRequest& request) -> Result<HttpResponse> {
                    auto rec = FindRecommendation(s, request.PathParam("id"));
                    if (!rec) return tl::unexpected(rec.error());
                    auto body = JsonBody(request, kAskFields);
                    if (!body) return tl::unexpected(body.error());
                    const service::Evidence evidence = service::ReadEvidence(rec->evidence_json);
                    const std::string sql = evidence.queries.empty() ? "" : evidence.queries[0].Runnable();
                    if (sql.empty()) {
                        return MakeError(ErrorCode::kNotFound,
                                         fmt::format("recommendation {} names no statement to ask about: run advise "
                                                     "again",
                                                     rec->id));
                    }
                    auto access = Access(s, rec->target_id);
                    if (!access) return tl::unexpected(access.error());
                    return AnswerResponse(s.llm.Ask(ContextFor(s, *access, request), sql, Proposal(*rec, evidence),
                                                    body->value("analyze", false), body->value("refresh", false)));
                }),
                kSlowOperator);
}

}  // namespace optischema::server
