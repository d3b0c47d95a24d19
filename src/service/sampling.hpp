#pragma once

#include <map>
#include <optional>
#include <string>

#include "analyzer/sample.hpp"
#include "common/error.hpp"
#include "model/column_stats.hpp"
#include "model/parsed_query.hpp"
#include "pg/connection.hpp"

namespace optischema::service {

/// pg_stats of columns, read once per (schema, table, column) over one connection. Not thread-safe.
class ColumnStatsCache {
public:
    explicit ColumnStatsCache(pg::Connection& conn) : conn_(conn) {}
    /// Empty when the table or column does not exist; errors are not cached.
    [[nodiscard]] Result<std::optional<model::ColumnStats>> Get(const std::string& schema,
                                                                const std::string& table,
                                                                const std::string& column);

private:
    pg::Connection& conn_;
    std::map<std::string, std::optional<model::ColumnStats>> cache_;
};

/// A runnable sample of a statement with `$n` parameters: types from PostgreSQL (PREPARE, never
/// executed), values from the compared columns' pg_stats.
[[nodiscard]] Result<analyzer::RunnableSample> MakeSample(pg::Connection& conn,
                                                          ColumnStatsCache& stats,
                                                          const std::string& sql,
                                                          const model::ParsedQuery& parsed);

/// `sql` with each `$n` replaced by the value `sample` chose for `$n`: a rewrite of a statement runs
/// with the same values as the original's sample.
[[nodiscard]] Result<std::string> WithSampleValues(const std::string& sql,
                                                   const model::ParsedQuery& parsed,
                                                   const analyzer::RunnableSample& sample);

}  // namespace optischema::service
