// SaveSnapshot and RangeGroups on the SQLite store and the PostgreSQL store, at the sizes a busy target
// produces: 5,000 fingerprint groups per snapshot, an hour of minutely snapshots for a range; and
// RangeGroups over a week (2,016 five-minute snapshots of 1,000 groups), where the hourly rollups
// matter; and one batch of PruneHistory (50 snapshots of 1,000 groups). RangeGroups is timed both through the store
// (rollups for whole hours, snapshots for the edges) and as the plain aggregation of every snapshot it replaced, run on
// the same database.
//
// The PostgreSQL store is the database in OPTISCHEMA_BENCH_DSN (bench/store/run.sh starts a cluster and
// sets it); the SQLite store is a fresh directory under TMPDIR.

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <unistd.h>

#include "pg/connection.hpp"
#include "sqlite/statement.hpp"
#include "store/internal/pg_util.hpp"
#include "store/internal/read_records.hpp"
#include "store/internal/snapshot_rules.hpp"
#include "store/pg_store.hpp"
#include "store/sqlite_store.hpp"

namespace optischema::store {
namespace {

constexpr int kGroups = 5000;
constexpr int kRangeSnapshots = 60;
// A week of five-minute snapshots of 1,000 groups: 2,016 snapshots, 2 million group rows (about 20 s
// of SaveSnapshot calls into SQLite on a 2-core machine, a minute into PostgreSQL).
constexpr int kWeekGroups = 1000;
constexpr std::int64_t kPruneSnapshots = detail::kPruneBatchSnapshots;
constexpr long long kWeekStepMs = 5 * 60'000;
constexpr int kWeekSnapshots = 7 * 24 * 12;
constexpr long long kWeekStartMs = 1'700'002'800'000;  // a whole hour

enum StoreKind { kSqlite = 0, kPostgres = 1 };
// How RangeGroups is computed: through the store, or by the aggregation of every snapshot in the range
// that the store ran before the hourly rollups.
enum RangePath { kRawSnapshots = 0, kStoreRollups = 1 };

std::filesystem::path SqliteDir(const std::string& name) {
    return std::filesystem::temp_directory_path() / fmt::format("optischema_bench_{}_{}", name, getpid());
}

const char* BenchDsn() {
    const char* dsn = std::getenv("OPTISCHEMA_BENCH_DSN");
    if (dsn == nullptr) throw std::runtime_error("OPTISCHEMA_BENCH_DSN is not set: run bench/store/run.sh");
    return dsn;
}

/// The store of one benchmark; `fresh` empties a SQLite directory first (the PostgreSQL database is
/// created fresh by run.sh, and targets keep benchmarks apart in it).
std::unique_ptr<Store> OpenStore(StoreKind kind, const std::string& name, bool fresh) {
    if (kind == kSqlite) {
        const auto dir = SqliteDir(name);
        if (fresh) std::filesystem::remove_all(dir);
        auto store = SqliteStore::Open(dir.string());
        if (!store) throw std::runtime_error(store.error().ToString());
        return std::move(*store);
    }
    auto store = PgStore::Open(BenchDsn());
    if (!store) throw std::runtime_error(store.error().ToString());
    return std::move(*store);
}

std::int64_t Target(Store& store, const std::string& name) {
    auto target = store.EnsureTarget(name, "bench");
    if (!target) throw std::runtime_error(target.error().ToString());
    return target->id;
}

/// A realistic snapshot: `groups` groups with normalized texts of ~100 bytes.
SnapshotWrite MakeWrite(std::int64_t target_id, long long taken_at_ms, int seed, int groups = kGroups) {
    SnapshotWrite w;
    w.snapshot.target_id = target_id;
    w.snapshot.info.taken_at = FromUnixMs(taken_at_ms);
    w.snapshot.info.server_version = "15.18";
    w.snapshot.interval_ms = 60'000;
    for (int g = 0; g < groups; ++g) {
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
    w.ranking.group_count = static_cast<std::size_t>(groups);
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

/// RangeGroups as the stores computed it before the hourly rollups: every delta snapshot of the range
/// summed (the same statement texts), on the store's own database.
class RawRangeGroups {
public:
    RawRangeGroups(StoreKind kind, const std::string& sqlite_name) : kind_(kind) {
        if (kind == kSqlite) {
            const std::string file = (SqliteDir(sqlite_name) / "optischema.db").string();
            if (sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
                throw std::runtime_error("cannot open " + file);
            }
            return;
        }
        auto conn = pg::Connection::Open(BenchDsn(), pg::SessionLimits{.statement_timeout = std::chrono::seconds(60),
                                                                       .lock_timeout = std::chrono::seconds(30)});
        if (!conn) throw std::runtime_error(conn.error().ToString());
        conn_.emplace(std::move(*conn));
    }
    ~RawRangeGroups() { sqlite3_close_v2(db_); }
    RawRangeGroups(const RawRangeGroups&) = delete;
    RawRangeGroups& operator=(const RawRangeGroups&) = delete;

    Result<std::vector<model::StatementGroup>> Run(std::int64_t target_id,
                                                   long long from_ms,
                                                   long long to_ms,
                                                   std::size_t limit) {
        std::string sums;
        for (std::string_view name : detail::kCounterNames) sums += fmt::format(", sum(g.{})", name);
        std::vector<model::StatementGroup> out;
        if (kind_ == kSqlite) {
            const std::string sql = fmt::format(
                "SELECT g.fingerprint, max(g.query){} FROM snapshot_groups g JOIN snapshots s ON s.id = "
                "g.snapshot_id WHERE s.target_id = ?1 AND s.taken_at_ms BETWEEN ?2 AND ?3 AND s.interval_ms IS NOT "
                "NULL AND g.fingerprint <> 'other' GROUP BY g.fingerprint "
                "ORDER BY sum(g.total_exec_ms + g.total_plan_ms) DESC LIMIT ?4",
                sums);
            sqlite::Statement st(db_, sql.c_str());
            if (!st.ok()) return MakeError(ErrorCode::kStorage, sqlite3_errmsg(db_));
            st.Bind(1, target_id).Bind(2, std::int64_t{from_ms}).Bind(3, std::int64_t{to_ms});
            st.Bind(4, static_cast<std::int64_t>(limit));
            while (st.Step() == SQLITE_ROW) {
                model::StatementGroup g;
                g.fingerprint = st.Text(0);
                g.query = st.Text(1);
                int i = 2;
                model::ForEachCounterField([&](auto field) {
                    if constexpr (std::is_same_v<std::remove_reference_t<decltype(g.counters.*field)>, double>) {
                        g.counters.*field = st.Real(i++);
                    } else {
                        g.counters.*field = st.Int(i++);
                    }
                });
                out.push_back(std::move(g));
            }
            return out;
        }
        const std::string sql = fmt::format(
            "SELECT g.fingerprint, max(g.query COLLATE \"C\"){} FROM optischema.snapshot_groups g "
            "JOIN optischema.snapshots s ON s.id = g.snapshot_id "
            "WHERE s.target_id = $1 AND s.taken_at_ms BETWEEN $2 AND $3 AND s.interval_ms IS NOT NULL "
            "AND g.fingerprint <> 'other' GROUP BY g.fingerprint "
            "ORDER BY sum(g.total_exec_ms + g.total_plan_ms) DESC, g.fingerprint LIMIT $4",
            sums);
        auto rows = conn_->Query(sql, detail::Params(target_id, from_ms, to_ms, static_cast<std::int64_t>(limit)));
        if (!rows) return tl::unexpected(rows.error());
        for (const auto& r : *rows) {
            model::StatementGroup g;
            g.fingerprint = detail::AsText(r, 0);
            g.query = detail::AsText(r, 1);
            g.counters = detail::ReadCounters(detail::PgRow(r), 2);
            out.push_back(std::move(g));
        }
        return out;
    }

private:
    StoreKind kind_;
    sqlite3* db_ = nullptr;
    std::optional<pg::Connection> conn_;
};

/// Saves `count` snapshots of `groups` groups `step_ms` apart from `first_ms` unless the target has them.
bool EnsureSnapshots(benchmark::State& state,
                     Store& store,
                     std::int64_t target_id,
                     int count,
                     long long first_ms,
                     long long step_ms,
                     int groups) {
    auto existing = store.ListSnapshots(target_id, static_cast<std::size_t>(count));
    if (existing && existing->size() >= static_cast<std::size_t>(count)) return true;
    for (int s = 0; s < count; ++s) {
        if (auto id = store.SaveSnapshot(MakeWrite(target_id, first_ms + step_ms * s, s, groups)); !id) {
            state.SkipWithError(id.error().ToString().c_str());
            return false;
        }
    }
    return true;
}

/// Times RangeGroups over [from_ms, to_ms] by `path`, after checking that both paths agree.
void TimeRange(benchmark::State& state,
               StoreKind kind,
               RangePath path,
               const std::string& sqlite_name,
               Store& store,
               std::int64_t target_id,
               long long from_ms,
               long long to_ms,
               std::size_t limit) {
    std::unique_ptr<RawRangeGroups> raw;
    try {
        raw = std::make_unique<RawRangeGroups>(kind, sqlite_name);
    } catch (const std::exception& e) {
        state.SkipWithError(e.what());
        return;
    }
    auto run = [&]() {
        return path == kRawSnapshots ? raw->Run(target_id, from_ms, to_ms, limit)
                                     : store.RangeGroups(target_id, FromUnixMs(from_ms), FromUnixMs(to_ms), limit);
    };
    auto by_store = store.RangeGroups(target_id, FromUnixMs(from_ms), FromUnixMs(to_ms), limit);
    auto by_raw = raw->Run(target_id, from_ms, to_ms, limit);
    if (!by_store || !by_raw || by_store->empty() || by_store->size() != by_raw->size()) {
        state.SkipWithError("the store and the raw aggregation disagree (or failed)");
        return;
    }
    for (std::size_t i = 0; i < by_store->size(); ++i) {
        const auto& a = (*by_store)[i];
        const auto& b = (*by_raw)[i];
        if (a.fingerprint != b.fingerprint || a.query != b.query || a.counters.calls != b.counters.calls ||
            a.counters.rows != b.counters.rows) {
            state.SkipWithError(fmt::format("row {} differs: {} vs {}", i, a.fingerprint, b.fingerprint).c_str());
            return;
        }
    }
    for (auto _ : state) {
        auto groups = run();
        if (!groups || groups->empty()) {
            state.SkipWithError(groups ? "no groups" : groups.error().ToString().c_str());
            return;
        }
        benchmark::DoNotOptimize(groups->front().counters.calls);
    }
}

// Args: store kind, how many groups to return (the dashboard's top list), RangePath, and whether the
// range is shifted by 30 s so that it holds no whole hour (the store then reads only snapshots).
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
    if (!EnsureSnapshots(state, *store, target_id, kRangeSnapshots, 60'000, 60'000, kGroups)) return;
    const long long shift_ms = state.range(3) != 0 ? 30'000 : 0;
    TimeRange(state, kind, static_cast<RangePath>(state.range(2)), "range", *store, target_id, shift_ms,
              60'000LL * (kRangeSnapshots + 1) + shift_ms, static_cast<std::size_t>(state.range(1)));
    state.SetItemsProcessed(state.iterations() * kRangeSnapshots * kGroups);
}
BENCHMARK(BM_RangeGroups)
    ->ArgNames({"pg", "limit", "rollups", "shifted"})
    ->Args({kSqlite, 50, kRawSnapshots, 0})
    ->Args({kSqlite, 50, kStoreRollups, 0})
    ->Args({kSqlite, 50, kStoreRollups, 1})
    ->Args({kPostgres, 50, kRawSnapshots, 0})
    ->Args({kPostgres, 50, kStoreRollups, 0})
    ->Args({kPostgres, 50, kStoreRollups, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(3);

// A week of five-minute snapshots, written once per store.
std::int64_t WeekTarget(benchmark::State& state, Store& store, StoreKind kind) {
    const std::int64_t target_id = Target(store, fmt::format("week-{}", static_cast<int>(kind)));
    if (!EnsureSnapshots(state, store, target_id, kWeekSnapshots, kWeekStartMs, kWeekStepMs, kWeekGroups)) return 0;
    return target_id;
}

// Args: store kind, RangePath. The range is the week less 17 minutes at the start and 23 at the end:
// 166 whole hours from the rollups, two partial hours from the snapshots.
void BM_WeekRangeGroups(benchmark::State& state) {
    const auto kind = static_cast<StoreKind>(state.range(0));
    std::unique_ptr<Store> store;
    try {
        store = OpenStore(kind, "week", false);
    } catch (const std::exception& e) {
        state.SkipWithError(e.what());
        return;
    }
    const std::int64_t target_id = WeekTarget(state, *store, kind);
    if (target_id == 0) return;
    const long long from_ms = kWeekStartMs + 17 * 60'000;
    const long long to_ms = kWeekStartMs + kWeekStepMs * kWeekSnapshots - 23 * 60'000;
    TimeRange(state, kind, static_cast<RangePath>(state.range(1)), "week", *store, target_id, from_ms, to_ms, 50);
    state.SetItemsProcessed(state.iterations() * kWeekSnapshots * kWeekGroups);
}
BENCHMARK(BM_WeekRangeGroups)
    ->ArgNames({"pg", "rollups"})
    ->Args({kSqlite, kRawSnapshots})
    ->Args({kSqlite, kStoreRollups})
    ->Args({kPostgres, kRawSnapshots})
    ->Args({kPostgres, kStoreRollups})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(3);

// Args: store kind. One fingerprint over the week: GroupHistory still reads the snapshots.
void BM_WeekGroupHistory(benchmark::State& state) {
    const auto kind = static_cast<StoreKind>(state.range(0));
    std::unique_ptr<Store> store;
    try {
        store = OpenStore(kind, "week", false);
    } catch (const std::exception& e) {
        state.SkipWithError(e.what());
        return;
    }
    const std::int64_t target_id = WeekTarget(state, *store, kind);
    if (target_id == 0) return;
    for (auto _ : state) {
        auto points = store->GroupHistory(target_id, fmt::format("{:016x}", 500), FromUnixMs(kWeekStartMs),
                                          FromUnixMs(kWeekStartMs + kWeekStepMs * kWeekSnapshots));
        if (!points || points->size() != static_cast<std::size_t>(kWeekSnapshots)) {
            state.SkipWithError(points ? "not one point per snapshot" : points.error().ToString().c_str());
            return;
        }
        benchmark::DoNotOptimize(points->back().group.counters.calls);
    }
}
BENCHMARK(BM_WeekGroupHistory)
    ->ArgNames({"pg"})
    ->Arg(kSqlite)
    ->Arg(kPostgres)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// Args: store kind. One batch of PruneHistory, the longest a collector of the same store may wait for
// it: kPruneBatchSnapshots snapshots of 1,000 groups deleted (the target's latest one stays).
void BM_PruneBatch(benchmark::State& state) {
    const auto kind = static_cast<StoreKind>(state.range(0));
    std::unique_ptr<Store> store;
    try {
        store = OpenStore(kind, "prune", true);
    } catch (const std::exception& e) {
        state.SkipWithError(e.what());
        return;
    }
    const std::int64_t target_id = Target(*store, fmt::format("prune-{}", state.range(0)));
    long long t = 1'000'000;
    for (auto _ : state) {
        state.PauseTiming();
        for (int i = 0; i <= kPruneSnapshots; ++i) {
            if (auto id = store->SaveSnapshot(MakeWrite(target_id, t += 60'000, i, kWeekGroups)); !id) {
                state.SkipWithError(id.error().ToString().c_str());
                return;
            }
        }
        state.ResumeTiming();
        auto pruned = store->PruneHistory(target_id, FromUnixMs(t), std::nullopt);
        if (!pruned || pruned->snapshots < kPruneSnapshots) {
            state.SkipWithError(pruned ? "not one batch deleted" : pruned.error().ToString().c_str());
            return;
        }
    }
    state.SetItemsProcessed(state.iterations() * kPruneSnapshots * kWeekGroups);
}
BENCHMARK(BM_PruneBatch)
    ->ArgNames({"pg"})
    ->Arg(kSqlite)
    ->Arg(kPostgres)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(3);

}  // namespace
}  // namespace optischema::store

BENCHMARK_MAIN();
