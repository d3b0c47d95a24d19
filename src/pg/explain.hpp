#pragma once

#include <string>
#include <string_view>

#include "common/error.hpp"
#include "pg/connection.hpp"

namespace optischema::pg {

/// Whether EXPLAIN runs in a transaction of its own that is rolled back: kRolledBack, so that an
/// ANALYZE of a write leaves nothing behind; kReadOnly, a READ ONLY one, so that planning can write nothing.
enum class ExplainTransaction { kNone, kRolledBack, kReadOnly };

/// Runs `EXPLAIN (<options>, FORMAT JSON) <sql>` and returns the plan as JSON text. `options` is
/// OptiSchema's own option list ("ANALYZE, BUFFERS", or empty), never user text. The one place
/// that builds an EXPLAIN statement; "EXPLAIN returned no plan" when the result has no plan. With
/// GENERIC_PLAN in `options` the simple protocol carries it: pass a transaction that is rolled back.
[[nodiscard]] Result<std::string> ExplainJson(Connection& conn,
                                              std::string_view options,
                                              std::string_view sql,
                                              ExplainTransaction transaction = ExplainTransaction::kNone);

}  // namespace optischema::pg
