#pragma once

#include <string>
#include <vector>

#include "advisor/index_health.hpp"
#include "common/error.hpp"
#include "model/schema.hpp"
#include "pg/connection.hpp"

namespace optischema::service {

/// The index health of a database and what it was read from.
struct IndexHealthReport {
    model::SchemaSnapshot schema;
    std::vector<advisor::HealthFinding> findings;
};

/// Index health of the database `conn` is connected to. Reads the catalog only, in a read-only session.
[[nodiscard]] Result<IndexHealthReport> CheckIndexHealth(pg::Connection& conn);

/// `{"findings": [{"check", "severity", "object", "table", "message", "fix_sql", "wasted_bytes"}], "summary"}`.
[[nodiscard]] std::string FormatIndexHealthJson(const IndexHealthReport& report);

}  // namespace optischema::service
