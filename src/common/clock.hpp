#pragma once

#include <chrono>

namespace optischema {

using TimePoint = std::chrono::system_clock::time_point;

/// Source of the current time; a fixed clock in tests.
class Clock {
public:
    virtual ~Clock() = default;
    [[nodiscard]] virtual TimePoint Now() const = 0;
};

/// The wall clock. Thread-safe.
class SystemClock final : public Clock {
public:
    [[nodiscard]] TimePoint Now() const override { return std::chrono::system_clock::now(); }
};

/// Milliseconds since the Unix epoch, the unit the store and JSON use for instants.
[[nodiscard]] inline long long ToUnixMs(TimePoint t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

[[nodiscard]] inline TimePoint FromUnixMs(long long ms) { return TimePoint(std::chrono::milliseconds(ms)); }

}  // namespace optischema
