#pragma once

#include <string>

#include "common/error.hpp"

namespace optischema::app {

struct CheckOptions {
    std::string dsn;
    std::string format = "text";  // or "json"
};

/// `optischema check`: index health of the target database. Reads only.
[[nodiscard]] Result<std::string> RunCheck(const CheckOptions& options);

}  // namespace optischema::app
