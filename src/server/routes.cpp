#include "server/routes.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "analyzer/overview_checks.hpp"
#include "common/format.hpp"
#include "common/strings.hpp"
#include "pg/dsn.hpp"
#include "server/openapi.hpp"
#include "server/route_helpers.hpp"
#include "service/check.hpp"
#include "service/explain.hpp"
#include "service/explain_report.hpp"
#include "service/exports.hpp"

namespace optischema::server {
namespace {

using namespace route_helpers;

Json ChecksJson(const std::vector<Check>& checks) {
    Json out = Json::array();
    for (const auto& c : checks) {
        out.push_back(
            {{"name", c.name}, {"status", model::CheckStatusName(c.status)}, {"message", c.message}, {"fix", c.fix}});
    }
    return out;
}

Json LatencyJson(const store::LatencySample& s) {
    return {{"at", IsoTime(s.at)},
            {"connect_ms", OptionalNumber(s.connect_ms)},
            {"p50_ms", OptionalNumber(s.p50_ms)},
            {"p95_ms", OptionalNumber(s.p95_ms)},
            {"error", s.error.empty() ? Json(nullptr) : Json(s.error)}};
}

constexpr std::initializer_list<BodyField> kTargetFields = {{"name", BodyField::Type::kString},
                                                            {"dsn", BodyField::Type::kString},
                                                            {"interval_s", BodyField::Type::kInteger},
                                                            {"production", BodyField::Type::kBoolean}};

// The longest collection interval the API accepts: a day.
constexpr std::int64_t kMaxIntervalS = 86400;

Result<TargetConfig> TargetFromBody(const Json& body) {
    TargetConfig t;
    t.name = body.value("name", "");
    t.dsn = body.value("dsn", "");
    auto interval = IntegerField(body, "interval_s", 1, kMaxIntervalS, 60);
    if (!interval) return tl::unexpected(interval.error());
    t.interval_s = static_cast<int>(*interval);
    t.production = body.value("production", true);
    return t;
}

Result<std::vector<model::StatementGroup>> RangeStatements(Services& s,
                                                           std::int64_t target,
                                                           const Range& r,
                                                           std::size_t limit) {
    return s.store.With([&](store::Store& st) { return st.RangeGroups(target, r.from, r.to, limit); });
}

Json StatementsJson(const std::vector<model::StatementGroup>& groups,
                    const std::string& search,
                    std::size_t limit,
                    double& total_ms) {
    total_ms = 0;
    for (const auto& g : groups) total_ms += g.counters.TotalMs();
    Json out = Json::array();
    const std::string needle = [&] {
        std::string n = search;
        std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return std::tolower(c); });
        return n;
    }();
    for (const auto& g : groups) {
        if (out.size() >= limit) break;
        if (!needle.empty()) {
            std::string hay = g.query;
            std::transform(hay.begin(), hay.end(), hay.begin(), [](unsigned char c) { return std::tolower(c); });
            if (hay.find(needle) == std::string::npos && g.fingerprint != search) continue;
        }
        out.push_back(StatementJson(g, total_ms));
    }
    return out;
}

void RegisterTargets(api::Router& router, Services& s) {
    const api::RouteOptions admin{.required_role = Role::kAdmin};
    router.Get("/api/v1/targets", Handle([&s](const HttpRequest&) -> Result<HttpResponse> {
                   auto all = s.targets.List();
                   if (!all) return tl::unexpected(all.error());
                   Json out = Json::array();
                   for (const auto& t : *all) out.push_back(TargetJson(t));
                   return HttpResponse::Json(200, {{"targets", out}});
               }));
    router.Post("/api/v1/targets/test",
                Audited(s, "connect", Handle([&s](const HttpRequest& request) -> Result<HttpResponse> {
                            auto body = JsonBody(request, {{"dsn", BodyField::Type::kString}});
                            if (!body) return tl::unexpected(body.error());
                            const std::string dsn = body->value("dsn", "");
                            if (dsn.empty()) return MakeError(ErrorCode::kInvalidArgument, "send {\"dsn\": \"...\"}");
                            if (auto ok = pg::ValidateDsn(dsn); !ok) return tl::unexpected(ok.error());
                            auto confined = s.targets.ApiDsn(dsn);
                            if (!confined) return tl::unexpected(confined.error());
                            const ConnectionReport report = TestConnection(*confined);
                            return HttpResponse::Json(200, {{"ok", report.ok},
                                                            {"server_version", report.server_version},
                                                            {"checks", ChecksJson(report.checks)}});
                        })),
                kSlowAdmin);
    router.Post("/api/v1/targets",
                Audited(s, "settings", Handle([&s](const HttpRequest& request) -> Result<HttpResponse> {
                            auto body = JsonBody(request, kTargetFields);
                            if (!body) return tl::unexpected(body.error());
                            auto target = TargetFromBody(*body);
                            if (!target) return tl::unexpected(target.error());
                            ConnectionReport report;
                            auto added = s.targets.Add(*target, report);
                            if (!added) {
                                if (added.error().code != ErrorCode::kPrerequisiteMissing)
                                    return tl::unexpected(added.error());
                                Json err{{"error", {{"code", "checks_failed"}, {"message", added.error().message}}},
                                         {"checks", ChecksJson(report.checks)}};
                                return HttpResponse::Json(422, err);
                            }
                            return HttpResponse::Json(201, TargetJson(*added));
                        })),
                kSlowAdmin);
    router.Get("/api/v1/targets/{id}", Handle([&s](const HttpRequest& request) -> Result<HttpResponse> {
                   auto id = IdParam(request);
                   if (!id) return tl::unexpected(id.error());
                   auto t = s.targets.Get(*id);
                   if (!t) return tl::unexpected(t.error());
                   return HttpResponse::Json(200, TargetJson(*t));
               }));
    router.Put("/api/v1/targets/{id}",
               Audited(s, "settings", Handle([&s](const HttpRequest& request) -> Result<HttpResponse> {
                           auto id = IdParam(request);
                           if (!id) return tl::unexpected(id.error());
                           auto body = JsonBody(request, kTargetFields);
                           if (!body) return tl::unexpected(body.error());
                           auto current = s.targets.Get(*id);
                           if (!current) return tl::unexpected(current.error());
                           // What the body leaves out stays as it is.
                           auto parsed = TargetFromBody(*body);
                           if (!parsed) return tl::unexpected(parsed.error());
                           TargetConfig changes = std::move(*parsed);
                           if (!body->contains("interval_s")) changes.interval_s = current->record.interval_s;
                           if (!body->contains("production")) changes.production = current->record.production;
                           auto t = s.targets.Update(*id, changes);
                           if (!t) return tl::unexpected(t.error());
                           return HttpResponse::Json(200, TargetJson(*t));
                       })),
               admin);
    router.Delete("/api/v1/targets/{id}",
                  Audited(s, "settings", Handle([&s](const HttpRequest& request) -> Result<HttpResponse> {
                              auto id = IdParam(request);
                              if (!id) return tl::unexpected(id.error());
                              if (auto ok = s.targets.Remove(*id); !ok) return tl::unexpected(ok.error());
                              HttpResponse r;
                              r.status = 204;
                              return r;
                          })),
                  admin);
    router.Post("/api/v1/targets/{id}/collect", Handle([&s](const HttpRequest& request) -> Result<HttpResponse> {
                    auto id = IdParam(request);
                    if (!id) return tl::unexpected(id.error());
                    if (auto ok = s.targets.CollectNow(*id); !ok) return tl::unexpected(ok.error());
                    return HttpResponse::Json(202, {{"status", "collecting"}});
                }),
                {.required_role = Role::kOperator});
    router.Get("/api/v1/targets/{id}/latency", Handle([&s](const HttpRequest& request) -> Result<HttpResponse> {
                   auto id = IdParam(request);
                   if (!id) return tl::unexpected(id.error());
                   auto range = RangeParams(request);
                   if (!range) return tl::unexpected(range.error());
                   auto samples =
                       s.store.With([&](store::Store& st) { return st.ListLatency(*id, range->from, range->to); });
                   if (!samples) return tl::unexpected(samples.error());
                   Json out = Json::array();
                   for (const auto& sample : *samples) out.push_back(LatencyJson(sample));
                   return HttpResponse::Json(200, {{"samples", out}});
               }));
}

void RegisterStatements(api::Router& router, Services& s) {
    router.Get("/api/v1/targets/{id}/statements", Handle([&s](const HttpRequest& request) -> Result<HttpResponse> {
                   auto id = IdParam(request);
                   if (!id) return tl::unexpected(id.error());
                   auto range = RangeParams(request);
                   if (!range) return tl::unexpected(range.error());
                   auto limit_param = LimitParam(request, 50, 5000);
                   if (!limit_param) return tl::unexpected(limit_param.error());
                   const std::size_t limit = *limit_param;
                   const std::string search = request.QueryParam("search").value_or("");
                   auto render = [&] { return RenderStatements(s, *id, range->from, range->to, limit, search); };
                   // The default view (the last hour, no explicit range) is what dashboards poll: rendered
                   // once per snapshot.
                   const bool by_default = !request.QueryParam("to") && !request.QueryParam("from");
                   auto body =
                       by_default ? s.views.GetOrRender(*id, StatementsViewKey(limit, search), render) : render();
                   if (!body) return tl::unexpected(body.error());
                   return RawJson(200, std::move(*body));
               }));
    router.Get("/api/v1/targets/{id}/statements/{fingerprint}",
               Handle([&s](const HttpRequest& request) -> Result<HttpResponse> {
                   auto id = IdParam(request);
                   if (!id) return tl::unexpected(id.error());
                   auto range = RangeParams(request);
                   if (!range) return tl::unexpected(range.error());
                   const std::string fp = request.PathParam("fingerprint");
                   auto points =
                       s.store.With([&](store::Store& st) { return st.GroupHistory(*id, fp, range->from, range->to); });
                   if (!points) return tl::unexpected(points.error());
                   model::StatementGroup totals;
                   totals.fingerprint = fp;
                   Json history = Json::array();
                   for (const auto& p : *points) {
                       totals.counters += p.group.counters;
                       if (totals.query.empty()) totals.query = p.group.query;
                       history.push_back({{"at", IsoTime(p.taken_at)},
                                          {"interval_ms", p.interval_ms ? Json(*p.interval_ms) : Json(nullptr)},
                                          {"calls", p.group.counters.calls},
                                          {"total_ms", Round3(p.group.counters.TotalMs())},
                                          {"mean_ms", Round3(p.group.MeanMs())},
                                          {"rows", p.group.counters.rows}});
                   }
                   if (totals.query.empty()) {
                       auto queries = s.store.With([&](store::Store& st) { return st.LoadQueries(*id); });
                       if (queries) {
                           for (const auto& [queryid, q] : *queries) {
                               if (q.fingerprint == fp) totals.query = q.text;
                           }
                       }
                   }
                   if (totals.query.empty()) {
                       return MakeError(ErrorCode::kNotFound, fmt::format("no statement {} on target {}", fp, *id));
                   }
                   return HttpResponse::Json(200, {{"fingerprint", fp},
                                                   {"query", totals.query},
                                                   {"totals", StatementJson(totals, totals.counters.TotalMs())},
                                                   {"history", history}});
               }));
    router.Post("/api/v1/targets/{id}/statements/{fingerprint}/explain",
                Handle([&s](const HttpRequest& request) -> Result<HttpResponse> {
                    auto id = IdParam(request);
                    if (!id) return tl::unexpected(id.error());
                    auto body = JsonBody(request, {{"analyze", BodyField::Type::kBoolean}});
                    if (!body) return tl::unexpected(body.error());
                    auto sql = StatementSql(s, *id, request.PathParam("fingerprint"));
                    if (!sql) return tl::unexpected(sql.error());
                    auto dsn = s.targets.Dsn(*id);
                    if (!dsn) return tl::unexpected(dsn.error());
                    auto conn = pg::Connection::Open(*dsn);
                    if (!conn) return tl::unexpected(conn.error());
                    service::ExplainRequest options;
                    options.analyze = body->value("analyze", false);
                    options.allow = guard::Allowlist{s.config.allow_functions};
                    // ANALYZE runs the statement on the target: load on a production database is an operator's call.
                    if (options.analyze && !api::Allows(request.principal->role, api::Role::kOperator)) {
                        return HttpResponse::Error(403, "forbidden",
                                                   "EXPLAIN ANALYZE runs the statement on the target and needs the "
                                                   "operator role; a viewer can see the estimated plan");
                    }
                    auto report = service::Explain(*conn, *sql, options);
                    if (!report) return tl::unexpected(report.error());
                    return RawJson(200, service::FormatExplainJson(*report));
                }),
                kSlowViewer);
}

void RegisterOverview(api::Router& router, Services& s) {
    router.Get("/api/v1/targets/{id}/overview", Handle([&s](const HttpRequest& request) -> Result<HttpResponse> {
                   auto id = IdParam(request);
                   if (!id) return tl::unexpected(id.error());
                   auto body = s.views.GetOrRender(*id, kOverviewViewKey, [&] { return RenderOverview(s, *id); });
                   if (!body) return tl::unexpected(body.error());
                   return RawJson(200, std::move(*body));
               }));
    router.Get("/api/v1/targets/{id}/index-health", Handle([&s](const HttpRequest& request) -> Result<HttpResponse> {
                   auto id = IdParam(request);
                   if (!id) return tl::unexpected(id.error());
                   auto dsn = s.targets.Dsn(*id);
                   if (!dsn) return tl::unexpected(dsn.error());
                   auto conn = pg::Connection::Open(*dsn);
                   if (!conn) return tl::unexpected(conn.error());
                   auto report = service::CheckIndexHealth(*conn);
                   if (!report) return tl::unexpected(report.error());
                   return RawJson(200, service::FormatIndexHealthJson(*report));
               }),
               kSlowViewer);
}

void RegisterExports(api::Router& router, Services& s) {
    router.Get(
        "/api/v1/targets/{id}/export/{file}", Handle([&s](const HttpRequest& request) -> Result<HttpResponse> {
            auto id = IdParam(request);
            if (!id) return tl::unexpected(id.error());
            const std::string file = request.PathParam("file");
            HttpResponse r;
            r.headers.Set("Content-Disposition", fmt::format("attachment; filename=\"{}\"", file));
            if (file == "recommendations.sql") {
                auto recs = s.store.With([&](store::Store& st) { return st.ListRecommendations(*id); });
                if (!recs) return tl::unexpected(recs.error());
                r.content_type = "application/sql; charset=utf-8";
                r.body = service::RecommendationsSql(*recs);
                return r;
            }
            if (file != "statements.csv" && file != "statements.json") {
                return MakeError(ErrorCode::kNotFound, "exports: statements.csv, statements.json, recommendations.sql");
            }
            auto range = RangeParams(request);
            if (!range) return tl::unexpected(range.error());
            auto groups = RangeStatements(s, *id, *range, 100'000);
            if (!groups) return tl::unexpected(groups.error());
            if (file == "statements.json") {
                double total_ms = 0;
                Json rows = StatementsJson(*groups, "", 100'000, total_ms);
                r.content_type = "application/json";
                r.body = Json{{"from", IsoTime(range->from)}, {"to", IsoTime(range->to)}, {"statements", rows}}.dump(2);
                return r;
            }
            r.content_type = "text/csv; charset=utf-8";
            r.body = service::StatementsCsv(*groups);
            return r;
        }));
}

}  // namespace

Result<std::string> RenderOverview(Services& s, std::int64_t target_id) {
    auto target = s.targets.Get(target_id);
    if (!target) return tl::unexpected(target.error());
    const TimePoint now = std::chrono::system_clock::now();
    auto groups = RangeStatements(s, target_id, {now - kDefaultRange, now}, 100'000);
    if (!groups) return tl::unexpected(groups.error());
    double total_ms = 0;
    Json top = StatementsJson(*groups, "", 5, total_ms);

    const TargetStatus& st = target->status;
    const analyzer::CollectionState collection{
        .down = st.state == TargetState::kDown, .error = st.error, .last_snapshot_at = st.last_snapshot_at};
    const std::vector<Check> checks = analyzer::OverviewChecks(
        *groups, collection, st.latency ? st.latency->p95_ms : std::nullopt, s.config.overview);
    return Json{{"target", TargetJson(*target)},
                {"checks", ChecksJson(checks)},
                {"top", top},
                {"total_ms_last_hour", Round3(total_ms)},
                {"last_snapshot_at", OptionalTime(st.last_snapshot_at)}}
        .dump();
}

Result<std::string> RenderStatements(
    Services& s, std::int64_t target_id, TimePoint from, TimePoint to, std::size_t limit, const std::string& search) {
    auto groups = RangeStatements(s, target_id, {from, to}, 100'000);
    if (!groups) return tl::unexpected(groups.error());
    double total_ms = 0;
    Json statements = StatementsJson(*groups, search, limit, total_ms);
    return Json{
        {"from", IsoTime(from)}, {"to", IsoTime(to)}, {"total_ms", Round3(total_ms)}, {"statements", statements}}
        .dump();
}

std::string StatementsViewKey(std::size_t limit, const std::string& search) {
    return fmt::format("statements?limit={}&search={}", limit, search);
}

Json StatementJson(const model::StatementGroup& g, double total_ms) {
    const auto hit = g.CacheHitPct();
    return {{"fingerprint", g.fingerprint},
            {"query", g.query},
            {"calls", g.counters.calls},
            {"total_ms", Round3(g.counters.TotalMs())},
            {"mean_ms", Round3(g.MeanMs())},
            {"rows", g.counters.rows},
            {"share", total_ms > 0 ? Round3(g.counters.TotalMs() / total_ms) : 0.0},
            {"cache_hit_pct", hit ? Json(Round3(*hit)) : Json(nullptr)},
            {"shared_blks_read", g.counters.shared_blks_read},
            {"temp_blks_written", g.counters.temp_blks_written}};
}

Json TargetJson(const TargetView& view) {
    const auto& r = view.record;
    const auto& st = view.status;
    return {{"id", r.id},
            {"name", r.name},
            {"dsn_display", r.dsn_display},
            {"interval_s", r.interval_s},
            {"production", r.production},
            {"source", r.source},
            {"status",
             {{"state", TargetStateName(st.state)},
              {"error", st.error.empty() ? Json(nullptr) : Json(st.error)},
              {"last_snapshot_at", OptionalTime(st.last_snapshot_at)},
              {"down_since", OptionalTime(st.down_since)},
              {"snapshots", st.snapshots},
              {"latency", st.latency ? LatencyJson(*st.latency) : Json(nullptr)}}}};
}

void RegisterRoutes(api::Router& router, Services& services) {
    router.Get("/healthz",
               [](const HttpRequest&) {
                   return HttpResponse::Json(200, {{"status", "ok"}});
               },
               {.public_route = true});
    router.Get("/metrics",
               [&services](const HttpRequest&) {
                   HttpResponse r;
                   r.content_type = std::string(api::kPrometheusContentType);
                   r.body = services.metrics.Render();
                   return r;
               },
               {.public_route = true});
    RegisterAccountRoutes(router, services);
    RegisterTokenRoutes(router, services);
    RegisterTargets(router, services);
    RegisterStatements(router, services);
    RegisterOverview(router, services);
    RegisterChangeRoutes(router, services);
    RegisterExports(router, services);
    RegisterAiRoutes(router, services);
    RegisterOpenApi(router);
}

}  // namespace optischema::server
