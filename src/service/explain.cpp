#include "service/explain.hpp"

#include <fmt/format.h>

#include "analyzer/findings.hpp"
#include "analyzer/plan.hpp"
#include "analyzer/sample.hpp"
#include "service/sampling.hpp"
#include "sqlparse/sqlparse.hpp"

namespace optischema::service {
namespace {

std::string_view ExplainOptions(bool analyze) {
    return analyze ? "ANALYZE, BUFFERS, VERBOSE, SETTINGS" : "VERBOSE, SETTINGS";
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
        auto statement = guard::Clear(conn, sql, {.use = guard::Use::kPlan, .allow = options.allow});
        if (!statement) return tl::unexpected(statement.error());
        report.method = conn.ServerVersionNum() >= 160000 ? "generic_plan" : "prepared_generic";
        plan_json = guard::GenericPlanJson(conn, "VERBOSE, SETTINGS", *statement, parsed->param_count);
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
        // What runs is the sample: the gate clears that text. With ANALYZE whatever it does is undone.
        auto statement = guard::Clear(conn, explained,
                                      {.use = options.analyze ? guard::Use::kRun : guard::Use::kPlan,
                                       .allow_writes = options.allow_writes,
                                       .allow = options.allow});
        if (!statement) return tl::unexpected(statement.error());
        plan_json = guard::ExplainJson(conn, ExplainOptions(options.analyze), *statement);
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
