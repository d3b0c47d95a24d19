#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace optischema::service {

/// A statement a recommendation serves, as `advise` costed it.
struct ServedStatement {
    std::string fingerprint;
    std::string query;  // as pg_stat_statements shows it (may hold $n)
    std::string sql;    // the runnable sample advise costed; empty: the query itself
    double cost_before = 0;
    double cost_after = 0;

    /// What to run to measure it: the sample, else the query.
    [[nodiscard]] const std::string& Runnable() const { return sql.empty() ? query : sql; }
};

/// What the use cases read of a recommendation's evidence (RecommendationRecord::evidence_json, written
/// by RecommendationJson in advise_report.cpp; the API passes the whole JSON on).
struct Evidence {
    std::vector<ServedStatement> queries;
};

/// Reads stored evidence. Text that is empty or not the expected JSON has no statements: the callers
/// then fall back as they would for an index given as DDL.
[[nodiscard]] Evidence ReadEvidence(std::string_view json);

}  // namespace optischema::service
