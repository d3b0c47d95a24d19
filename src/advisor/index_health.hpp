#pragma once

#include <string>
#include <vector>

#include "model/schema.hpp"

/// Index health checks (a superset of PgHero's): pure functions over a SchemaSnapshot.
namespace optischema::advisor {

/// One health problem with the SQL that fixes it.
struct HealthFinding {
    std::string check;        // "duplicate_index", "redundant_index", "unused_index", "invalid_index",
                              // "unindexed_foreign_key", "index_bloat"
    std::string severity;     // "high", "medium", "low"
    std::string object;       // the index or constraint, schema-qualified
    std::string table;        // schema.table
    std::string message;      // what and why, with the numbers
    std::string fix_sql;      // e.g. DROP INDEX CONCURRENTLY ...; CREATE INDEX CONCURRENTLY ...
    double wasted_bytes = 0;  // space a fix would free (0 when not applicable)
};

/// Runs every check. Never suggests dropping a primary key or a constraint-backing index.
[[nodiscard]] std::vector<HealthFinding> CheckIndexHealth(const model::SchemaSnapshot& schema);

}  // namespace optischema::advisor
