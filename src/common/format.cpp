#include "common/format.hpp"

#include <cmath>

#include <fmt/format.h>

namespace optischema {

double Round3(double v) { return std::round(v * 1000.0) / 1000.0; }

std::string ThousandsSeparated(double value) {
    const auto n = static_cast<long long>(std::llround(value));
    const std::string digits = std::to_string(n < 0 ? -n : n);
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
