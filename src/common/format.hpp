#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.hpp"

/// Numbers as OptiSchema shows them to people and in JSON.
namespace optischema {

/// Rounded to 3 decimals, for JSON output.
[[nodiscard]] double Round3(double v);

/// An integer with thousands separators: "1,500,000", "-42".
[[nodiscard]] std::string ThousandsSeparated(double value);

/// A size: "512 bytes", "12.5 kB", "44.9 MB", "1.2 GB".
[[nodiscard]] std::string HumanBytes(double bytes);

/// "2026-11-28T01:02:03.456Z".
[[nodiscard]] std::string IsoTime(TimePoint t);

/// The latest instant ParseTime reads, 2200-01-01T00:00:00Z in Unix ms: far enough for any real time, and
/// well inside what a TimePoint (nanoseconds in 64 bits, until 2262) holds.
inline constexpr std::int64_t kLatestTimeMs = 7'258'118'400'000;

/// Reads IsoTime's format (also without milliseconds) or Unix milliseconds, from 1970 to kLatestTimeMs;
/// nullopt for anything else.
[[nodiscard]] std::optional<TimePoint> ParseTime(std::string_view text);

/// A ratio as people say it: "1.4x", "23x", "1,570x".
[[nodiscard]] std::string HumanRatio(double ratio);

/// Milliseconds with the precision that matters: "0.011", "3.82", "17.3", "1,250".
[[nodiscard]] std::string HumanMs(double ms);

/// A duration in seconds as an age: "45 minutes", "5.5 hours", "3.0 days".
[[nodiscard]] std::string HumanAge(double seconds);

}  // namespace optischema
