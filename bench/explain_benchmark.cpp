// Plan analysis cost: parse + every rule on a large recorded plan, and `explain` end to end against
// the bare EXPLAIN round trip over the same connection, measured in the same run.
//
//   bench/run.sh            (starts a cluster with the benchmark tables, runs this after collect_benchmark)
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include <benchmark/benchmark.h>

#include "analyzer/findings.hpp"
#include "analyzer/plan.hpp"
#include "pg/connection.hpp"
#include "service/explain.hpp"

namespace optischema {
namespace {

// A join and aggregate over two of bench/load_statements.py's tables.
constexpr const char* kQuery =
    "SELECT a.column_with_a_longer_name_01, count(*) FROM bench_table_000 a JOIN bench_table_001 b "
    "ON b.column_with_a_longer_name_02 = a.column_with_a_longer_name_02 WHERE a.column_with_a_longer_name_03 > 5 "
    "GROUP BY 1 ORDER BY 2 DESC LIMIT 10";
constexpr const char* kNormalized =
    "SELECT a.column_with_a_longer_name_01, count(*) FROM bench_table_000 a JOIN bench_table_001 b "
    "ON b.column_with_a_longer_name_02 = a.column_with_a_longer_name_02 WHERE a.column_with_a_longer_name_03 > $1 "
    "GROUP BY 1 ORDER BY 2 DESC LIMIT $2";

std::string BigPlan() {
    std::ifstream in(std::filesystem::path(OPTISCHEMA_TESTDATA_DIR) / "plans" / "big_plan.json");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

pg::Connection& Conn() {
    static pg::Connection* conn = [] {
        const char* dsn = std::getenv("OPTISCHEMA_BENCH_DSN");
        if (dsn == nullptr) {
            std::cerr << "set OPTISCHEMA_BENCH_DSN (bench/run.sh does)\n";
            std::exit(2);
        }
        auto c = pg::Connection::Open(dsn);
        if (!c) {
            std::cerr << c.error().ToString() << "\n";
            std::exit(2);
        }
        return new pg::Connection(std::move(*c));
    }();
    return *conn;
}

void BM_ParseAndAnalyzeBigPlan(benchmark::State& state) {
    const std::string text = BigPlan();
    for (auto _ : state) {
        auto plan = analyzer::ParsePlan(text);
        if (!plan) state.SkipWithError(plan.error().message.c_str());
        benchmark::DoNotOptimize(analyzer::Analyze(*plan));
    }
    state.counters["plan_kb"] = static_cast<double>(text.size()) / 1024;
}

void BM_BareExplainRoundTrip(benchmark::State& state) {
    const std::string sql = std::string("EXPLAIN (VERBOSE, SETTINGS, FORMAT JSON) ") + kQuery;
    for (auto _ : state) benchmark::DoNotOptimize(Conn().Query(sql));
}

void BM_ExplainEndToEnd(benchmark::State& state) {
    service::ExplainRequest options;
    for (auto _ : state) {
        auto report = service::Explain(Conn(), kQuery, options);
        if (!report) state.SkipWithError(report.error().message.c_str());
    }
}

void BM_BareExplainAnalyzeRoundTrip(benchmark::State& state) {
    const std::string sql = std::string("EXPLAIN (ANALYZE, BUFFERS, VERBOSE, SETTINGS, FORMAT JSON) ") + kQuery;
    for (auto _ : state) benchmark::DoNotOptimize(Conn().Query(sql));
}

void BM_ExplainAnalyzeEndToEnd(benchmark::State& state) {
    service::ExplainRequest options;
    options.analyze = true;
    for (auto _ : state) {
        auto report = service::Explain(Conn(), kQuery, options);
        if (!report) state.SkipWithError(report.error().message.c_str());
    }
}

void BM_ExplainNormalizedWithSample(benchmark::State& state) {
    service::ExplainRequest options;
    for (auto _ : state) {
        auto report = service::Explain(Conn(), kNormalized, options);
        if (!report) state.SkipWithError(report.error().message.c_str());
    }
}

BENCHMARK(BM_ParseAndAnalyzeBigPlan)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_BareExplainRoundTrip)->Unit(benchmark::kMicrosecond)->MinTime(1.0);
BENCHMARK(BM_ExplainEndToEnd)->Unit(benchmark::kMicrosecond)->MinTime(1.0);
BENCHMARK(BM_BareExplainAnalyzeRoundTrip)->Unit(benchmark::kMicrosecond)->MinTime(1.0);
BENCHMARK(BM_ExplainAnalyzeEndToEnd)->Unit(benchmark::kMicrosecond)->MinTime(1.0);
BENCHMARK(BM_ExplainNormalizedWithSample)->Unit(benchmark::kMicrosecond)->MinTime(1.0);

/// Prints as the console does, then the overhead of analysis over the bare round trip.
class OverheadReporter : public benchmark::ConsoleReporter {
public:
    void ReportRuns(const std::vector<Run>& runs) override {
        ConsoleReporter::ReportRuns(runs);
        for (const auto& r : runs) real_[r.run_name.function_name] = r.GetAdjustedRealTime();
    }
    void Finalize() override {
        ConsoleReporter::Finalize();
        const double bare = real_["BM_BareExplainRoundTrip"];
        if (bare <= 0) return;
        std::cout << "\nexplain overhead over the bare EXPLAIN round trip (goal: < 10% for a literal statement)\n";
        std::cout << "  literal statement:            " << 100 * (real_["BM_ExplainEndToEnd"] / bare - 1) << "%\n";
        std::cout << "  normalized, with a sample:    " << 100 * (real_["BM_ExplainNormalizedWithSample"] / bare - 1)
                  << "%\n";
        const double bare_analyze = real_["BM_BareExplainAnalyzeRoundTrip"];
        if (bare_analyze > 0) {
            std::cout << "  --analyze (BEGIN/ROLLBACK too): "
                      << 100 * (real_["BM_ExplainAnalyzeEndToEnd"] / bare_analyze - 1) << "%\n";
        }
    }

private:
    std::map<std::string, double> real_;
};

}  // namespace
}  // namespace optischema

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    optischema::OverheadReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();
    return 0;
}
