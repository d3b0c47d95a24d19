#pragma once

// Internal to store/: instants as both stores keep them, bigint Unix milliseconds.

#include <chrono>
#include <cstdint>
#include <optional>

#include "common/clock.hpp"

namespace optischema::store::detail {

/// The wall clock now, in Unix milliseconds (created_at_ms, updated_at_ms).
[[nodiscard]] inline std::int64_t NowMs() { return ToUnixMs(std::chrono::system_clock::now()); }

/// An optional instant in Unix milliseconds; nullopt stays NULL.
[[nodiscard]] inline std::optional<std::int64_t> OptMs(const std::optional<TimePoint>& t) {
    if (!t) return std::nullopt;
    return ToUnixMs(*t);
}

}  // namespace optischema::store::detail
