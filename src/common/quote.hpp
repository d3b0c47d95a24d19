#pragma once

#include <string>
#include <string_view>

namespace optischema {

/// A SQL identifier, double-quoted only when needed (as PostgreSQL's quote_ident does).
[[nodiscard]] std::string QuoteIdent(std::string_view name);

/// A SQL string literal with quotes doubled; E'' form when it contains a backslash.
[[nodiscard]] std::string QuoteLiteral(std::string_view value);

/// True when `text` holds a character that ends a line or hides text for psql or an editor: C0 controls
/// (newline, carriage return, ...), DEL, C1 controls (U+0080..U+009F, NEL among them), and the line and
/// paragraph separators U+2028 and U+2029. Identifiers holding one are refused where OptiSchema writes DDL.
[[nodiscard]] bool HasControlCharacters(std::string_view text);

/// Text safe inside a `--` or `/* */` SQL comment: every HasControlCharacters character becomes a space
/// and `*/` and `/*` lose their slash, so target text (a table name, a title) cannot end the comment.
[[nodiscard]] std::string SqlCommentText(std::string_view text);

}  // namespace optischema
