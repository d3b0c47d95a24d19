#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.hpp"

namespace optischema::pg {

/// Checks that a DSN is a well-formed libpq URI or key=value string; the error says how to write one.
[[nodiscard]] Result<void> ValidateDsn(const std::string& dsn);

/// Whether this libpq has a connection option of that name (PQconndefaults).
[[nodiscard]] bool IsLibpqKeyword(std::string_view keyword);

/// The options the DSN sets (non-empty values), by keyword; none when it is malformed.
[[nodiscard]] std::vector<std::string> DsnKeywords(const std::string& dsn);

/// The DSN without its password, safe for logs, the store and the screen. Empty DSN gives "(libpq defaults)".
[[nodiscard]] std::string RedactDsn(const std::string& dsn);

}  // namespace optischema::pg
