#pragma once

// Internal to store/: the check both stores make before they save a delta snapshot (SnapshotWrite::delta_from).

#include <cstdint>
#include <optional>

#include <fmt/format.h>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "common/format.hpp"

namespace optischema::store::detail {

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
