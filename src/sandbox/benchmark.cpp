#include "sandbox/benchmark.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/format.hpp"

namespace optischema::sandbox {
namespace {

double Percentile(const std::vector<double>& sorted, double p) {
    if (sorted.empty()) return 0;
    const double rank = p * static_cast<double>(sorted.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(rank));
    const auto hi = static_cast<std::size_t>(std::ceil(rank));
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - static_cast<double>(lo));
}

// EXPLAIN (ANALYZE, ...) runs the statement, in a transaction of its own that is rolled back.
Result<nlohmann::json> AnalyzedPlan(pg::Connection& conn, std::string_view options, const guard::Cleared& statement) {
    auto plan = guard::ExplainJson(conn, options, statement);
    if (!plan) return tl::unexpected(plan.error());
    auto json = nlohmann::json::parse(*plan, nullptr, false);
    if (json.is_discarded() || !json.is_array() || json.empty()) {
        return MakeError(ErrorCode::kInternal, "EXPLAIN returned JSON OptiSchema cannot read");
    }
    return json;
}

double TotalMs(const nlohmann::json& explain) {
    const auto& top = explain[0];
    return top.value("Planning Time", 0.0) + top.value("Execution Time", 0.0);
}

}  // namespace

Timing Summarize(std::vector<double> runs_ms) {
    Timing t;
    t.runs_ms = runs_ms;
    std::sort(runs_ms.begin(), runs_ms.end());
    if (runs_ms.empty()) return t;
    t.median_ms = Percentile(runs_ms, 0.5);
    t.p25_ms = Percentile(runs_ms, 0.25);
    t.p75_ms = Percentile(runs_ms, 0.75);
    t.p95_ms = Percentile(runs_ms, 0.95);
    t.min_ms = runs_ms.front();
    t.max_ms = runs_ms.back();
    return t;
}

Result<Measurement> Measure(pg::Connection& conn,
                            const std::string& sql,
                            bool is_write,
                            const BenchmarkOptions& options) {
    Measurement out;
    auto statement = guard::Clear(conn, sql, {.use = guard::Use::kRun, .allow_writes = is_write, .allow = options.allow});
    if (!statement) return tl::unexpected(statement.error());
    auto plan = AnalyzedPlan(conn, "ANALYZE, BUFFERS", *statement);
    if (!plan) return tl::unexpected(plan.error());
    out.plan_json = plan->dump();
    constexpr std::string_view kTimed = "ANALYZE, TIMING OFF";
    for (int i = 1; i < options.warmup_runs; ++i) {
        if (auto run = AnalyzedPlan(conn, kTimed, *statement); !run) return tl::unexpected(run.error());
    }
    std::vector<double> runs;
    for (int i = 0; i < std::max(1, options.runs); ++i) {
        auto run = AnalyzedPlan(conn, kTimed, *statement);
        if (!run) return tl::unexpected(run.error());
        runs.push_back(TotalMs(*run));
    }
    out.timing = Summarize(std::move(runs));
    return out;
}

const char* VerdictName(Verdict v) {
    switch (v) {
        case Verdict::kImproved:
            return "improved";
        case Verdict::kNoChange:
            return "no_change";
        case Verdict::kRegression:
            return "regression";
        case Verdict::kRejected:
            return "rejected";
    }
    return "no_change";
}

Comparison Compare(const Timing& before, const Timing& after, const VerdictOptions& options) {
    Comparison c;
    c.speedup = after.median_ms > 0 ? before.median_ms / after.median_ms : 1.0;
    const std::string numbers =
        fmt::format("median {} ms -> {} ms; IQR {}-{} -> {}-{} ms", HumanMs(before.median_ms), HumanMs(after.median_ms),
                    HumanMs(before.p25_ms), HumanMs(before.p75_ms), HumanMs(after.p25_ms), HumanMs(after.p75_ms));
    if (c.speedup >= options.min_speedup && after.p75_ms < before.p25_ms) {
        c.verdict = Verdict::kImproved;
        c.summary = fmt::format("{} faster ({})", HumanRatio(c.speedup), numbers);
    } else if (c.speedup <= 1 / options.min_speedup && after.p25_ms > before.p75_ms) {
        c.verdict = Verdict::kRegression;
        c.summary = fmt::format("{} slower ({})", HumanRatio(1 / c.speedup), numbers);
    } else {
        c.verdict = Verdict::kNoChange;
        c.summary = fmt::format("no significant change ({})", numbers);
    }
    return c;
}

}  // namespace optischema::sandbox
