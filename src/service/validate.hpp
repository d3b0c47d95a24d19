#pragma once

#include <optional>
#include <string>
#include <vector>

#include "analyzer/plan_diff.hpp"
#include "common/error.hpp"
#include "model/plan.hpp"
#include "sandbox/benchmark.hpp"
#include "sandbox/equivalence.hpp"
#include "sandbox/sandbox.hpp"
#include "service/context.hpp"

namespace optischema::service {

/// What to prove and how.
struct ValidateRequest {
    sandbox::Sandbox::Kind sandbox = sandbox::Sandbox::Kind::kManaged;
    std::string sandbox_dsn;           // kDsn: the staging database
    bool non_production = false;       // the user marks the target as non-production (needed for kTarget)
    std::string recommendation_id;     // one of: a stored recommendation,
    std::string ddl;                   // a CREATE INDEX,
    std::string rewrite;               // and/or a rewrite of the one query
    std::vector<std::string> queries;  // the statements to benchmark (default: those the recommendation serves)
    int runs = 10;
    int warmup_runs = 2;
    std::int64_t max_table_mb = 256;  // managed sandbox: larger tables are sampled
};

/// One statement benchmarked before and after.
struct QueryValidation {
    std::string query;       // as given (may hold $n)
    std::string sql_before;  // what ran before: a runnable sample
    std::string sql_after;   // what ran after: the same, or the rewrite with the same values
    sandbox::Timing before;
    sandbox::Timing after;
    sandbox::Comparison comparison;
    std::optional<sandbox::Equivalence> equivalence;  // rewrites only
    model::Plan plan_before;
    model::Plan plan_after;
    analyzer::PlanDiff diff;
    sandbox::Verdict verdict = sandbox::Verdict::kNoChange;
    std::string reason;

    /// True when the statement ran after the change (a rejected rewrite may stop before).
    [[nodiscard]] bool measured() const { return !after.runs_ms.empty(); }
};

/// A recommendation proven (or not) in a sandbox.
struct ValidationReport {
    std::string recommendation_id;
    std::string ddl;
    std::string rewrite;
    sandbox::Sandbox::Kind sandbox_kind = sandbox::Sandbox::Kind::kManaged;
    std::string sandbox_description;
    std::vector<sandbox::CopiedTable> copied;
    std::vector<std::string> notes;
    std::optional<double> index_build_ms;
    std::vector<QueryValidation> queries;
    sandbox::Verdict verdict = sandbox::Verdict::kNoChange;
    double speedup = 1;  // total before / total after of the medians
    double before_median_ms = 0;
    double before_p95_ms = 0;
    double after_median_ms = 0;
    double after_p95_ms = 0;
    std::optional<bool> equivalent;  // rewrites only
    std::string reason;
    std::int64_t audit_id = 0;
    int runs = 0;
};

/// Builds the index and/or runs the rewrite in a sandbox, benchmarks each statement before and after,
/// checks that a rewrite returns the same rows, and gives a verdict. The verdict is stored with the
/// recommendation and the action in the audit log, whatever the outcome. Validations may run at once:
/// managed ones share a cluster of `context.clusters`, each in a database of its own.
[[nodiscard]] Result<ValidationReport> Validate(const ValidateRequest& request, const Context& context);

/// The JSON of `validate --format json`, also kept with the recommendation.
[[nodiscard]] std::string FormatValidationJson(const ValidationReport& report);

}  // namespace optischema::service
