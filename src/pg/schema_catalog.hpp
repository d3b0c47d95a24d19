#pragma once

#include "common/error.hpp"
#include "model/schema.hpp"
#include "pg/connection.hpp"

namespace optischema::pg {

/// Reads tables, indexes (with usage and size) and foreign keys of every user schema (not
/// pg_catalog, information_schema, pg_toast) in four catalog queries. Takes only AccessShare locks
/// (pg_relation_size briefly takes one on each relation; the session's lock_timeout bounds the wait).
[[nodiscard]] Result<model::SchemaSnapshot> ReadSchema(Connection& conn);

}  // namespace optischema::pg
