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

/// The oid of a relation named as a statement writes it ("orders", "shop.orders", "\"Mixed\""), resolved
/// under the target's search_path (Connection::TargetSearchPath), not OptiSchema's pinned one; "0"
/// when there is none. Runs only to_regclass, inside a read-only transaction that is rolled back (or
/// inside the caller's, with the path set back).
[[nodiscard]] Result<std::string> RelationOid(Connection& conn, std::string_view written);

/// The types PostgreSQL infers for `$1..$n` of a statement (PREPARE, then DEALLOCATE; nothing is
/// executed). `declared` gives types for some parameters ("" or missing: let PostgreSQL infer), for
/// statements like `$1 + $2` whose types cannot be inferred. The statement's names resolve under the
/// target's search_path (Connection::TargetSearchPath), set only for the PREPARE. Errors carry the
/// server's message.
[[nodiscard]] Result<std::vector<std::string>> InferParameterTypes(Connection& conn,
                                                                   std::string_view sql,
                                                                   const std::vector<std::string>& declared = {});

}  // namespace optischema::pg
