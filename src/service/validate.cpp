#include "service/validate.hpp"

#include <chrono>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "analyzer/plan.hpp"
#include "common/format.hpp"
#include "common/quote.hpp"
#include "common/strings.hpp"
#include "pg/dsn.hpp"
#include "service/audit.hpp"
#include "service/evidence.hpp"
#include "service/index_sql.hpp"
#include "service/sampling.hpp"
#include "service/table_statements.hpp"
#include "sqlparse/sqlparse.hpp"

namespace optischema::service {
namespace {

using Json = nlohmann::ordered_json;
using sandbox::Verdict;

constexpr std::size_t kDefaultQueries = 10;  // statements benchmarked for an index given without --query

/// A statement to benchmark: as given, parsed, and runnable.
struct Workload {
    std::string query;
    model::ParsedQuery parsed;
    std::string sql;  // runnable before
    std::string sql_after;
};

/// What to validate, resolved from the options and the store.
struct Change {
    std::optional<IndexSql> index;
    std::string rewrite;
    std::vector<std::string> queries;
};

Result<Change> ResolveChange(const ValidateRequest& options, store::StorePool& store) {
    Change change;
    change.queries = options.queries;
    const int given = !options.recommendation_id.empty() + !options.ddl.empty();
    if (given > 1) return MakeError(ErrorCode::kInvalidArgument, "give --recommendation or --ddl, not both");
    if (given == 0 && options.rewrite.empty()) {
        return MakeError(ErrorCode::kInvalidArgument,
                         "say what to validate: --recommendation ID (from `optischema advise`), --ddl \"CREATE "
                         "INDEX ...\", or --rewrite SQL with the --query it replaces");
    }
    std::string ddl = options.ddl;
    if (!options.recommendation_id.empty()) {
        auto rec = store.With([&](store::Store& st) { return st.GetRecommendation(options.recommendation_id); });
        if (!rec) return tl::unexpected(rec.error());
        if (!*rec) {
            return MakeError(ErrorCode::kNotFound,
                             fmt::format("no recommendation {} in the store: run `optischema advise --dsn ...` with "
                                         "the same --data-dir first, and use an id it prints",
                                         options.recommendation_id));
        }
        ddl = (*rec)->sql;
        if (change.queries.empty()) {
            for (const auto& q : ReadEvidence((*rec)->evidence_json).queries) change.queries.push_back(q.Runnable());
        }
    }
    if (!ddl.empty()) {
        auto index = ReadIndexSql(ddl);
        if (!index) return tl::unexpected(index.error());
        change.index = std::move(*index);
    }
    change.rewrite = options.rewrite;
    if (!change.rewrite.empty() && change.queries.size() != 1) {
        return MakeError(ErrorCode::kInvalidArgument,
                         "a --rewrite replaces one statement: give exactly one --query with the original");
    }
    if (change.queries.empty() && !change.index) {
        return MakeError(ErrorCode::kInvalidArgument, "give the statements to benchmark with --query SQL (repeatable)");
    }
    return change;
}

// An index given without statements is benchmarked on the workload's costliest statements on its table.
Result<std::vector<std::string>> DefaultQueries(pg::Connection& target, const Change& change) {
    if (!change.queries.empty()) return change.queries;
    auto on_table = StatementsOnTable(target, change.index->ddl.table, kDefaultQueries);
    if (!on_table) {
        return MakeError(on_table.error().code,
                         fmt::format("{}; or give the statements to benchmark with --query", on_table.error().message));
    }
    if (on_table->empty()) {
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("pg_stat_statements shows no statement on {}: give the statements to benchmark "
                                     "with --query",
                                     change.index->ddl.table));
    }
    // Reads and the writes that find rows (UPDATE, DELETE); an INSERT only pays for an index, and its
    // cost is the write overhead `advise` already weighs.
    std::vector<std::string> out;
    for (const auto& [fp, query] : *on_table) {
        auto parsed = sqlparse::Parse(query);
        if (parsed && parsed->statement_type != "INSERT") out.push_back(query);
    }
    if (out.empty()) {
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("pg_stat_statements shows only INSERTs on {}: give the statements to benchmark "
                                     "with --query",
                                     change.index->ddl.table));
    }
    return out;
}

Result<std::vector<Workload>> PrepareWorkload(pg::Connection& target, const Change& change) {
    auto queries = DefaultQueries(target, change);
    if (!queries) return tl::unexpected(queries.error());
    ColumnStatsCache stats(target);
    std::vector<Workload> out;
    for (const auto& query : *queries) {
        auto parsed = sqlparse::Parse(query);
        if (!parsed) return tl::unexpected(parsed.error());
        if (parsed->statement_count > 1) {
            return MakeError(ErrorCode::kInvalidArgument, "each --query must be one statement");
        }
        Workload w{query, *parsed, query, query};
        std::optional<analyzer::RunnableSample> sample;
        if (parsed->param_count > 0) {
            auto made = MakeSample(target, stats, query, *parsed);
            if (!made) return tl::unexpected(made.error());
            w.sql = made->sql;
            w.sql_after = made->sql;
            sample = std::move(*made);
        }
        if (!change.rewrite.empty()) {
            auto rewrite = sqlparse::Parse(change.rewrite);
            if (!rewrite) return tl::unexpected(rewrite.error());
            if (rewrite->statement_count > 1) {
                return MakeError(ErrorCode::kInvalidArgument, "the rewrite must be one statement");
            }
            if (sample) {
                auto with_values = WithSampleValues(change.rewrite, *rewrite, *sample);
                if (!with_values) return tl::unexpected(with_values.error());
                w.sql_after = *with_values;
            } else {
                w.sql_after = change.rewrite;
            }
        }
        out.push_back(std::move(w));
    }
    return out;
}

std::vector<sandbox::TableName> TablesOf(const std::vector<Workload>& workload, const Change& change) {
    std::vector<sandbox::TableName> tables;
    std::set<std::string> seen;
    auto add = [&](const std::string& schema, const std::string& name) {
        if (seen.insert(schema + "." + name).second) tables.push_back({schema, name});
    };
    if (change.index) add(change.index->ddl.schema, change.index->ddl.table);
    for (const auto& w : workload) {
        for (const auto& r : w.parsed.relations) add(r.schema, r.name);
    }
    if (!change.rewrite.empty()) {
        if (auto rewrite = sqlparse::Parse(change.rewrite)) {
            for (const auto& r : rewrite->relations) add(r.schema, r.name);
        }
    }
    return tables;
}

struct OpenedSandbox {
    sandbox::ClusterLease cluster;  // managed only; outlives the sandbox
    std::unique_ptr<sandbox::Sandbox> sandbox;
};

Result<OpenedSandbox> OpenSandbox(const ValidateRequest& options,
                                  const Context& context,
                                  pg::Connection& target,
                                  const std::vector<sandbox::TableName>& tables) {
    OpenedSandbox out;
    if (options.sandbox == sandbox::Sandbox::Kind::kManaged) {
        if (context.clusters == nullptr) return MakeError(ErrorCode::kInternal, "no managed sandbox host was given");
        auto cluster = context.clusters->Lease(target.ServerVersionNum() / 10000);
        if (!cluster) return tl::unexpected(cluster.error());
        out.cluster = std::move(*cluster);
        sandbox::CopyOptions copy;
        copy.max_table_bytes = options.max_table_mb << 20;
        auto sb = sandbox::Sandbox::Managed(*out.cluster, target, tables, copy);
        if (!sb) return tl::unexpected(sb.error());
        out.sandbox = std::move(*sb);
        return out;
    }
    if (options.sandbox == sandbox::Sandbox::Kind::kTarget) {
        if (!options.non_production) {
            return MakeError(ErrorCode::kInvalidArgument,
                             "validating on the target itself builds a real index there and runs the statements: "
                             "allowed only on a non-production database; pass --non-production if this is one, or "
                             "use --sandbox managed (the default)");
        }
        auto sb = sandbox::Sandbox::Existing(context.target.dsn, sandbox::Sandbox::Kind::kTarget);
        if (!sb) return tl::unexpected(sb.error());
        out.sandbox = std::move(*sb);
        return out;
    }
    if (auto ok = pg::ValidateDsn(options.sandbox_dsn); !ok) {
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("--sandbox takes managed, target, or a DSN: {}", ok.error().message));
    }
    auto sb = sandbox::Sandbox::Existing(options.sandbox_dsn, sandbox::Sandbox::Kind::kDsn);
    if (!sb) return tl::unexpected(sb.error());
    out.sandbox = std::move(*sb);
    return out;
}

Result<model::Plan> PlanOf(const std::string& json) { return analyzer::ParsePlan(json); }

// Runs the benchmark: every statement before, the change, every statement after.
Result<void> Benchmark(sandbox::Sandbox& sb,
                       const Change& change,
                       std::vector<Workload>& workload,
                       const ValidateRequest& options,
                       const guard::Allowlist& allow,
                       ValidationReport& report) {
    const sandbox::BenchmarkOptions bench{.warmup_runs = options.warmup_runs, .runs = options.runs, .allow = allow};
    std::vector<sandbox::Measurement> before;
    for (const auto& w : workload) {
        auto m = sandbox::Measure(sb.conn(), w.sql, w.parsed.statement_type != "SELECT", bench);
        if (!m) return tl::unexpected(m.error());
        before.push_back(std::move(*m));
    }
    if (change.index) {
        const bool managed = sb.kind() == sandbox::Sandbox::Kind::kManaged;
        auto built = sb.BuildIndex(managed ? change.index->create_plain : change.index->create_concurrently,
                                   change.index->drop, allow);
        if (!built) return tl::unexpected(built.error());
        report.index_build_ms = *built;
    }
    for (std::size_t i = 0; i < workload.size(); ++i) {
        auto& w = workload[i];
        QueryValidation q;
        q.query = w.query;
        q.sql_before = w.sql;
        q.sql_after = w.sql_after;
        q.before = before[i].timing;
        if (!change.rewrite.empty()) {
            auto rewrite = sqlparse::Parse(change.rewrite);
            if (w.parsed.statement_type != "SELECT" || !rewrite || rewrite->statement_type != "SELECT") {
                q.verdict = Verdict::kRejected;
                q.reason = "only SELECT statements can be rewritten and checked for the same result";
                q.equivalence = sandbox::Equivalence{false, 0, 0, q.reason};
                report.queries.push_back(std::move(q));
                continue;
            }
            auto eq = sandbox::CompareResults(sb.conn(), w.sql, w.sql_after, w.parsed.ordered, {.allow = allow});
            if (!eq) return tl::unexpected(eq.error());
            q.equivalence = *eq;
            if (eq->equal != std::optional<bool>(true)) {
                q.verdict = Verdict::kRejected;
                q.reason =
                    eq->equal ? eq->reason : "could not check that the rewrite returns the same rows: " + eq->reason;
                auto plan = PlanOf(before[i].plan_json);
                if (plan) q.plan_before = std::move(*plan);
                report.queries.push_back(std::move(q));
                continue;
            }
        }
        auto after = sandbox::Measure(sb.conn(), w.sql_after, w.parsed.statement_type != "SELECT", bench);
        if (!after) return tl::unexpected(after.error());
        q.after = after->timing;
        q.comparison = sandbox::Compare(q.before, q.after);
        q.verdict = q.comparison.verdict;
        q.reason = q.comparison.summary;
        auto plan_before = PlanOf(before[i].plan_json);
        auto plan_after = PlanOf(after->plan_json);
        if (plan_before && plan_after) {
            q.diff = analyzer::DiffPlans(*plan_before, *plan_after);
            q.plan_before = std::move(*plan_before);
            q.plan_after = std::move(*plan_after);
        }
        // A rewrite must also be faster to count as verified.
        if (!change.rewrite.empty() && q.verdict != Verdict::kImproved) {
            q.verdict = Verdict::kRejected;
            q.reason = "the rewrite returns the same rows but is not faster: " + q.comparison.summary;
        }
        report.queries.push_back(std::move(q));
    }
    return {};
}

void Conclude(ValidationReport& report) {
    bool any_improved = false;
    bool any_regression = false;
    const QueryValidation* rejected = nullptr;
    const QueryValidation* regression = nullptr;
    for (const auto& q : report.queries) {
        report.before_median_ms += q.before.median_ms;
        report.before_p95_ms += q.before.p95_ms;
        report.after_median_ms += q.after.median_ms;
        report.after_p95_ms += q.after.p95_ms;
        if (q.verdict == Verdict::kRejected && rejected == nullptr) rejected = &q;
        if (q.verdict == Verdict::kRegression && regression == nullptr) regression = &q;
        any_improved |= q.verdict == Verdict::kImproved;
        any_regression |= q.verdict == Verdict::kRegression;
        if (q.equivalence) {
            report.equivalent = report.equivalent.value_or(true) && q.equivalence->equal.value_or(false);
        }
    }
    report.speedup = report.after_median_ms > 0 ? report.before_median_ms / report.after_median_ms : 1;
    if (rejected != nullptr) {
        report.verdict = Verdict::kRejected;
        report.reason = rejected->reason;
    } else if (any_regression) {
        report.verdict = Verdict::kRegression;
        report.reason = "slower: " + Ellipsize(CollapseWhitespace(regression->query), 80) + ": " + regression->reason;
    } else if (any_improved) {
        report.verdict = Verdict::kImproved;
        report.reason = report.queries.size() == 1 ? report.queries[0].reason
                                                   : fmt::format("{} faster over the {} statements",
                                                                 HumanRatio(report.speedup), report.queries.size());
    } else {
        report.verdict = Verdict::kNoChange;
        report.reason = report.queries.size() == 1 ? report.queries[0].reason : "no statement changed significantly";
    }
}

std::string ExecutedSql(const Change& change, const sandbox::Sandbox* sb, const std::vector<Workload>& workload) {
    std::vector<std::string> sql;
    if (change.index) {
        const bool managed = sb != nullptr && sb->kind() == sandbox::Sandbox::Kind::kManaged;
        sql.push_back(managed ? change.index->create_plain : change.index->create_concurrently);
        sql.push_back(change.index->drop);
    }
    for (const auto& w : workload) {
        sql.push_back(w.sql);
        if (w.sql_after != w.sql) sql.push_back(w.sql_after);
    }
    return Join(sql, ";\n");
}

}  // namespace

Result<ValidationReport> Validate(const ValidateRequest& options, const Context& context) {
    auto change = ResolveChange(options, context.store);
    if (!change) return tl::unexpected(change.error());

    const auto start = std::chrono::steady_clock::now();
    ValidationReport report;
    report.recommendation_id = options.recommendation_id;
    report.ddl = change->index ? change->index->create_concurrently : "";
    report.rewrite = change->rewrite;
    report.sandbox_kind = options.sandbox;
    report.runs = options.runs;

    std::vector<Workload> workload;
    OpenedSandbox opened;
    auto run = [&]() -> Result<void> {
        auto target = pg::Connection::Open(context.target.dsn);
        if (!target) return tl::unexpected(target.error());
        auto prepared = PrepareWorkload(*target, *change);
        if (!prepared) return tl::unexpected(prepared.error());
        workload = std::move(*prepared);
        auto sb = OpenSandbox(options, context, *target, TablesOf(workload, *change));
        if (!sb) return tl::unexpected(sb.error());
        opened = std::move(*sb);
        report.sandbox_description = opened.sandbox->Describe();
        report.copied = opened.sandbox->copied();
        auto benchmarked = Benchmark(*opened.sandbox, *change, workload, options, context.allow, report);
        report.notes = opened.sandbox->notes();
        return benchmarked;
    };
    auto outcome = run();
    const std::string executed = ExecutedSql(*change, opened.sandbox.get(), workload);
    opened.sandbox.reset();  // drops what it built before the lease on the cluster ends
    opened.cluster.reset();
    if (outcome) Conclude(report);

    model::AuditEvent event = ActionEvent(context, "validate", executed, start,
                                          outcome ? std::nullopt : std::optional<Error>(outcome.error()));
    Json detail{{"recommendation", options.recommendation_id.empty() ? Json(nullptr) : Json(options.recommendation_id)},
                {"sandbox", sandbox::SandboxKindName(report.sandbox_kind)}};
    if (outcome) {
        detail["verdict"] = sandbox::VerdictName(report.verdict);
        detail["speedup"] = report.speedup;
    }
    event.detail_json = detail.dump();
    auto audit_id = Record(context, event);
    if (!audit_id) return tl::unexpected(audit_id.error());
    if (!outcome) return tl::unexpected(outcome.error());
    report.audit_id = *audit_id;
    if (!options.recommendation_id.empty()) {
        const std::string json = FormatValidationJson(report);
        auto saved =
            context.store.With([&](store::Store& st) { return st.SaveValidation(options.recommendation_id, json); });
        if (!saved) return tl::unexpected(saved.error());
    }
    return report;
}

}  // namespace optischema::service
