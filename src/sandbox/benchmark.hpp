#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "guard/gate.hpp"
#include "pg/connection.hpp"

namespace optischema::sandbox {

/// Summary of repeated timings of one statement, in ms.
struct Timing {
    std::vector<double> runs_ms;  // in the order they ran
    double median_ms = 0;
    double p25_ms = 0;
    double p75_ms = 0;
    double p95_ms = 0;
    double min_ms = 0;
    double max_ms = 0;
};

/// Median, quartiles, p95 (linear interpolation between closest ranks), min and max. Pure.
[[nodiscard]] Timing Summarize(std::vector<double> runs_ms);

struct BenchmarkOptions {
    int warmup_runs = 2;  // not timed: fill the cache, so before and after both run warm
    int runs = 10;
    guard::Allowlist allow;  // functions outside pg_catalog the statement may run (guard::Clear)
};

/// One statement measured.
struct Measurement {
    Timing timing;
    std::string plan_json;  // EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) of the first warm-up run
};

/// Runs `sql` warm-up + timed times as EXPLAIN (ANALYZE, TIMING OFF), so the server's own planning +
/// execution time is measured without shipping rows or per-node clock overhead. A write runs inside a
/// transaction that is rolled back, every time.
[[nodiscard]] Result<Measurement> Measure(pg::Connection& conn,
                                          const std::string& sql,
                                          bool is_write,
                                          const BenchmarkOptions& options);

enum class Verdict { kImproved, kNoChange, kRegression, kRejected };

/// "improved", "no_change", "regression", "rejected".
[[nodiscard]] const char* VerdictName(Verdict v);

struct VerdictOptions {
    double min_speedup = 1.1;  // smaller ratios are noise on a shared machine
};

/// Before against after: the speed-up of the medians, and a verdict that counts a change only when the
/// middle halves of the two samples do not overlap (after p75 below before p25 for an improvement) and
/// the ratio passes min_speedup. Pure.
struct Comparison {
    Verdict verdict = Verdict::kNoChange;
    double speedup = 1;   // before median / after median
    std::string summary;  // "3.2x faster (median 12.1 ms -> 3.8 ms; IQR 11.9-12.4 -> 3.7-3.9 ms)"
};
[[nodiscard]] Comparison Compare(const Timing& before, const Timing& after, const VerdictOptions& options = {});

}  // namespace optischema::sandbox
