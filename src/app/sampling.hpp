#pragma once

#include <string>

#include "analyzer/sample.hpp"
#include "common/error.hpp"
#include "model/parsed_query.hpp"
#include "pg/connection.hpp"

namespace optischema::app {

/// A runnable sample of a statement with `$n` parameters: types from PostgreSQL (PREPARE, never
/// executed), values from the compared columns' pg_stats.
[[nodiscard]] Result<analyzer::RunnableSample> MakeSample(pg::Connection& conn,
                                                          const std::string& sql,
                                                          const model::ParsedQuery& parsed);

/// The schema a table was written with in the statement; empty when unqualified.
[[nodiscard]] std::string SchemaOf(const model::ParsedQuery& parsed, const std::string& table);

}  // namespace optischema::app
