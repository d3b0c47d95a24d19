#include "service/change.hpp"

#include <chrono>
#include <map>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/format.hpp"
#include "common/strings.hpp"
#include "sandbox/index_change.hpp"
#include "service/audit.hpp"
#include "service/table_statements.hpp"
#include "sqlparse/sqlparse.hpp"

namespace optischema::service {
namespace {

using Json = nlohmann::ordered_json;

/// Totals of pg_stat_statements by fingerprint, for the realized-savings comparison.
struct Totals {
    std::optional<std::int64_t> stats_reset_ms;
    std::map<std::string, std::pair<std::int64_t, double>> by_fingerprint;  // calls, total ms
};

Result<Totals> ReadTotals(pg::Connection& conn, const std::set<std::string>& fingerprints) {
    auto workload = ReadWorkload(conn, 1'000'000);
    if (!workload) return tl::unexpected(workload.error());
    Totals out;
    if (workload->info.stats_reset) out.stats_reset_ms = ToUnixMs(*workload->info.stats_reset);
    for (const auto& g : workload->ranking.top) {
        if (fingerprints.count(g.fingerprint) > 0) {
            out.by_fingerprint[g.fingerprint] = {g.counters.calls, g.counters.TotalMs()};
        }
    }
    return out;
}

Json TotalsJson(const Totals& t) {
    Json by = Json::object();
    for (const auto& [fp, v] : t.by_fingerprint) by[fp] = {{"calls", v.first}, {"total_ms", v.second}};
    return {{"stats_reset_ms", t.stats_reset_ms ? Json(*t.stats_reset_ms) : Json(nullptr)}, {"by_fingerprint", by}};
}

/// The statements an index serves: from the recommendation's evidence, else those of the workload
/// that use its table.
std::map<std::string, std::string> ServedStatements(pg::Connection& conn,
                                                    const Evidence& evidence,
                                                    const sqlparse::IndexDdl& ddl) {
    std::map<std::string, std::string> served;  // fingerprint -> query
    if (!evidence.queries.empty()) {
        for (const auto& q : evidence.queries) served[q.fingerprint] = q.query;
        return served;
    }
    // Without pg_stat_statements there is nothing to track; the apply still goes ahead.
    auto on_table = StatementsOnTable(conn, ddl.table, 50);
    return on_table ? *on_table : served;
}

Result<store::RecommendationRecord> LoadRecommendation(store::StorePool& store, const std::string& id) {
    auto rec = store.With([&](store::Store& st) { return st.GetRecommendation(id); });
    if (!rec) return tl::unexpected(rec.error());
    if (!*rec) {
        return MakeError(ErrorCode::kNotFound,
                         fmt::format("no recommendation {} in the store: run `optischema advise --dsn ...` with the "
                                     "same --data-dir, and use an id it prints",
                                     id));
    }
    if ((*rec)->kind != "index") {
        return MakeError(ErrorCode::kInvalidArgument,
                         "rewrites are code changes OptiSchema never applies: export the rewrite and change the "
                         "application");
    }
    return **rec;
}

Result<model::AuditEvent> LoadApply(store::StorePool& store, std::int64_t id) {
    auto event = store.With([&](store::Store& st) { return st.GetAudit(id); });
    if (!event) return tl::unexpected(event.error());
    if (!*event || (*event)->action != "apply") {
        return MakeError(ErrorCode::kNotFound,
                         fmt::format("action {} is not an apply: `optischema audit` lists the actions", id));
    }
    if ((*event)->outcome != "ok") {
        return MakeError(
            ErrorCode::kInvalidArgument,
            fmt::format("action {} did not create an index ({}): there is nothing to undo", id, (*event)->outcome));
    }
    return **event;
}

}  // namespace

Result<PlannedApply> PlanApply(const ApplyRequest& request, store::StorePool& store) {
    if (request.recommendation_id.empty() == request.ddl.empty()) {
        return MakeError(ErrorCode::kInvalidArgument, "give --recommendation ID or --ddl \"CREATE INDEX ...\"");
    }
    PlannedApply plan;
    plan.recommendation_id = request.recommendation_id;
    plan.lock_timeout = request.lock_timeout;
    std::string ddl = request.ddl;
    if (!request.recommendation_id.empty()) {
        auto rec = LoadRecommendation(store, request.recommendation_id);
        if (!rec) return tl::unexpected(rec.error());
        ddl = rec->sql;
        plan.evidence = ReadEvidence(rec->evidence_json);
    }
    auto index = ReadIndexSql(ddl);
    if (!index) return tl::unexpected(index.error());
    plan.index = std::move(*index);
    return plan;
}

Result<ChangeOutcome> ApplyIndex(const PlannedApply& plan, const Context& context, const ChangeHooks& hooks) {
    const IndexSql& index = plan.index;
    auto conn = pg::Connection::Open(context.target.dsn);
    if (!conn) return tl::unexpected(conn.error());
    Json detail{{"recommendation", plan.recommendation_id.empty() ? Json(nullptr) : Json(plan.recommendation_id)},
                {"index", index.ref.Qualified()},
                {"table", index.ddl.table}};
    // The totals before the index, so `impact` can compare with what follows.
    if (const auto served = ServedStatements(*conn, plan.evidence, index.ddl); !served.empty()) {
        std::set<std::string> fps;
        Json queries = Json::object();
        for (const auto& [fp, q] : served) {
            fps.insert(fp);
            queries[fp] = q;
        }
        if (auto totals = ReadTotals(*conn, fps)) {
            detail["baseline"] = TotalsJson(*totals);
            detail["baseline_at_ms"] = ToUnixMs(std::chrono::system_clock::now());
            detail["queries"] = std::move(queries);
        } else {
            detail["baseline_error"] = totals.error().message;
        }
    }

    sandbox::BuildOptions build;
    build.lock_timeout = plan.lock_timeout;
    build.cancel = hooks.cancel;
    build.on_progress = hooks.on_progress;
    build.allow = context.allow;
    const auto start = std::chrono::steady_clock::now();
    Result<sandbox::BuildReport> built =
        sandbox::CreateIndexConcurrently(context.target.dsn, index.create_concurrently, index.ref, build);

    // Roll back by the schema the index really landed in, whatever the search_path is later.
    std::string rollback = index.drop;
    if (built) {
        rollback = "DROP INDEX CONCURRENTLY IF EXISTS " + sandbox::IndexRef{built->schema, index.ref.name}.Qualified();
        detail["index_bytes"] = built->index_bytes;
    }
    detail["rollback_sql"] = rollback;
    const bool cancelled = hooks.cancel != nullptr && hooks.cancel->load();
    std::string executed = index.create_concurrently;
    if (built && built->replaced_invalid) executed = *built->replaced_invalid + ";\n" + executed;
    model::AuditEvent event =
        ActionEvent(context, "apply", std::move(executed), start,
                    built ? std::nullopt : std::optional<Error>(built.error()), cancelled ? "cancelled" : "failed");
    event.detail_json = detail.dump();
    auto id = Record(context, event);
    if (!id) return tl::unexpected(id.error());
    if (!built) {
        Error e = built.error();
        e.message += fmt::format(" (audited as action {})", *id);
        return tl::unexpected(e);
    }
    return ChangeOutcome{*id,
                         fmt::format("Applied {} on {} in {:.1f} s ({}).", index.ref.Qualified(), context.target.name,
                                     event.duration_ms / 1000, HumanBytes(static_cast<double>(built->index_bytes)))};
}

Result<PlannedRollback> PlanRollback(std::int64_t action_id,
                                     std::chrono::milliseconds lock_timeout,
                                     const Context& context) {
    auto apply = LoadApply(context.store, action_id);
    if (!apply) return tl::unexpected(apply.error());
    if (apply->target != context.target.name) {
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("action {} was applied to {}, not to {}: give that DSN", action_id, apply->target,
                                     context.target.name));
    }
    auto events = context.store.With([](store::Store& st) { return st.ListAudit(0); });
    if (!events) return tl::unexpected(events.error());
    for (const auto& e : *events) {
        if (e.action == "rollback" && e.outcome == "ok" && e.related_id == action_id) {
            return MakeError(ErrorCode::kInvalidArgument,
                             fmt::format("action {} was already rolled back by action {}", action_id, e.id));
        }
    }
    const auto detail = Json::parse(apply->detail_json, nullptr, false);
    PlannedRollback plan;
    plan.action_id = action_id;
    plan.lock_timeout = lock_timeout;
    plan.drop_sql = detail.is_discarded() ? "" : detail.value("rollback_sql", "");
    plan.index = detail.is_discarded() ? "" : detail.value("index", "");
    if (plan.drop_sql.empty()) return MakeError(ErrorCode::kInternal, "the audited apply has no rollback SQL");
    return plan;
}

Result<ChangeOutcome> RollbackIndex(const PlannedRollback& plan, const Context& context) {
    const auto start = std::chrono::steady_clock::now();
    auto dropped = sandbox::DropIndexConcurrently(context.target.dsn, plan.drop_sql, plan.lock_timeout);
    model::AuditEvent event = ActionEvent(context, "rollback", plan.drop_sql, start,
                                          dropped ? std::nullopt : std::optional<Error>(dropped.error()));
    event.related_id = plan.action_id;
    event.detail_json = Json{{"index", plan.index}}.dump();
    auto id = Record(context, event);
    if (!id) return tl::unexpected(id.error());
    if (!dropped) {
        Error e = dropped.error();
        e.message += fmt::format(" (audited as action {})", *id);
        return tl::unexpected(e);
    }
    return ChangeOutcome{*id, fmt::format("Rolled back action {}: {} ({:.1f} s).", plan.action_id, plan.drop_sql,
                                          event.duration_ms / 1000)};
}

Result<ImpactReport> Impact(std::int64_t action_id, const Context& context) {
    auto apply = LoadApply(context.store, action_id);
    if (!apply) return tl::unexpected(apply.error());
    const auto detail = Json::parse(apply->detail_json, nullptr, false);
    if (detail.is_discarded() || !detail.contains("baseline")) {
        return MakeError(ErrorCode::kNotFound,
                         fmt::format("action {} recorded no pg_stat_statements baseline (no served statements were "
                                     "known, or pg_stat_statements was unavailable then)",
                                     action_id));
    }
    const Json& baseline = detail["baseline"];
    std::set<std::string> fps;
    for (const auto& [fp, v] : baseline["by_fingerprint"].items()) fps.insert(fp);
    auto conn = pg::Connection::Open(context.target.dsn);
    if (!conn) return tl::unexpected(conn.error());
    auto now = ReadTotals(*conn, fps);
    if (!now) return tl::unexpected(now.error());
    // After a reset of pg_stat_statements since the apply, the counters hold only calls made since.
    const bool reset_since =
        now->stats_reset_ms && (!baseline["stats_reset_ms"].is_number() ||
                                *now->stats_reset_ms > baseline["stats_reset_ms"].get<std::int64_t>());
    ImpactReport report;
    report.action_id = action_id;
    report.index = detail.value("index", "");
    for (const auto& fp : fps) {
        const Json& b = baseline["by_fingerprint"][fp];
        ImpactRow row;
        row.fingerprint = fp;
        row.query = detail.contains("queries") ? detail["queries"].value(fp, "") : "";
        row.calls_before = b.value("calls", std::int64_t{0});
        const double total_before = b.value("total_ms", 0.0);
        double total_after = 0;
        if (const auto it = now->by_fingerprint.find(fp); it != now->by_fingerprint.end()) {
            row.calls_since = reset_since ? it->second.first : it->second.first - row.calls_before;
            total_after = reset_since ? it->second.second : it->second.second - total_before;
        }
        row.mean_ms_before = row.calls_before > 0 ? total_before / static_cast<double>(row.calls_before) : 0;
        if (row.calls_since > 0) row.mean_ms_since = total_after / static_cast<double>(row.calls_since);
        row.saved_ms = row.calls_since > 0 && row.calls_before > 0
                           ? (row.mean_ms_before - *row.mean_ms_since) * static_cast<double>(row.calls_since)
                           : 0;
        report.saved_ms += row.saved_ms;
        report.statements.push_back(std::move(row));
    }
    return report;
}

std::string FormatImpactJson(const ImpactReport& report) {
    Json rows = Json::array();
    for (const auto& r : report.statements) {
        rows.push_back({{"fingerprint", r.fingerprint},
                        {"query", r.query},
                        {"calls_before", r.calls_before},
                        {"mean_ms_before", Round3(r.mean_ms_before)},
                        {"calls_since", r.calls_since},
                        {"mean_ms_since", r.mean_ms_since ? Json(Round3(*r.mean_ms_since)) : Json(nullptr)},
                        {"saved_ms", Round3(r.saved_ms)}});
    }
    return Json{{"action", report.action_id},
                {"index", report.index},
                {"saved_ms", Round3(report.saved_ms)},
                {"statements", rows}}
               .dump(2) +
           "\n";
}

}  // namespace optischema::service
