#pragma once

// The behaviour every Store implementation owes its callers, as one value-parameterized GoogleTest
// suite (store_contract_*.cpp, one file per concern). A test binary instantiates it with a factory of
// its implementation:
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, StoreContract, ::testing::Values(contract::StoreFactory{"Sqlite", ...}),
//                            contract::FactoryName);

#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "store/store.hpp"

namespace optischema::store::contract {

/// One fresh, empty store location for one test: opens stores on it and looks at it without the store.
class StoreHarness {
public:
    virtual ~StoreHarness() = default;
    /// A new store on this location; a second call gives a second instance on the same data.
    [[nodiscard]] virtual std::unique_ptr<Store> Open() = 0;
    /// Runs SQL on the location directly (sqlite3 or libpq, not the store; tables unqualified); throws
    /// std::runtime_error when the database refuses it.
    virtual void RawExec(const std::string& sql) = 0;
    /// The first column of the first row of `sql`, run directly, as a number.
    [[nodiscard]] virtual long long RawInt(const std::string& sql) = 0;
};

/// Makes a harness on a fresh location; `name` names the instantiation.
struct StoreFactory {
    std::string name;
    std::function<std::unique_ptr<StoreHarness>()> make;
};

inline void PrintTo(const StoreFactory& factory, std::ostream* out) { *out << factory.name; }
inline std::string FactoryName(const ::testing::TestParamInfo<StoreFactory>& info) { return info.param.name; }

/// Each test gets a fresh location and one store on it.
class StoreContract : public ::testing::TestWithParam<StoreFactory> {
protected:
    void SetUp() override {
        harness_ = GetParam().make();
        store_ = harness_->Open();
    }

    std::unique_ptr<StoreHarness> harness_;
    std::unique_ptr<Store> store_;
};

// Builders shared by the contract and the implementations' own tests.

inline model::StatementGroup Group(const std::string& fingerprint,
                                   std::vector<std::int64_t> queryids,
                                   const std::string& query,
                                   std::int64_t calls,
                                   double exec_ms) {
    model::StatementGroup g;
    g.fingerprint = fingerprint;
    g.queryids = std::move(queryids);
    g.query = query;
    g.counters = model::Counters{.calls = calls,
                                 .total_exec_ms = exec_ms,
                                 .total_plan_ms = exec_ms / 10,
                                 .rows = calls * 2,
                                 .shared_blks_hit = calls * 3,
                                 .shared_blks_read = calls,
                                 .shared_blks_dirtied = 4,
                                 .shared_blks_written = 5,
                                 .temp_blks_read = 6,
                                 .temp_blks_written = 7,
                                 .blk_read_ms = 0.25,
                                 .blk_write_ms = 0.125};
    return g;
}

inline SnapshotWrite Write(std::int64_t target_id,
                           long long taken_at_ms,
                           std::optional<std::int64_t> interval_ms,
                           std::vector<model::StatementGroup> top,
                           std::optional<model::StatementGroup> other = std::nullopt) {
    SnapshotWrite w;
    w.snapshot.target_id = target_id;
    w.snapshot.info.taken_at = FromUnixMs(taken_at_ms);
    w.snapshot.info.server_version = "15.18";
    w.snapshot.interval_ms = interval_ms;
    for (const auto& g : top) w.ranking.total_ms += g.counters.TotalMs();
    if (other) w.ranking.total_ms += other->counters.TotalMs();
    w.ranking.group_count = top.size() + (other ? 3 : 0);
    w.ranking.top = std::move(top);
    w.ranking.other = std::move(other);
    return w;
}

inline model::Baseline MakeBaseline(long long taken_at_ms, std::size_t entries) {
    model::Baseline b;
    b.info.taken_at = FromUnixMs(taken_at_ms);
    b.info.server_version = "15.18";
    b.info.stats_reset = FromUnixMs(1'700'000'000'000);
    b.info.dealloc = 3;
    for (std::size_t i = 0; i < entries; ++i) {
        const auto n = static_cast<std::int64_t>(i);
        b.counters.emplace(model::StatementKey{.userid = 10, .dbid = 5, .queryid = n * 7919 - 1000, .toplevel = true},
                           model::Counters{.calls = n + 1, .total_exec_ms = 0.5 * static_cast<double>(n)});
    }
    return b;
}

inline void ExpectCountersEq(const model::Counters& a, const model::Counters& b) {
    EXPECT_EQ(a.calls, b.calls);
    EXPECT_DOUBLE_EQ(a.total_exec_ms, b.total_exec_ms);
    EXPECT_DOUBLE_EQ(a.total_plan_ms, b.total_plan_ms);
    EXPECT_EQ(a.rows, b.rows);
    EXPECT_EQ(a.shared_blks_hit, b.shared_blks_hit);
    EXPECT_EQ(a.shared_blks_read, b.shared_blks_read);
    EXPECT_EQ(a.shared_blks_dirtied, b.shared_blks_dirtied);
    EXPECT_EQ(a.shared_blks_written, b.shared_blks_written);
    EXPECT_EQ(a.temp_blks_read, b.temp_blks_read);
    EXPECT_EQ(a.temp_blks_written, b.temp_blks_written);
    EXPECT_DOUBLE_EQ(a.blk_read_ms, b.blk_read_ms);
    EXPECT_DOUBLE_EQ(a.blk_write_ms, b.blk_write_ms);
}

inline const std::string kFpA = "aaaaaaaaaaaaaaaa";
inline const std::string kFpB = "bbbbbbbbbbbbbbbb";
inline const std::string kFpC = "cccccccccccccccc";

// Ranges over hours, for the hourly rollups behind RangeGroups.

inline constexpr long long kHourMs = 3'600'000;
/// A whole UTC hour (2023-11-14 23:00): the hourly workload starts here.
inline constexpr long long kWorkloadStartMs = 1'700'002'800'000;

/// Saves a workload of `target_id` spread unevenly over the hours around kWorkloadStartMs (the hour
/// before it to six hours after): delta snapshots every 10 minutes and on, just before and just after
/// hour boundaries, query texts that vary between snapshots, "other" groups, two fingerprints that always
/// tie, and one cumulative snapshot. `seed` varies the numbers. Returns what was saved, for RawRange.
std::vector<SnapshotWrite> SaveHourlyWorkload(Store& store, std::int64_t target_id, int seed);

/// What RangeGroups owes over `writes`, summed here from the writes themselves: every fingerprint but
/// "other" of the target's delta snapshots taken in [from_ms, to_ms], by total time descending then by
/// fingerprint, the greatest text (bytewise), at most `limit`.
std::vector<model::StatementGroup> RawRange(const std::vector<SnapshotWrite>& writes,
                                            std::int64_t target_id,
                                            long long from_ms,
                                            long long to_ms,
                                            std::size_t limit);

/// The instants around the hourly workload a range may start or end at: hour boundaries and a
/// millisecond either side of them, snapshot times, mid-hour instants, before and after everything.
std::vector<long long> WorkloadInstants();

/// Expects RangeGroups to equal RawRange exactly for every pair of WorkloadInstants() (from after to
/// included) and several limits.
void ExpectRangesExact(Store& store, const std::vector<SnapshotWrite>& writes, std::int64_t target_id);

/// The hourly workloads of two targets, "a" (seed 0) and "b" (seed 1), as they were saved.
struct TwoWorkloads {
    std::int64_t a = 0;
    std::int64_t b = 0;
    std::vector<SnapshotWrite> writes_a;
    std::vector<SnapshotWrite> writes_b;
};

/// Creates the targets "a" and "b" and saves their hourly workloads; throws when the store refuses.
TwoWorkloads SaveTwoHourlyWorkloads(Store& store);

/// For a migration that rebuilt the rollups of `workloads`: expects ranges over both exact, then that a
/// new snapshot of "a" adds to the rebuilt hours (it is appended to `workloads.writes_a`).
void ExpectRebuiltRollupsExact(Store& store, TwoWorkloads& workloads);

}  // namespace optischema::store::contract
