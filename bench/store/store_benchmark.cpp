// SaveSnapshot and RangeGroups on the SQLite store and the PostgreSQL store, at the sizes a busy target
// produces: 5,000 fingerprint groups per snapshot, an hour of minutely snapshots for a range.
//
// The PostgreSQL store is the database in OPTISCHEMA_BENCH_DSN (bench/store/run.sh starts a cluster and
// sets it); the SQLite store is a fresh directory under TMPDIR.

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <unistd.h>

#include "store/pg_store.hpp"
#include "store/sqlite_store.hpp"

namespace optischema::store {
namespace {

constexpr int kGroups = 5000;
constexpr int kRangeSnapshots = 60;

enum StoreKind { kSqlite = 0, kPostgres = 1 };

/// The store of one benchmark; `fresh` empties a SQLite directory first (the PostgreSQL database is
/// created fresh by run.sh, and targets keep benchmarks apart in it).
std::unique_ptr<Store> OpenStore(StoreKind kind, const std::string& name, bool fresh) {
    if (kind == kSqlite) {
        const auto dir = std::filesystem::temp_directory_path() / fmt::format("optischema_bench_{}_{}", name, getpid());
        if (fresh) std::filesystem::remove_all(dir);
        auto store = SqliteStore::Open(dir.string());
        if (!store) throw std::runtime_error(store.error().ToString());
        return std::move(*store);
    }
    const char* dsn = std::getenv("OPTISCHEMA_BENCH_DSN");
    if (dsn == nullptr) throw std::runtime_error("OPTISCHEMA_BENCH_DSN is not set: run bench/store/run.sh");
    auto store = PgStore::Open(dsn);
    if (!store) throw std::runtime_error(store.error().ToString());
    return std::move(*store);
}

std::int64_t Target(Store& store, const std::string& name) {
    auto target = store.EnsureTarget(name, "bench");
    if (!target) throw std::runtime_error(target.error().ToString());
    return target->id;
}

/// A realistic snapshot: 5,000 groups with normalized texts of ~100 bytes, plus "other".
SnapshotWrite MakeWrite(std::int64_t target_id, long long taken_at_ms, int seed) {
    SnapshotWrite w;
    w.snapshot.target_id = target_id;
    w.snapshot.info.taken_at = FromUnixMs(taken_at_ms);
    w.snapshot.info.server_version = "15.18";
    w.snapshot.interval_ms = 60'000;
    for (int g = 0; g < kGroups; ++g) {
        model::StatementGroup group;
        group.fingerprint = fmt::format("{:016x}", g + 1);
        group.queryids = {g * 7919LL + seed, g * 7919LL + seed + 1};
        group.query = fmt::format(
            "SELECT o.id, o.total FROM orders_{} o JOIN customers c ON c.id = o.customer_id "
            "WHERE o.created_at > $1 LIMIT $2",
            g);
        group.counters = model::Counters{.calls = g + seed + 1,
                                         .total_exec_ms = 0.37 * (g + 1),
                                         .total_plan_ms = 0.01 * g,
                                         .rows = 3 * g,
                                         .shared_blks_hit = 100 * g,
                                         .shared_blks_read = g,
                                         .blk_read_ms = 0.001 * g};
        w.ranking.total_ms += group.counters.TotalMs();
        w.ranking.top.push_back(std::move(group));
    }
    w.ranking.group_count = kGroups;
    return w;
}

model::Baseline MakeBaseline(long long taken_at_ms) {
    model::Baseline b;
    b.info.taken_at = FromUnixMs(taken_at_ms);
    b.info.server_version = "15.18";
    for (int i = 0; i < kGroups; ++i) {
        b.counters.emplace(model::StatementKey{.userid = 10, .dbid = 16384, .queryid = i * 104729LL, .toplevel = true},
                           model::Counters{.calls = i, .total_exec_ms = 1.5 * i});
    }
    return b;
}

// Args: store kind, with the 5,000-entry baseline a collection cycle also writes (1) or not (0).
void BM_SaveSnapshot(benchmark::State& state) {
    const auto kind = static_cast<StoreKind>(state.range(0));
    const bool with_baseline = state.range(1) != 0;
    std::unique_ptr<Store> store;
    try {
        store = OpenStore(kind, "save", true);
    } catch (const std::exception& e) {
        state.SkipWithError(e.what());
        return;
    }
    const std::int64_t target_id = Target(*store, fmt::format("save-{}-{}", state.range(0), state.range(1)));
    const model::Baseline baseline = MakeBaseline(1'000);
    long long t = 1'000'000;
    for (auto _ : state) {
        state.PauseTiming();
        SnapshotWrite w = MakeWrite(target_id, t += 60'000, 0);
        if (with_baseline) w.baseline = &baseline;
        state.ResumeTiming();
        auto id = store->SaveSnapshot(w);
        if (!id) {
            state.SkipWithError(id.error().ToString().c_str());
            return;
        }
    }
    state.SetItemsProcessed(state.iterations() * kGroups);
}
BENCHMARK(BM_SaveSnapshot)
    ->ArgNames({"pg", "baseline"})
    ->Args({kSqlite, 0})
    ->Args({kPostgres, 0})
    ->Args({kSqlite, 1})
    ->Args({kPostgres, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(3);

// Args: store kind, how many groups to return (the dashboard's top list).
void BM_RangeGroups(benchmark::State& state) {
    const auto kind = static_cast<StoreKind>(state.range(0));
    std::unique_ptr<Store> store;
    try {
        store = OpenStore(kind, "range", false);
    } catch (const std::exception& e) {
        state.SkipWithError(e.what());
        return;
    }
    const std::int64_t target_id = Target(*store, fmt::format("range-{}", state.range(0)));
    // An hour of minutely snapshots, written once per store.
    auto existing = store->ListSnapshots(target_id, kRangeSnapshots);
    if (!existing || existing->size() < static_cast<std::size_t>(kRangeSnapshots)) {
        for (int s = 0; s < kRangeSnapshots; ++s) {
            if (auto id = store->SaveSnapshot(MakeWrite(target_id, 60'000LL * (s + 1), s)); !id) {
                state.SkipWithError(id.error().ToString().c_str());
                return;
            }
        }
    }
    for (auto _ : state) {
        auto groups = store->RangeGroups(target_id, FromUnixMs(0), FromUnixMs(60'000LL * (kRangeSnapshots + 1)),
                                         static_cast<std::size_t>(state.range(1)));
        if (!groups || groups->empty()) {
            state.SkipWithError(groups ? "no groups" : groups.error().ToString().c_str());
            return;
        }
        benchmark::DoNotOptimize(groups->front().counters.calls);
    }
    state.SetItemsProcessed(state.iterations() * kRangeSnapshots * kGroups);
}
BENCHMARK(BM_RangeGroups)
    ->ArgNames({"pg", "limit"})
    ->Args({kSqlite, 50})
    ->Args({kPostgres, 50})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(3);

}  // namespace
}  // namespace optischema::store

BENCHMARK_MAIN();
