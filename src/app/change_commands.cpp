#include "app/change_commands.hpp"

#include <atomic>
#include <chrono>
#include <csignal>
#include <iostream>
#include <map>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "app/app_store.hpp"
#include "app/audit_log.hpp"
#include "app/index_sql.hpp"
#include "app/table_statements.hpp"
#include "collector/collector.hpp"
#include "collector/pg_stats_source.hpp"
#include "collector/ranking.hpp"
#include "common/format.hpp"
#include "common/strings.hpp"
#include "pg/capabilities.hpp"
#include "pg/dsn.hpp"
#include "sandbox/index_change.hpp"
#include "sqlparse/sqlparse.hpp"

namespace optischema::app {
namespace {

using Json = nlohmann::ordered_json;

// Set by SIGINT while an index builds; a signal handler can reach nothing else.
std::atomic<bool> g_interrupted{false};

extern "C" void OnInterrupt(int) { g_interrupted = true; }

/// Restores the previous SIGINT disposition when it goes.
class InterruptGuard {
public:
    InterruptGuard() {
        g_interrupted = false;
        previous_ = std::signal(SIGINT, OnInterrupt);
    }
    ~InterruptGuard() { std::signal(SIGINT, previous_); }
    InterruptGuard(const InterruptGuard&) = delete;
    InterruptGuard& operator=(const InterruptGuard&) = delete;

private:
    void (*previous_)(int) = SIG_DFL;
};

bool Confirm(const std::string& question) {
    std::cerr << question << " [y/N] " << std::flush;
    std::string answer;
    if (!std::getline(std::cin, answer)) return false;
    answer = std::string(Trim(answer));
    return answer == "y" || answer == "Y" || answer == "yes";
}

double MsSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

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
                                                    const std::string& evidence_json,
                                                    const sqlparse::IndexDdl& ddl) {
    std::map<std::string, std::string> served;  // fingerprint -> query
    const auto evidence = Json::parse(evidence_json.empty() ? "{}" : evidence_json, nullptr, false);
    if (!evidence.is_discarded() && evidence.contains("queries")) {
        for (const auto& q : evidence["queries"]) served[q.value("fingerprint", "")] = q.value("query", "");
        return served;
    }
    // Without pg_stat_statements there is nothing to track; the apply still goes ahead.
    auto on_table = StatementsOnTable(conn, ddl.table, 50);
    return on_table ? *on_table : served;
}

Result<store::RecommendationRecord> LoadRecommendation(store::Store& store, const std::string& id) {
    auto rec = store.GetRecommendation(id);
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

Result<model::AuditEvent> LoadApply(store::Store& store, std::int64_t id) {
    auto event = store.GetAudit(id);
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

Result<ChangeOutcome> ApplyIndex(const ApplyOptions& options) {
    if (auto ok = pg::ValidateDsn(options.dsn); !ok) return tl::unexpected(ok.error());
    if (options.recommendation_id.empty() == options.ddl.empty()) {
        return MakeError(ErrorCode::kInvalidArgument, "give --recommendation ID or --ddl \"CREATE INDEX ...\"");
    }
    auto store = OpenAppStore(options.data_dir, options.store_dsn);
    if (!store) return tl::unexpected(store.error());
    std::string ddl = options.ddl;
    std::string evidence;
    if (!options.recommendation_id.empty()) {
        auto rec = LoadRecommendation(**store, options.recommendation_id);
        if (!rec) return tl::unexpected(rec.error());
        ddl = rec->sql;
        evidence = rec->evidence_json;
    }
    auto index = ReadIndexSql(ddl);
    if (!index) return tl::unexpected(index.error());
    const std::string target = options.target_name.empty() ? pg::RedactDsn(options.dsn) : options.target_name;
    if (!options.yes) {
        if (::isatty(STDIN_FILENO) == 0 && std::cin.peek() == EOF) {
            return MakeError(ErrorCode::kInvalidArgument, "no terminal to confirm on: pass --yes to apply");
        }
        std::cerr << "About to run on " << target << ":\n  " << index->create_concurrently << ";\n";
        if (!Confirm("Apply it?")) return MakeError(ErrorCode::kInvalidArgument, "not applied: not confirmed");
    }

    auto conn = pg::Connection::Open(options.dsn);
    if (!conn) return tl::unexpected(conn.error());
    Json detail{{"recommendation", options.recommendation_id.empty() ? Json(nullptr) : Json(options.recommendation_id)},
                {"index", index->ref.Qualified()},
                {"table", index->ddl.table}};
    // The totals before the index, so `impact` can compare with what follows.
    if (const auto served = ServedStatements(*conn, evidence, index->ddl); !served.empty()) {
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
    build.lock_timeout = std::chrono::milliseconds(options.lock_timeout_ms);
    build.cancel = &g_interrupted;
    if (::isatty(STDERR_FILENO) != 0)
        build.on_progress = [](const sandbox::BuildProgress& p) {
            std::string line = fmt::format("\r  {:.0f}s {}", p.elapsed_s, p.phase);
            if (p.blocks_total > 0) line += fmt::format(" {:.0f}%", 100.0 * p.blocks_done / p.blocks_total);
            std::cerr << line << "\x1b[K" << std::flush;
        };
    const auto start = std::chrono::steady_clock::now();
    Result<sandbox::BuildReport> built = [&] {
        InterruptGuard guard;
        return sandbox::CreateIndexConcurrently(options.dsn, index->create_concurrently, index->ref, build);
    }();
    if (build.on_progress) std::cerr << "\r\x1b[K" << std::flush;

    // Roll back by the schema the index really landed in, whatever the search_path is later.
    std::string rollback = index->drop;
    if (built) {
        auto schema = conn->Query(
            "SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.oid = to_regclass($1)",
            std::vector<std::optional<std::string>>{index->ref.Qualified()});
        if (schema && !schema->empty() && (*schema)[0][0]) {
            rollback =
                "DROP INDEX CONCURRENTLY IF EXISTS " + sandbox::IndexRef{*(*schema)[0][0], index->ref.name}.Qualified();
        }
        detail["index_bytes"] = built->index_bytes;
    }
    detail["rollback_sql"] = rollback;
    model::AuditEvent event;
    event.at = std::chrono::system_clock::now();
    event.actor = options.actor.empty() ? CliActor() : options.actor;
    event.target = target;
    event.action = "apply";
    event.sql = index->create_concurrently;
    if (built && built->replaced_invalid) event.sql = *built->replaced_invalid + ";\n" + event.sql;
    event.outcome = built ? "ok" : (g_interrupted ? "cancelled" : "failed");
    event.error = built ? "" : built.error().message;
    event.duration_ms = MsSince(start);
    event.detail_json = detail.dump();
    auto id = (*store)->AppendAudit(event);
    if (!id) return tl::unexpected(id.error());
    if (!built) {
        Error e = built.error();
        e.message += fmt::format(" (audited as action {})", *id);
        return tl::unexpected(e);
    }
    return ChangeOutcome{
        *id, fmt::format("Applied {} on {} in {:.1f} s ({}).", index->ref.Qualified(), target, event.duration_ms / 1000,
                         HumanBytes(static_cast<double>(built->index_bytes)))};
}

Result<std::string> RunApply(const ApplyOptions& options) {
    auto outcome = ApplyIndex(options);
    if (!outcome) return tl::unexpected(outcome.error());
    return fmt::format(
        "{}\nAudited as action {}. Undo with: optischema rollback --dsn DSN --action {}\nSee the time it saves "
        "with: optischema impact --dsn DSN --action {}\n",
        outcome->message, outcome->action_id, outcome->action_id, outcome->action_id);
}

Result<ChangeOutcome> RollbackIndex(const RollbackOptions& options) {
    if (auto ok = pg::ValidateDsn(options.dsn); !ok) return tl::unexpected(ok.error());
    auto store = OpenAppStore(options.data_dir, options.store_dsn);
    if (!store) return tl::unexpected(store.error());
    auto apply = LoadApply(**store, options.action_id);
    if (!apply) return tl::unexpected(apply.error());
    const std::string target = options.target_name.empty() ? pg::RedactDsn(options.dsn) : options.target_name;
    if (apply->target != target) {
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("action {} was applied to {}, not to {}: give that DSN", options.action_id,
                                     apply->target, target));
    }
    auto events = (*store)->ListAudit(0);
    if (!events) return tl::unexpected(events.error());
    for (const auto& e : *events) {
        if (e.action == "rollback" && e.outcome == "ok" && e.related_id == options.action_id) {
            return MakeError(ErrorCode::kInvalidArgument,
                             fmt::format("action {} was already rolled back by action {}", options.action_id, e.id));
        }
    }
    const auto detail = Json::parse(apply->detail_json, nullptr, false);
    const std::string drop = detail.is_discarded() ? "" : detail.value("rollback_sql", "");
    if (drop.empty()) return MakeError(ErrorCode::kInternal, "the audited apply has no rollback SQL");
    if (!options.yes) {
        if (::isatty(STDIN_FILENO) == 0 && std::cin.peek() == EOF) {
            return MakeError(ErrorCode::kInvalidArgument, "no terminal to confirm on: pass --yes to roll back");
        }
        std::cerr << "About to run on " << target << ":\n  " << drop << ";\n";
        if (!Confirm("Roll back?")) return MakeError(ErrorCode::kInvalidArgument, "not rolled back: not confirmed");
    }
    const auto start = std::chrono::steady_clock::now();
    auto dropped =
        sandbox::DropIndexConcurrently(options.dsn, drop, std::chrono::milliseconds(options.lock_timeout_ms));
    model::AuditEvent event;
    event.at = std::chrono::system_clock::now();
    event.actor = options.actor.empty() ? CliActor() : options.actor;
    event.target = target;
    event.action = "rollback";
    event.sql = drop;
    event.outcome = dropped ? "ok" : "failed";
    event.error = dropped ? "" : dropped.error().message;
    event.duration_ms = MsSince(start);
    event.related_id = options.action_id;
    event.detail_json = Json{{"index", detail.value("index", "")}}.dump();
    auto id = (*store)->AppendAudit(event);
    if (!id) return tl::unexpected(id.error());
    if (!dropped) {
        Error e = dropped.error();
        e.message += fmt::format(" (audited as action {})", *id);
        return tl::unexpected(e);
    }
    return ChangeOutcome{
        *id, fmt::format("Rolled back action {}: {} ({:.1f} s).", options.action_id, drop, event.duration_ms / 1000)};
}

Result<std::string> RunRollback(const RollbackOptions& options) {
    auto outcome = RollbackIndex(options);
    if (!outcome) return tl::unexpected(outcome.error());
    return fmt::format("{}\nAudited as action {}.\n", outcome->message, outcome->action_id);
}

Result<std::string> RunImpact(const ImpactOptions& options) {
    if (auto ok = pg::ValidateDsn(options.dsn); !ok) return tl::unexpected(ok.error());
    auto store = OpenAppStore(options.data_dir, options.store_dsn);
    if (!store) return tl::unexpected(store.error());
    auto apply = LoadApply(**store, options.action_id);
    if (!apply) return tl::unexpected(apply.error());
    const auto detail = Json::parse(apply->detail_json, nullptr, false);
    if (detail.is_discarded() || !detail.contains("baseline")) {
        return MakeError(ErrorCode::kNotFound,
                         fmt::format("action {} recorded no pg_stat_statements baseline (no served statements were "
                                     "known, or pg_stat_statements was unavailable then)",
                                     options.action_id));
    }
    const Json& baseline = detail["baseline"];
    std::set<std::string> fps;
    for (const auto& [fp, v] : baseline["by_fingerprint"].items()) fps.insert(fp);
    auto conn = pg::Connection::Open(options.dsn);
    if (!conn) return tl::unexpected(conn.error());
    auto now = ReadTotals(*conn, fps);
    if (!now) return tl::unexpected(now.error());
    // After a reset of pg_stat_statements since the apply, the counters hold only calls made since.
    const bool reset_since =
        now->stats_reset_ms && (!baseline["stats_reset_ms"].is_number() ||
                                *now->stats_reset_ms > baseline["stats_reset_ms"].get<std::int64_t>());
    Json rows = Json::array();
    double saved_total = 0;
    std::string text =
        fmt::format("Realized impact of action {} ({}):\n", options.action_id, detail.value("index", ""));
    for (const auto& fp : fps) {
        const Json& b = baseline["by_fingerprint"][fp];
        const std::int64_t calls_before = b.value("calls", std::int64_t{0});
        const double total_before = b.value("total_ms", 0.0);
        const auto it = now->by_fingerprint.find(fp);
        std::int64_t calls_after = 0;
        double total_after = 0;
        if (it != now->by_fingerprint.end()) {
            calls_after = reset_since ? it->second.first : it->second.first - calls_before;
            total_after = reset_since ? it->second.second : it->second.second - total_before;
        }
        const double mean_before = calls_before > 0 ? total_before / static_cast<double>(calls_before) : 0;
        const double mean_after = calls_after > 0 ? total_after / static_cast<double>(calls_after) : 0;
        const double saved = calls_after > 0 && calls_before > 0 ? (mean_before - mean_after) * calls_after : 0;
        saved_total += saved;
        const std::string query = detail.contains("queries") ? detail["queries"].value(fp, "") : "";
        rows.push_back({{"fingerprint", fp},
                        {"query", query},
                        {"calls_before", calls_before},
                        {"mean_ms_before", Round3(mean_before)},
                        {"calls_since", calls_after},
                        {"mean_ms_since", calls_after > 0 ? Json(Round3(mean_after)) : Json(nullptr)},
                        {"saved_ms", Round3(saved)}});
        text +=
            fmt::format("- {}\n  mean {:.3f} ms before ({} calls) -> {} since ({} calls): {:.1f} ms saved\n",
                        Ellipsize(CollapseWhitespace(query), 90), mean_before, calls_before,
                        calls_after > 0 ? fmt::format("{:.3f} ms", mean_after) : "no calls yet", calls_after, saved);
    }
    text += fmt::format("Total: {:.1f} ms saved since the apply.\n", saved_total);
    if (options.format == "json") {
        return Json{{"action", options.action_id},
                    {"index", detail.value("index", "")},
                    {"saved_ms", Round3(saved_total)},
                    {"statements", rows}}
                   .dump(2) +
               "\n";
    }
    return text;
}

}  // namespace optischema::app
