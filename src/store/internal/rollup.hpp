#pragma once

// Internal to store/: how both stores split a RangeGroups range between the hourly rollups
// (group_rollups) and the raw snapshot_groups.

#include <cstdint>

namespace optischema::store::detail {

/// The width of a rollup bucket: buckets start at whole UTC hours of Unix time.
inline constexpr std::int64_t kRollupHourMs = 3'600'000;

/// The start of the hour holding `ms` (rounded down, also before 1970).
[[nodiscard]] constexpr std::int64_t HourStart(std::int64_t ms) {
    std::int64_t r = ms % kRollupHourMs;
    if (r < 0) r += kRollupHourMs;
    return ms - r;
}

/// [from, to] (inclusive Unix ms) as the raw edges [head_from, head_to] and [tail_from, tail_to] and the
/// whole hours [hours_from, hours_to) between them; an empty part has from > to (hours: from >= to).
struct RangeSplit {
    std::int64_t head_from = 1, head_to = 0;
    std::int64_t hours_from = 0, hours_to = 0;
    std::int64_t tail_from = 1, tail_to = 0;
};

/// Every instant of [from, to] falls in exactly one part. Times are far from the int64 limits (a
/// TimePoint counts nanoseconds in an int64, so its milliseconds stay within +-2^54).
[[nodiscard]] constexpr RangeSplit SplitRange(std::int64_t from, std::int64_t to) {
    RangeSplit split;
    if (from > to) return split;
    const std::int64_t first_hour = HourStart(from) == from ? from : HourStart(from) + kRollupHourMs;
    const std::int64_t end_hour = HourStart(to + 1);
    if (first_hour >= end_hour) {
        split.head_from = from;
        split.head_to = to;
        return split;
    }
    split.head_from = from;
    split.head_to = first_hour - 1;
    split.hours_from = first_hour;
    split.hours_to = end_hour;
    split.tail_from = end_hour;
    split.tail_to = to;
    return split;
}

}  // namespace optischema::store::detail
