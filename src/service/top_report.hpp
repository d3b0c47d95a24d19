#pragma once

#include <optional>
#include <string>

#include "model/statement_stats.hpp"

namespace optischema::service {

/// What `optischema top` prints.
struct TopReport {
    std::string server_version;
    std::string target;                // redacted DSN
    std::optional<double> interval_s;  // empty: since the last reset
    model::WorkloadRanking ranking;
};

/// The JSON object of `top --format json`: server_version, statements ranked by total_ms and the rest
/// summed as "other". Pretty-printed with two-space indent.
[[nodiscard]] std::string FormatTopJson(const TopReport& report);

}  // namespace optischema::service
