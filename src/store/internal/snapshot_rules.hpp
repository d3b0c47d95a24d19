#pragma once

// Internal to store/: rules both stores apply to snapshots: the check before a delta snapshot is saved
// (SnapshotWrite::delta_from) and the batch size of PruneHistory.

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>

#include <fmt/format.h>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "common/format.hpp"

namespace optischema::store::detail {

/// PruneHistory deletes at most this many snapshots (with their groups) per transaction,
inline constexpr std::int64_t kPruneBatchSnapshots = 50;
/// and at most this many latency samples or rollup rows.
inline constexpr std::int64_t kPruneBatchRows = 5'000;

/// One part of PruneHistory: rows older than `before` (nullopt: kept) deleted in batches of `batch`
/// by `sql` (parameters: target id, before in Unix ms, batch size), the count added to `*counted`.
struct PruneStep {
    std::optional<TimePoint> before;
    const char* sql;
    std::int64_t batch;
    std::int64_t* counted;
};

/// Runs each step with a `before` in batches (`delete_batch` deletes one and says how many rows went)
/// until a batch comes back short; `keep_going` may stop it between batches (then `complete` is false).
template <typename DeleteBatch>
[[nodiscard]] Result<void> RunPruneSteps(std::initializer_list<PruneStep> steps,
                                         const std::function<bool()>& keep_going,
                                         bool& complete,
                                         DeleteBatch&& delete_batch) {
    for (const PruneStep& step : steps) {
        if (!step.before) continue;
        for (;;) {
            Result<std::int64_t> n = delete_batch(step);
            if (!n) return tl::unexpected(n.error());
            *step.counted += *n;
            if (*n < step.batch) break;
            if (keep_going && !keep_going()) {
                complete = false;
                return {};
            }
        }
    }
    return {};
}

/// kConflict when the delta was computed from another baseline than the target's stored one (`stored_ms`,
/// nullopt when none is stored): another collector saved a snapshot of the target in between.
[[nodiscard]] inline std::optional<Error> DeltaConflict(std::int64_t target_id,
                                                        TimePoint delta_from,
                                                        std::optional<std::int64_t> stored_ms) {
    if (stored_ms && *stored_ms == ToUnixMs(delta_from)) return std::nullopt;
    return Error{ErrorCode::kConflict,
                 fmt::format("target {}: this delta starts at {}, but the stored baseline is {}: another collector "
                             "stored a snapshot since, so this delta is dropped and collection resumes from the "
                             "stored baseline",
                             target_id, IsoTime(delta_from),
                             stored_ms ? IsoTime(FromUnixMs(*stored_ms)) : std::string("missing"))};
}

}  // namespace optischema::store::detail
