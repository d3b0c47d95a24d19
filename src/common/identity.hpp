#pragma once

#include <string_view>

namespace optischema {

/// The application_name of every session OptiSchema opens.
inline constexpr std::string_view kApplicationName = "optischema";

/// The comment every statement OptiSchema sends starts with. pg_stat_statements keeps comments but
/// not application_name, so this is how the collector recognises (and leaves out) its own statements.
inline constexpr std::string_view kStatementTag = "/* optischema */";

}  // namespace optischema
