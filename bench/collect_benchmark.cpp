// One collection cycle against a server holding thousands of distinct statements, as a ratio to the
// floor: a bare `SELECT * FROM pg_stat_statements` over the same connection, measured in the same run.
//
//   bench/run.sh            (starts a cluster, loads 5,000 distinct statements, runs this)
#include <cstdlib>
#include <iostream>
#include <map>

#include <benchmark/benchmark.h>

#include "collector/collector.hpp"
#include "collector/pg_stats_source.hpp"
#include "pg/capabilities.hpp"
#include "pg/connection.hpp"

namespace optischema {
namespace {

struct Target {
    pg::Connection conn;
    pg::Capabilities caps;
};

Target& Shared() {
    static Target* target = [] {
        const char* dsn = std::getenv("OPTISCHEMA_BENCH_DSN");
        if (dsn == nullptr) {
            std::cerr << "set OPTISCHEMA_BENCH_DSN (bench/run.sh does)\n";
            std::exit(2);
        }
        auto conn = pg::Connection::Open(dsn);
        if (!conn) {
            std::cerr << conn.error().ToString() << "\n";
            std::exit(2);
        }
        auto caps = pg::DetectCapabilities(*conn);
        if (!caps) {
            std::cerr << caps.error().ToString() << "\n";
            std::exit(2);
        }
        return new Target{std::move(*conn), std::move(*caps)};
    }();
    return *target;
}

void BM_Floor_SelectStarFromPgStatStatements(benchmark::State& state) {
    auto& t = Shared();
    for (auto _ : state) {
        // The cheapest any client pays: the server's work, the transfer and libpq's parsing.
        auto r = t.conn.Execute("SELECT * FROM pg_stat_statements");
        if (!r) state.SkipWithError(r.error().message.c_str());
    }
}

void BM_FirstCycle(benchmark::State& state) {
    auto& t = Shared();
    collector::PgStatsSource source(t.conn, t.caps, collector::DatabaseScope::kAllDatabases);
    std::size_t texts = 0;
    for (auto _ : state) {
        collector::QueryCatalog catalog;
        collector::Collector c(source, catalog);
        auto r = c.Collect();
        if (!r) state.SkipWithError(r.error().message.c_str());
        texts = catalog.size();
    }
    state.counters["texts"] = static_cast<double>(texts);
}

void BM_SteadyCycle(benchmark::State& state) {
    auto& t = Shared();
    collector::PgStatsSource source(t.conn, t.caps, collector::DatabaseScope::kAllDatabases);
    collector::QueryCatalog catalog;
    collector::Collector c(source, catalog);
    if (!c.Collect()) state.SkipWithError("warm-up cycle failed");
    std::size_t new_texts = 0;
    for (auto _ : state) {
        auto r = c.Collect();
        if (!r) state.SkipWithError(r.error().message.c_str());
        new_texts += r ? r->new_queryids.size() : 0;
    }
    state.counters["new_texts"] = static_cast<double>(new_texts);
}

void BM_ReadStatementsWithTexts(benchmark::State& state) {
    auto& t = Shared();
    collector::PgStatsSource source(t.conn, t.caps, collector::DatabaseScope::kAllDatabases);
    for (auto _ : state) benchmark::DoNotOptimize(source.ReadStatements(true));
}

void BM_Fingerprint5000Texts(benchmark::State& state) {
    auto& t = Shared();
    collector::PgStatsSource source(t.conn, t.caps, collector::DatabaseScope::kAllDatabases);
    auto rows = source.ReadStatements(true);
    std::unordered_map<std::int64_t, std::string> texts;
    for (auto& r : *rows) texts.emplace(r.stats.key.queryid, r.query.value_or(""));
    for (auto _ : state) {
        collector::QueryCatalog catalog;
        catalog.Add(texts, static_cast<unsigned>(state.range(0)));
    }
}

BENCHMARK(BM_Floor_SelectStarFromPgStatStatements)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_ReadStatementsWithTexts)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Fingerprint5000Texts)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_FirstCycle)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_SteadyCycle)->Unit(benchmark::kMillisecond)->MinTime(2.0);

/// Prints as the console does and keeps each benchmark's real time, for the ratios.
class RatioReporter : public benchmark::ConsoleReporter {
public:
    void ReportRuns(const std::vector<Run>& runs) override {
        ConsoleReporter::ReportRuns(runs);
        // Names carry suffixes such as "/min_time:2.000"; keep the function name.
        for (const auto& r : runs) real_ms_[r.run_name.function_name] = r.GetAdjustedRealTime();
    }
    void Finalize() override {
        ConsoleReporter::Finalize();
        const double floor = real_ms_["BM_Floor_SelectStarFromPgStatStatements"];
        if (floor <= 0) return;
        std::cout << "\nratio to the floor (goal: first cycle <= 1.5, steady cycle <= 0.7)\n";
        std::cout << "  first cycle:  " << real_ms_["BM_FirstCycle"] / floor << "\n";
        std::cout << "  steady cycle: " << real_ms_["BM_SteadyCycle"] / floor << "\n";
    }

private:
    std::map<std::string, double> real_ms_;
};

}  // namespace
}  // namespace optischema

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    optischema::RatioReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();
    return 0;
}
