#pragma once

#include <string>
#include <string_view>

namespace optischema::model {

enum class CheckStatus { kPass, kWarn, kFail };

/// "pass", "warn" or "fail", as the API writes a status.
[[nodiscard]] constexpr std::string_view CheckStatusName(CheckStatus status) {
    switch (status) {
        case CheckStatus::kPass:
            return "pass";
        case CheckStatus::kWarn:
            return "warn";
        case CheckStatus::kFail:
            return "fail";
    }
    return "fail";
}

/// One check as the dashboard shows it: a prerequisite in the connection wizard, a health check on the
/// overview.
struct Check {
    std::string name;  // "connect", "pg_stat_statements loaded", "cache hit rate", ...
    CheckStatus status = CheckStatus::kPass;
    std::string message;  // what was found
    std::string fix;      // SQL or a configuration line that fixes it; empty when there is nothing to do
};

}  // namespace optischema::model
