#include <fmt/format.h>

#include "cli/text.hpp"
#include "common/format.hpp"
#include "common/strings.hpp"

namespace optischema::cli {
namespace {

std::string Ms(double ms) {
    if (ms >= 100'000) return fmt::format("{:.0f}s", ms / 1000);
    if (ms >= 100) return fmt::format("{:.0f}", ms);
    if (ms >= 1) return fmt::format("{:.2f}", ms);
    return fmt::format("{:.3f}", ms);
}

// A duration for prose: "850 ms", "12.4 s", "3.2 min", "5.1 h".
std::string Duration(double ms) {
    if (ms < 1000) return fmt::format("{:.0f} ms", ms);
    if (ms < 60'000) return fmt::format("{:.1f} s", ms / 1000);
    if (ms < 3'600'000) return fmt::format("{:.1f} min", ms / 60'000);
    return fmt::format("{:.1f} h", ms / 3'600'000);
}

std::string Count(std::int64_t n) {
    if (n >= 10'000'000'000) return fmt::format("{}G", n / 1'000'000'000);
    if (n >= 10'000'000) return fmt::format("{}M", n / 1'000'000);
    if (n >= 100'000) return fmt::format("{}k", n / 1000);
    return std::to_string(n);
}

}  // namespace

std::string FormatTopTable(const service::TopReport& report, std::size_t width) {
    const model::WorkloadRanking& r = report.ranking;
    const std::string summary = fmt::format(
        " · PostgreSQL {} · {} · {} statements, {} in total", report.server_version,
        report.interval_s ? fmt::format("last {:g} s", *report.interval_s) : std::string("since last reset"),
        r.group_count, Duration(r.total_ms));
    // The target name is the part that may be long (socket paths): it yields its room first.
    const std::size_t summary_chars = Utf8Length(summary);
    const std::size_t target_room = width > summary_chars + 12 ? width - summary_chars : 12;
    std::string out = Ellipsize(report.target, target_room) + summary + "\n";
    if (r.top.empty()) {
        out += report.interval_s ? "No statements ran during the interval.\n"
                                 : "pg_stat_statements has no statements yet: run some workload, then try again.\n";
        return out;
    }
    // total(9) mean(9) calls(7) rows(7) share(6) hit(5) + separators: the query gets the rest.
    constexpr std::size_t kFixed = 2 + 1 + 9 + 1 + 9 + 1 + 7 + 1 + 7 + 1 + 6 + 1 + 5 + 2;
    const std::size_t query_width = width > kFixed + 20 ? width - kFixed : 20;
    out += fmt::format("{:>2} {:>9} {:>9} {:>7} {:>7} {:>6} {:>5}  {}\n", "#", "total ms", "mean ms", "calls", "rows",
                       "share", "hit%", "query");
    auto line = [&](std::string_view rank, const model::StatementGroup& g) {
        const auto hit = g.CacheHitPct();
        const double share = r.total_ms > 0 ? 100.0 * g.counters.TotalMs() / r.total_ms : 0;
        return fmt::format("{:>2} {:>9} {:>9} {:>7} {:>7} {:>5.1f}% {:>5}  {}\n", rank, Ms(g.counters.TotalMs()),
                           Ms(g.MeanMs()), Count(g.counters.calls), Count(g.counters.rows), share,
                           hit ? fmt::format("{:.0f}", *hit) : std::string("-"),
                           Ellipsize(CollapseWhitespace(g.query), query_width));
    };
    for (std::size_t i = 0; i < r.top.size(); ++i) out += line(std::to_string(i + 1), r.top[i]);
    if (r.other) out += line("", *r.other);
    return out;
}

}  // namespace optischema::cli
