#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace optischema {

/// Splits on a single character; empty fields are kept.
[[nodiscard]] std::vector<std::string> Split(std::string_view text, char sep);

/// The parts with `sep` between them.
[[nodiscard]] std::string Join(const std::vector<std::string>& parts, std::string_view sep = ", ");

/// Removes leading and trailing ASCII whitespace.
[[nodiscard]] std::string_view Trim(std::string_view text);

/// Collapses runs of whitespace into one space and trims, for one-line display of SQL.
[[nodiscard]] std::string CollapseWhitespace(std::string_view text);

/// Number of UTF-8 characters (code points), which is the column count for the text OptiSchema prints.
[[nodiscard]] std::size_t Utf8Length(std::string_view text);

/// Shortens to at most max_chars characters (UTF-8 aware), ending in "…" when cut.
[[nodiscard]] std::string Ellipsize(std::string_view text, std::size_t max_chars);

/// The data directory: XDG_DATA_HOME/optischema, else HOME/.local/share/optischema.
[[nodiscard]] std::string DefaultDataDir();

}  // namespace optischema
