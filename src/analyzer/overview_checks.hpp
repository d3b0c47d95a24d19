#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "model/check.hpp"
#include "model/statement_stats.hpp"

/// The health checks of a target's overview: each a pass or a warning, with what was found and the
/// SQL that fixes it when there is one. Pure and thread-safe.
namespace optischema::analyzer {

/// Where each check turns from pass to warn. The defaults are the dashboard's; the server's config
/// file sets them in its [overview] table.
struct OverviewThresholds {
    double cache_hit_pct_min = 99;   // pass when at least this % of shared blocks came from the buffer cache
    double slow_mean_ms = 100;       // a statement whose mean time is above this is slow
    double temp_written_mb_max = 0;  // pass when statements wrote at most this many MB to temporary files
    double round_trip_p95_ms = 5;    // pass when the p95 of a `SELECT 1` round trip is below this
};

/// Whether the target's collector reaches it.
struct CollectionState {
    bool down = false;
    std::string error;                          // why it is down, with what to do; empty when up
    std::optional<TimePoint> last_snapshot_at;  // empty: no snapshot yet
};

using model::Check;
using model::CheckStatus;

/// The checks of a target over the last hour, in the order above. `groups`: its statement groups over
/// that hour; `round_trip_p95_ms`: the latest latency probe's p95, empty when none succeeded yet. The
/// cache hit rate is left out when no statement touched a shared block, the round trip when its p95
/// is unknown.
[[nodiscard]] std::vector<Check> OverviewChecks(std::span<const model::StatementGroup> groups,
                                                const CollectionState& collection,
                                                std::optional<double> round_trip_p95_ms,
                                                const OverviewThresholds& thresholds = {});

}  // namespace optischema::analyzer
