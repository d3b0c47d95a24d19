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

namespace optischema::app {

struct ValidateOptions {
    std::string dsn;
    std::string data_dir;
    std::string store_dsn;             // a shared PostgreSQL store (--store); empty: SQLite in data_dir
    std::string sandbox = "managed";   // "managed", "target", or the DSN of a staging database
    bool non_production = false;       // the user marks the target as non-production (needed for "target")
    std::string recommendation_id;     // one of: a stored recommendation,
    std::string ddl;                   // a CREATE INDEX,
    std::string rewrite;               // and/or a rewrite of the one --query
    std::vector<std::string> queries;  // the statements to benchmark (default: those the recommendation serves)
    int runs = 10;
    int warmup_runs = 2;
    std::int64_t max_table_mb = 256;  // managed sandbox: larger tables are sampled
    std::string format = "text";
    std::string target_name;  // the store's target; empty: the redacted DSN
    std::string actor;        // who, for the audit log; empty: the OS user of the CLI
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
};

/// A recommendation proven (or not) in a sandbox.
struct ValidationReport {
    std::string recommendation_id;
    std::string ddl;
    std::string rewrite;
    std::string sandbox_kind;
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

/// `optischema validate`: builds the index and/or runs the rewrite in a sandbox, benchmarks each
/// statement before and after, checks that a rewrite returns the same rows, and gives a verdict.
/// The verdict is stored with the recommendation and the action in the audit log.
[[nodiscard]] Result<ValidationReport> Validate(const ValidateOptions& options);
[[nodiscard]] Result<std::string> RunValidate(const ValidateOptions& options);

[[nodiscard]] std::string FormatValidationJson(const ValidationReport& report);
[[nodiscard]] std::string FormatValidationText(const ValidationReport& report);

}  // namespace optischema::app
