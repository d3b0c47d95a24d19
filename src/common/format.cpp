#include "common/format.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <ctime>

#include <fmt/format.h>

namespace optischema {

double Round3(double v) { return std::round(v * 1000.0) / 1000.0; }

std::string ThousandsSeparated(double value) {
    // Beyond ±9.2e18 llround is undefined; such counts are clamped (a fuzzer fed 1e30 calls).
    constexpr double kLimit = 9.2e18;
    if (!std::isfinite(value)) value = 0;
    value = std::clamp(value, -kLimit, kLimit);
    const auto n = static_cast<long long>(std::llround(value));
    const unsigned long long magnitude = n < 0 ? 0ULL - static_cast<unsigned long long>(n) : static_cast<unsigned long long>(n);
    const std::string digits = std::to_string(magnitude);
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return n < 0 ? "-" + out : out;
}

std::string HumanBytes(double bytes) {
    constexpr double kMiB = 1024.0 * 1024.0;
    constexpr double kGiB = 1024.0 * kMiB;
    if (bytes < 1024) return fmt::format("{:.0f} bytes", bytes);
    if (bytes < kMiB) return fmt::format("{:.1f} kB", bytes / 1024);
    if (bytes < kGiB) return fmt::format("{:.1f} MB", bytes / kMiB);
    return fmt::format("{:.1f} GB", bytes / kGiB);
}

std::string IsoTime(TimePoint t) {
    const std::int64_t ms = ToUnixMs(t);
    const auto secs = static_cast<std::time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                       tm.tm_hour, tm.tm_min, tm.tm_sec, ((ms % 1000) + 1000) % 1000);
}

std::optional<TimePoint> ParseTime(std::string_view text) {
    if (text.empty()) return std::nullopt;
    if (std::all_of(text.begin(), text.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
        std::int64_t ms = 0;
        if (std::from_chars(text.data(), text.data() + text.size(), ms).ec != std::errc()) return std::nullopt;
        if (ms > kLatestTimeMs) return std::nullopt;  // would overflow a TimePoint's nanoseconds
        return FromUnixMs(ms);
    }
    std::tm tm{};
    int millis = 0;
    char tail[8] = {};
    const std::string s(text);
    const int n = std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3d%7s", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                              &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &millis, tail);
    const bool with_ms = n == 8 && std::string_view(tail) == "Z";
    if (!with_ms) {
        millis = 0;
        const int m = std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%7s", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, tail);
        if (m != 7 || std::string_view(tail) != "Z") return std::nullopt;
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    const std::time_t secs = timegm(&tm);
    if (secs == static_cast<std::time_t>(-1)) return std::nullopt;
    if (secs < 0 || secs >= kLatestTimeMs / 1000) return std::nullopt;
    return FromUnixMs(static_cast<std::int64_t>(secs) * 1000 + millis);
}

std::string HumanRatio(double ratio) {
    if (ratio < 10) return fmt::format("{:.1f}x", ratio);
    return ThousandsSeparated(ratio) + "x";
}

std::string HumanMs(double ms) {
    if (ms >= 1000) return ThousandsSeparated(ms);
    if (ms >= 100) return fmt::format("{:.0f}", ms);
    if (ms >= 10) return fmt::format("{:.1f}", ms);
    if (ms >= 1) return fmt::format("{:.2f}", ms);
    return fmt::format("{:.3f}", ms);
}

std::string HumanAge(double seconds) {
    constexpr double kDay = 86400;
    if (seconds < 3600) return fmt::format("{:.0f} minutes", seconds / 60);
    if (seconds < 2 * kDay) return fmt::format("{:.1f} hours", seconds / 3600);
    return fmt::format("{:.1f} days", seconds / kDay);
}

}  // namespace optischema
