#pragma once

// Internal to sqlparse/: the only header that includes <pg_query.h>.

#include <string_view>

#include <pg_query.h>

#include "common/error.hpp"

namespace optischema::sqlparse {

/// Frees a heap-held parse result.
struct ParseResultFree {
    void operator()(PgQueryParseResult* r) const {
        pg_query_free_parse_result(*r);
        delete r;
    }
};

/// Turns libpg_query's error into a kParseError with the parser's message and cursor position.
[[nodiscard]] Error ParserError(const PgQueryError& e, std::string_view sql);

}  // namespace optischema::sqlparse
