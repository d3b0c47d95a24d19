#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "model/column_stats.hpp"
#include "pg/connection.hpp"

namespace optischema::pg {

/// Type and statistics of `table`.`column` (schema empty: resolved through the search_path).
/// Empty when the table or column does not exist.
[[nodiscard]] Result<std::optional<model::ColumnStats>> ReadColumnStats(Connection& conn,
                                                                        const std::string& schema,
                                                                        const std::string& table,
                                                                        const std::string& column);

/// The types PostgreSQL infers for `$1..$n` of a statement (PREPARE, then DEALLOCATE; nothing is
/// executed). Errors carry the server's message, e.g. for an unknown table.
[[nodiscard]] Result<std::vector<std::string>> InferParameterTypes(Connection& conn, std::string_view sql);

}  // namespace optischema::pg
