#pragma once

#include <string>

#include "common/error.hpp"

namespace optischema::pg {

/// Checks that a DSN is a well-formed libpq URI or key=value string; the error says how to write one.
[[nodiscard]] Result<void> ValidateDsn(const std::string& dsn);

/// The DSN without its password, safe for logs, the store and the screen. Empty DSN gives "(libpq defaults)".
[[nodiscard]] std::string RedactDsn(const std::string& dsn);

}  // namespace optischema::pg
