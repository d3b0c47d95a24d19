#include "analyzer/overview_checks.hpp"

#include <fmt/format.h>

#include "common/format.hpp"
#include "common/strings.hpp"

namespace optischema::analyzer {
namespace {

constexpr double kBlockBytes = 8192;
constexpr double kMb = 1024.0 * 1024.0;

// A threshold as people write it: 100 -> "100", 2.5 -> "2.5".
std::string Threshold(double value) { return fmt::format("{}", value); }

Check Collection(const CollectionState& state) {
    if (state.down) return {"collection", CheckStatus::kWarn, "the target is unreachable: " + state.error, ""};
    return {
        "collection", CheckStatus::kPass,
        state.last_snapshot_at ? "last snapshot " + IsoTime(*state.last_snapshot_at) : "waiting for the first snapshot",
        ""};
}

Check CacheHitRate(const model::Counters& sum, double hit_pct_min) {
    const double blocks = static_cast<double>(sum.shared_blks_hit + sum.shared_blks_read);
    const double hit_pct = 100.0 * static_cast<double>(sum.shared_blks_hit) / blocks;
    const bool pass = hit_pct >= hit_pct_min;
    return {
        "cache hit rate", pass ? CheckStatus::kPass : CheckStatus::kWarn,
        fmt::format("{:.2f}% of shared blocks read in the last hour came from the buffer cache", hit_pct),
        pass ? "" : "SHOW shared_buffers;  -- consider raising it, or the statements reading most blocks need indexes"};
}

Check SlowStatements(std::span<const model::StatementGroup> groups, double slow_mean_ms) {
    std::size_t slow = 0;
    const model::StatementGroup* slowest = nullptr;
    for (const auto& g : groups) {
        if (g.MeanMs() <= slow_mean_ms) continue;
        ++slow;
        if (slowest == nullptr || g.MeanMs() > slowest->MeanMs()) slowest = &g;
    }
    if (slowest == nullptr) {
        return {"slow statements", CheckStatus::kPass,
                fmt::format("no statement averages over {} ms", Threshold(slow_mean_ms)), ""};
    }
    return {"slow statements", CheckStatus::kWarn,
            fmt::format("{} statement(s) average over {} ms; the slowest: {} ({} ms)", slow, Threshold(slow_mean_ms),
                        Ellipsize(CollapseWhitespace(slowest->query), 80), HumanMs(slowest->MeanMs())),
            ""};
}

Check TemporaryFiles(const model::Counters& sum, double written_mb_max) {
    if (sum.temp_blks_written <= 0) {
        return {"temporary files", CheckStatus::kPass, "no sort or hash spilled to disk", ""};
    }
    const double written_bytes = kBlockBytes * static_cast<double>(sum.temp_blks_written);
    const std::string written =
        fmt::format("statements wrote {} to temporary files in the last hour", HumanBytes(written_bytes));
    if (written_bytes <= written_mb_max * kMb) {
        return {"temporary files", CheckStatus::kPass,
                fmt::format("{}, within the {} MB expected", written, Threshold(written_mb_max)), ""};
    }
    return {"temporary files", CheckStatus::kWarn, written,
            "SET work_mem = '64MB';  -- for the sessions that sort or hash a lot"};
}

Check RoundTrip(double p95_ms, double p95_ms_max) {
    return {"round trip", p95_ms < p95_ms_max ? CheckStatus::kPass : CheckStatus::kWarn,
            fmt::format("SELECT 1 takes {} ms at p95 from OptiSchema", HumanMs(p95_ms)), ""};
}

}  // namespace

std::vector<Check> OverviewChecks(std::span<const model::StatementGroup> groups,
                                  const CollectionState& collection,
                                  std::optional<double> round_trip_p95_ms,
                                  const OverviewThresholds& thresholds) {
    model::Counters sum;
    for (const auto& g : groups) sum += g.counters;
    std::vector<Check> checks;
    checks.push_back(Collection(collection));
    if (sum.shared_blks_hit + sum.shared_blks_read > 0) {
        checks.push_back(CacheHitRate(sum, thresholds.cache_hit_pct_min));
    }
    checks.push_back(SlowStatements(groups, thresholds.slow_mean_ms));
    checks.push_back(TemporaryFiles(sum, thresholds.temp_written_mb_max));
    if (round_trip_p95_ms) checks.push_back(RoundTrip(*round_trip_p95_ms, thresholds.round_trip_p95_ms));
    return checks;
}

}  // namespace optischema::analyzer
