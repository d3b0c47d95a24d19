#pragma once

// Internal to sqlparse/: the only other place that may include <pg_query.h>.

#include <string_view>

#include <pg_query.h>

#include "common/error.hpp"

namespace optischema::sqlparse {

/// Turns libpg_query's error into a kParseError with the parser's message and cursor position.
[[nodiscard]] Error ParserError(const PgQueryError& e, std::string_view sql);

}  // namespace optischema::sqlparse
