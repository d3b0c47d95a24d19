#pragma once

#include <string>
#include <string_view>

#include "common/error.hpp"
#include "pg/connection.hpp"

namespace optischema::pg {

/// Runs `EXPLAIN (<options>, FORMAT JSON) <sql>` and returns the plan as JSON text. `options` is
/// OptiSchema's own option list ("ANALYZE, BUFFERS", or empty), never user text. The one place that
/// builds an EXPLAIN statement; "EXPLAIN returned no plan" when the result has no plan. A text that
/// OptiSchema did not write goes through guard::ExplainJson instead, which clears it first and runs it
/// in a transaction of its own. With GENERIC_PLAN in `options` the simple protocol carries it (QuerySimple
/// refuses a text of several statements).
[[nodiscard]] Result<std::string> ExplainJson(Connection& conn, std::string_view options, std::string_view sql);

}  // namespace optischema::pg
