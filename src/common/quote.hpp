#pragma once

#include <string>
#include <string_view>

namespace optischema {

/// A SQL identifier, double-quoted only when needed (as PostgreSQL's quote_ident does).
[[nodiscard]] std::string QuoteIdent(std::string_view name);

/// A SQL string literal with quotes doubled; E'' form when it contains a backslash.
[[nodiscard]] std::string QuoteLiteral(std::string_view value);

}  // namespace optischema
