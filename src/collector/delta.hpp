#pragma once

#include <unordered_map>
#include <vector>

#include "model/statement_stats.hpp"

namespace optischema::collector {

using model::Baseline;

/// What the delta computation noticed, for the user and the logs.
struct DeltaReport {
    bool full_reset = false;            // pg_stat_statements_reset() ran since the baseline
    std::size_t new_entries = 0;        // keys absent from the baseline
    std::size_t restarted_entries = 0;  // counters went down: evicted and re-created, or reset singly
    std::size_t evicted_entries = 0;    // keys in the baseline that are gone now
};

/// Work done between `before` and the reading `now`, one entry per key with any new calls.
/// Never negative: an entry whose counters went down, or all entries after a reset, count from zero,
/// which is exactly the work done since they were re-created.
[[nodiscard]] std::vector<model::StatementStats> ComputeDeltas(const Baseline& before,
                                                               const model::SnapshotInfo& now_info,
                                                               const std::vector<model::StatementStats>& now,
                                                               DeltaReport* report = nullptr);

/// The baseline for the next delta.
[[nodiscard]] Baseline MakeBaseline(const model::SnapshotInfo& info, const std::vector<model::StatementStats>& now);

}  // namespace optischema::collector
