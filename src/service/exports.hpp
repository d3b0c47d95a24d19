#pragma once

// The files OptiSchema exports, each written in one place: the statements of a window as CSV, the
// audit log as CSV, and the recommendations as a SQL script for psql -f.

#include <string>
#include <vector>

#include "model/audit.hpp"
#include "model/statement_stats.hpp"
#include "store/store.hpp"

namespace optischema::service {

/// `fingerprint,query,calls,total_ms,mean_ms,rows,share_pct,cache_hit_pct,shared_blks_read,
/// temp_blks_written`, costliest first: the columns of the dashboard's statements table.
[[nodiscard]] std::string StatementsCsv(const std::vector<model::StatementGroup>& groups);

/// `id,at,actor,target,action,outcome,duration_ms,related_id,sql,error,detail`.
[[nodiscard]] std::string AuditCsv(const std::vector<model::AuditEvent>& events);

/// Each index recommendation's CREATE INDEX CONCURRENTLY with its title, id and rollback as comments.
/// Comment text never ends its comment: control characters (a newline in a table name) become spaces.
[[nodiscard]] std::string RecommendationsSql(const std::vector<store::RecommendationRecord>& recommendations);

}  // namespace optischema::service
