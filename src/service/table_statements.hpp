#pragma once

#include <map>
#include <string>

#include "common/error.hpp"
#include "model/statement_stats.hpp"
#include "pg/connection.hpp"

namespace optischema::service {

/// The statements of the current database's pg_stat_statements that read or write `table` (by
/// PostgreSQL's parser, not by text match), costliest first, at most `limit`: fingerprint -> text.
/// Fails when pg_stat_statements cannot be read, with what to do.
[[nodiscard]] Result<std::map<std::string, std::string>> StatementsOnTable(pg::Connection& conn,
                                                                           const std::string& table,
                                                                           std::size_t limit);

/// The current database's pg_stat_statements since its last reset, grouped by fingerprint, costliest
/// first, at most `max_groups` (OptiSchema's own statements left out).
struct WorkloadTotals {
    model::SnapshotInfo info;
    model::WorkloadRanking ranking;
};
[[nodiscard]] Result<WorkloadTotals> ReadWorkload(pg::Connection& conn, std::size_t max_groups);

}  // namespace optischema::service
