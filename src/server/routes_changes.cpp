// The routes that advise, prove, apply and undo: recommendations, validations, applies (and their
// cancellation), rollbacks, realized impact and the audit log.
#include <algorithm>
#include <chrono>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/format.hpp"
#include "server/route_helpers.hpp"
#include "server/routes.hpp"
#include "service/advise.hpp"
#include "service/audit.hpp"
#include "service/change.hpp"
#include "service/exports.hpp"
#include "service/validate.hpp"

namespace optischema::server {
namespace {

using namespace route_helpers;

Json RecommendationJson(const store::RecommendationRecord& r) {
    auto evidence = Json::parse(r.evidence_json.empty() ? "{}" : r.evidence_json, nullptr, false);
    auto validation = r.validation_json.empty() ? Json(nullptr) : Json::parse(r.validation_json, nullptr, false);
    return {{"id", r.id},
            {"target_id", r.target_id},
            {"kind", r.kind},
            {"title", r.title},
            {"sql", r.sql},
            {"rollback_sql", r.rollback_sql},
            {"evidence", evidence.is_discarded() ? Json::object() : evidence},
            {"validation", validation.is_discarded() ? Json(nullptr) : validation},
            {"updated_at", IsoTime(r.updated_at)}};
}

// An audited action's target under the name it was audited as (the same target, whatever it is called now).
service::Context ActionContext(Services& s, const ActionTarget& action, const HttpRequest& request) {
    service::Context context = ContextFor(s, action.access, request);
    context.target.name = action.audited_as;
    return context;
}

}  // namespace

void RegisterChangeRoutes(api::Router& router, Services& s) {
    router.Post("/api/v1/targets/{id}/advise", Handle([&s](const HttpRequest& request) -> Result<HttpResponse> {
                    auto id = IdParam(request);
                    if (!id) return tl::unexpected(id.error());
                    auto access = Access(s, *id);
                    if (!access) return tl::unexpected(access.error());
                    auto conn = pg::Connection::Open(access->dsn);
                    if (!conn) return tl::unexpected(conn.error());
                    service::AdviseRequest options;
                    options.min_calls = 2;
                    options.allow = guard::Allowlist{s.config.allow_functions};
                    auto report = service::Advise(*conn, access->target.record.name, options);
                    if (!report) return tl::unexpected(report.error());
                    auto saved = s.store.With([&](store::Store& st) { return service::SaveAdvice(*report, st); });
                    if (!saved) return tl::unexpected(saved.error());
                    return RawJson(200, service::FormatAdviceJson(*report));
                }),
                kSlowOperator);
    router.Get("/api/v1/targets/{id}/recommendations", Handle([&s](const HttpRequest& request) -> Result<HttpResponse> {
                   auto id = IdParam(request);
                   if (!id) return tl::unexpected(id.error());
                   auto recs = s.store.With([&](store::Store& st) { return st.ListRecommendations(*id); });
                   if (!recs) return tl::unexpected(recs.error());
                   Json out = Json::array();
                   for (const auto& r : *recs) out.push_back(RecommendationJson(r));
                   return HttpResponse::Json(200, {{"recommendations", out}});
               }));
    router.Get("/api/v1/recommendations/{id}", Handle([&s](const HttpRequest& request) -> Result<HttpResponse> {
                   auto rec = FindRecommendation(s, request.PathParam("id"));
                   if (!rec) return tl::unexpected(rec.error());
                   return HttpResponse::Json(200, RecommendationJson(*rec));
               }));
    router.Post("/api/v1/recommendations/{id}/validate",
                Handle([&s](const HttpRequest& request) -> Result<HttpResponse> {
                    auto body = JsonBody(request, {{"runs", BodyField::Type::kInteger}});
                    if (!body) return tl::unexpected(body.error());
                    auto runs = IntegerField(*body, "runs", 3, 100, 10);
                    if (!runs) return tl::unexpected(runs.error());
                    auto rec = FindRecommendation(s, request.PathParam("id"));
                    if (!rec) return tl::unexpected(rec.error());
                    auto access = Access(s, rec->target_id);
                    if (!access) return tl::unexpected(access.error());
                    service::ValidateRequest options;
                    options.recommendation_id = rec->id;
                    options.runs = static_cast<int>(*runs);
                    auto report = service::Validate(options, ContextFor(s, *access, request));
                    if (!report) return tl::unexpected(report.error());
                    return RawJson(200, service::FormatValidationJson(*report));
                }),
                kSlowOperator);
    router.Post(
        "/api/v1/recommendations/{id}/apply", Handle([&s](const HttpRequest& request) -> Result<HttpResponse> {
            auto rec = FindRecommendation(s, request.PathParam("id"));
            if (!rec) return tl::unexpected(rec.error());
            auto access = Access(s, rec->target_id);
            if (!access) return tl::unexpected(access.error());
            // The dashboard asked for confirmation.
            auto plan = service::PlanApply({.recommendation_id = rec->id}, s.store);
            if (!plan) return tl::unexpected(plan.error());
            const RunningChanges::Handle running = s.changes.Start(rec->id);
            if (!running) {
                return HttpResponse::Error(409, "conflict", fmt::format("{} is being applied already", rec->id));
            }
            auto outcome = service::ApplyIndex(*plan, ContextFor(s, *access, request), {.cancel = running.cancel()});
            if (!outcome) return tl::unexpected(outcome.error());
            return HttpResponse::Json(200, {{"action_id", outcome->action_id}, {"message", outcome->message}});
        }),
        kSlowOperator);
    router.Post(
        "/api/v1/recommendations/{id}/apply/cancel", Handle([&s](const HttpRequest& request) -> Result<HttpResponse> {
            const std::string id = request.PathParam("id");
            if (!s.changes.Cancel(id)) {
                return MakeError(ErrorCode::kNotFound, fmt::format("no apply of {} is running on this instance", id));
            }
            return HttpResponse::Json(202, {{"status", "cancelling"}});
        }),
        {.required_role = Role::kOperator});
    router.Post("/api/v1/audit/{id}/rollback", Handle([&s](const HttpRequest& request) -> Result<HttpResponse> {
                    auto id = IdParam(request);
                    if (!id) return tl::unexpected(id.error());
                    auto action = TargetOfAction(s, *id);
                    if (!action) return tl::unexpected(action.error());
                    const service::Context context = ActionContext(s, *action, request);
                    auto plan = service::PlanRollback(*id, std::chrono::seconds(5), context);
                    if (!plan) return tl::unexpected(plan.error());
                    auto outcome = service::RollbackIndex(*plan, context);
                    if (!outcome) return tl::unexpected(outcome.error());
                    return HttpResponse::Json(200, {{"action_id", outcome->action_id}, {"message", outcome->message}});
                }),
                kSlowOperator);
    router.Get("/api/v1/audit/{id}/impact", Handle([&s](const HttpRequest& request) -> Result<HttpResponse> {
                   auto id = IdParam(request);
                   if (!id) return tl::unexpected(id.error());
                   auto action = TargetOfAction(s, *id);
                   if (!action) return tl::unexpected(action.error());
                   auto report = service::Impact(*id, ActionContext(s, *action, request));
                   if (!report) return tl::unexpected(report.error());
                   return RawJson(200, service::FormatImpactJson(*report));
               }),
               kSlowViewer);
    router.Get("/api/v1/audit", Handle([&s](const HttpRequest& request) -> Result<HttpResponse> {
                   auto limit_param = LimitParam(request, 0, 100'000);  // absent: every event
                   if (!limit_param) return tl::unexpected(limit_param.error());
                   const std::size_t limit = *limit_param;
                   auto events = s.store.With([&](store::Store& st) { return st.ListAudit(limit); });
                   if (!events) return tl::unexpected(events.error());
                   if (request.QueryParam("format") == std::optional<std::string>("csv")) {
                       HttpResponse r;
                       r.content_type = "text/csv; charset=utf-8";
                       r.body = service::AuditCsv(*events);
                       r.headers.Set("Content-Disposition", "attachment; filename=\"optischema-audit.csv\"");
                       return r;
                   }
                   return RawJson(200, "{\"events\": " + service::FormatAuditJson(*events) + "}");
               }));
}

}  // namespace optischema::server
