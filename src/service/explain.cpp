#include "service/explain.hpp"

#include <fmt/format.h>

#include "analyzer/findings.hpp"
#include "analyzer/plan.hpp"
#include "analyzer/sample.hpp"
#include "pg/explain.hpp"
#include "service/sampling.hpp"
#include "sqlparse/sqlparse.hpp"

namespace optischema::service {
namespace {

std::string_view ExplainOptions(bool analyze) {
    return analyze ? "ANALYZE, BUFFERS, VERBOSE, SETTINGS" : "VERBOSE, SETTINGS";
}

// The generic plan of a parameterised statement: EXPLAIN (GENERIC_PLAN) from PostgreSQL 16, else a
// prepared statement with plan_cache_mode = force_generic_plan executed with NULLs (not run: no ANALYZE).
Result<std::string> GenericPlan(pg::Connection& conn, const std::string& sql, int param_count, std::string& method) {
    if (conn.ServerVersionNum() >= 160000) {
        method = "generic_plan";
        // Read only and rolled back: the simple protocol that GENERIC_PLAN needs would run a second statement.
        return pg::ExplainJson(conn, "GENERIC_PLAN, VERBOSE, SETTINGS", sql, pg::ExplainTransaction::kReadOnly);
    }
    method = "prepared_generic";
    const std::string prepare = "PREPARE optischema_generic AS " + sql;
    if (auto ok = conn.ExecuteAll({"BEGIN", "SET LOCAL plan_cache_mode = force_generic_plan"}); !ok) {
        return tl::unexpected(ok.error());
    }
    if (auto ok = conn.Execute(prepare); !ok) {
        (void)conn.Execute("ROLLBACK");
        return tl::unexpected(ok.error());
    }
    std::string nulls;
    for (int i = 0; i < param_count; ++i) nulls += i == 0 ? "NULL" : ", NULL";
    auto plan = pg::ExplainJson(conn, "VERBOSE, SETTINGS",
                                "EXECUTE optischema_generic" + (param_count > 0 ? "(" + nulls + ")" : std::string()));
    (void)conn.ExecuteAll({"DEALLOCATE optischema_generic", "ROLLBACK"});
    return plan;
}

}  // namespace

Result<ExplainReport> Explain(pg::Connection& conn, const std::string& sql, const ExplainRequest& options) {
    auto parsed = sqlparse::Parse(sql);
    if (!parsed) return tl::unexpected(parsed.error());
    if (parsed->statement_count > 1) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            fmt::format("the input holds {} statements: explain one statement at a time", parsed->statement_count));
    }
    if (options.analyze && parsed->statement_type != "SELECT" && !options.allow_writes) {
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("--analyze runs the statement, and this is a {}: pass --allow-writes to run it "
                                     "anyway (inside a transaction that is rolled back), or leave out --analyze",
                                     parsed->statement_type));
    }
    if (options.analyze && options.generic) {
        return MakeError(ErrorCode::kInvalidArgument,
                         "--generic plans cannot be run: use --analyze or --generic, not both");
    }

    ExplainReport report;
    std::string explained = sql;
    Result<std::string> plan_json = std::string();
    if (parsed->param_count > 0 && options.generic) {
        plan_json = GenericPlan(conn, sql, parsed->param_count, report.method);
    } else {
        if (parsed->param_count > 0) {
            ColumnStatsCache stats(conn);
            auto sample = MakeSample(conn, stats, sql, *parsed);
            if (!sample) return tl::unexpected(sample.error());
            explained = sample->sql;
            report.params = std::move(sample->params);
            report.method = "sample";
        } else {
            report.method = "literal";
        }
        // With ANALYZE whatever the statement does is undone.
        plan_json =
            pg::ExplainJson(conn, ExplainOptions(options.analyze), explained,
                            options.analyze ? pg::ExplainTransaction::kRolledBack : pg::ExplainTransaction::kNone);
    }
    if (!plan_json) return tl::unexpected(plan_json.error());
    auto plan = analyzer::ParsePlan(*plan_json);
    if (!plan) return tl::unexpected(plan.error());
    report.sql = explained;
    report.plan = std::move(*plan);
    report.findings = analyzer::Analyze(report.plan, &*parsed);
    return report;
}

Result<std::string> StatementByFingerprint(store::Store& store,
                                           const std::string& target_name,
                                           const std::string& fingerprint) {
    std::string sql;
    auto targets = store.ListTargets();
    if (!targets) return tl::unexpected(targets.error());
    for (const auto& t : *targets) {
        if (t.name != target_name) continue;
        auto queries = store.LoadQueries(t.id);
        if (!queries) return tl::unexpected(queries.error());
        for (const auto& [queryid, q] : *queries) {
            if (q.fingerprint == fingerprint) sql = q.text;
        }
    }
    if (sql.empty()) {
        return MakeError(ErrorCode::kNotFound,
                         fmt::format("no statement with fingerprint {} is known for {}: run `optischema top "
                                     "--dsn ...` first (with the same --data-dir), or pass the SQL",
                                     fingerprint, target_name));
    }
    return sql;
}

}  // namespace optischema::service
