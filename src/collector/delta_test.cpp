#include "collector/delta.hpp"

#include <algorithm>
#include <chrono>
#include <optional>
#include <vector>

#include <gtest/gtest.h>

namespace optischema::collector {
namespace {

using model::Counters;
using model::SnapshotInfo;
using model::StatementKey;
using model::StatementStats;

StatementKey Key(std::int64_t queryid, std::uint32_t userid = 10, std::uint32_t dbid = 5, bool toplevel = true) {
    return StatementKey{.userid = userid, .dbid = dbid, .queryid = queryid, .toplevel = toplevel};
}

StatementStats Entry(StatementKey key,
                     std::int64_t calls,
                     double exec_ms,
                     std::int64_t rows = 0,
                     std::int64_t hit = 0,
                     std::int64_t read = 0) {
    return StatementStats{
        key,
        Counters{
            .calls = calls, .total_exec_ms = exec_ms, .rows = rows, .shared_blks_hit = hit, .shared_blks_read = read}};
}

SnapshotInfo Info(long long taken_at_ms, std::optional<long long> stats_reset_ms = 1'700'000'000'000) {
    SnapshotInfo info;
    info.taken_at = FromUnixMs(taken_at_ms);
    info.server_version = "15.18";
    if (stats_reset_ms) info.stats_reset = FromUnixMs(*stats_reset_ms);
    return info;
}

const StatementStats* FindDelta(const std::vector<StatementStats>& deltas, const StatementKey& key) {
    auto it = std::find_if(deltas.begin(), deltas.end(), [&](const StatementStats& s) { return s.key == key; });
    return it == deltas.end() ? nullptr : &*it;
}

void ExpectNoNegativeCounters(const std::vector<StatementStats>& deltas) {
    for (const auto& d : deltas) {
        SCOPED_TRACE(d.key.queryid);
        const Counters& c = d.counters;
        EXPECT_GE(c.calls, 0);
        EXPECT_GE(c.total_exec_ms, 0);
        EXPECT_GE(c.total_plan_ms, 0);
        EXPECT_GE(c.rows, 0);
        EXPECT_GE(c.shared_blks_hit, 0);
        EXPECT_GE(c.shared_blks_read, 0);
        EXPECT_GE(c.shared_blks_dirtied, 0);
        EXPECT_GE(c.shared_blks_written, 0);
        EXPECT_GE(c.temp_blks_read, 0);
        EXPECT_GE(c.temp_blks_written, 0);
        EXPECT_GE(c.blk_read_ms, 0);
        EXPECT_GE(c.blk_write_ms, 0);
    }
}

TEST(MakeBaselineTest, KeepsInfoAndEveryEntryByKey) {
    const SnapshotInfo info = Info(1'000, 500);
    const std::vector<StatementStats> now = {Entry(Key(1), 3, 1.5), Entry(Key(1, 10, 5, false), 7, 2.5),
                                             Entry(Key(2, 11), 1, 0.5)};
    const Baseline b = MakeBaseline(info, now);
    EXPECT_EQ(b.info.taken_at, info.taken_at);
    EXPECT_EQ(b.info.server_version, "15.18");
    EXPECT_EQ(b.info.stats_reset, info.stats_reset);
    ASSERT_EQ(b.counters.size(), 3u);
    EXPECT_EQ(b.counters.at(Key(1)).calls, 3);
    EXPECT_EQ(b.counters.at(Key(1, 10, 5, false)).calls, 7);
    EXPECT_DOUBLE_EQ(b.counters.at(Key(2, 11)).total_exec_ms, 0.5);
}

TEST(MakeBaselineTest, EmptyReadingGivesEmptyBaseline) {
    const Baseline b = MakeBaseline(Info(1'000), {});
    EXPECT_TRUE(b.counters.empty());
    EXPECT_TRUE(b.info.stats_reset.has_value());
}

TEST(ComputeDeltasTest, SubtractsEveryCounterPerKey) {
    Counters before_c{.calls = 10,
                      .total_exec_ms = 100,
                      .total_plan_ms = 4,
                      .rows = 50,
                      .shared_blks_hit = 900,
                      .shared_blks_read = 100,
                      .shared_blks_dirtied = 3,
                      .shared_blks_written = 2,
                      .temp_blks_read = 8,
                      .temp_blks_written = 9,
                      .blk_read_ms = 1.5,
                      .blk_write_ms = 0.5};
    Counters now_c{.calls = 15,
                   .total_exec_ms = 160,
                   .total_plan_ms = 5,
                   .rows = 75,
                   .shared_blks_hit = 1400,
                   .shared_blks_read = 120,
                   .shared_blks_dirtied = 4,
                   .shared_blks_written = 6,
                   .temp_blks_read = 10,
                   .temp_blks_written = 19,
                   .blk_read_ms = 2.0,
                   .blk_write_ms = 1.0};
    const Baseline before = MakeBaseline(Info(1'000), {{Key(42), before_c}});
    DeltaReport report;
    const auto deltas = ComputeDeltas(before, Info(61'000), {{Key(42), now_c}}, &report);

    ASSERT_EQ(deltas.size(), 1u);
    const Counters& d = deltas[0].counters;
    EXPECT_EQ(deltas[0].key, Key(42));
    EXPECT_EQ(d.calls, 5);
    EXPECT_DOUBLE_EQ(d.total_exec_ms, 60);
    EXPECT_DOUBLE_EQ(d.total_plan_ms, 1);
    EXPECT_EQ(d.rows, 25);
    EXPECT_EQ(d.shared_blks_hit, 500);
    EXPECT_EQ(d.shared_blks_read, 20);
    EXPECT_EQ(d.shared_blks_dirtied, 1);
    EXPECT_EQ(d.shared_blks_written, 4);
    EXPECT_EQ(d.temp_blks_read, 2);
    EXPECT_EQ(d.temp_blks_written, 10);
    EXPECT_DOUBLE_EQ(d.blk_read_ms, 0.5);
    EXPECT_DOUBLE_EQ(d.blk_write_ms, 0.5);

    EXPECT_FALSE(report.full_reset);
    EXPECT_EQ(report.new_entries, 0u);
    EXPECT_EQ(report.restarted_entries, 0u);
    EXPECT_EQ(report.evicted_entries, 0u);
}

TEST(ComputeDeltasTest, LeavesOutEntriesWithoutNewWork) {
    const Baseline before = MakeBaseline(Info(1'000), {Entry(Key(1), 4, 8.0), Entry(Key(2), 3, 1.0)});
    const auto deltas = ComputeDeltas(before, Info(2'000), {Entry(Key(1), 4, 8.0), Entry(Key(2), 5, 2.0)});
    ASSERT_EQ(deltas.size(), 1u);
    EXPECT_EQ(deltas[0].key, Key(2));
    EXPECT_EQ(deltas[0].counters.calls, 2);
    EXPECT_DOUBLE_EQ(deltas[0].counters.total_exec_ms, 1.0);
}

TEST(ComputeDeltasTest, KeepsEntryWhosePlanningTimeGrewWithoutCalls) {
    // With track_planning an entry is planned (total_plan_time grows) before its first execution completes.
    const Baseline before = MakeBaseline(Info(1'000), {{Key(1), Counters{.calls = 2, .total_plan_ms = 1.0}}});
    const auto deltas = ComputeDeltas(before, Info(2'000), {{Key(1), Counters{.calls = 2, .total_plan_ms = 3.0}}});
    ASSERT_EQ(deltas.size(), 1u);
    EXPECT_EQ(deltas[0].counters.calls, 0);
    EXPECT_DOUBLE_EQ(deltas[0].counters.total_plan_ms, 2.0);
}

TEST(ComputeDeltasTest, NewEntryCountsFromZero) {
    const Baseline before = MakeBaseline(Info(1'000), {Entry(Key(1), 4, 8.0)});
    DeltaReport report;
    const auto deltas =
        ComputeDeltas(before, Info(2'000), {Entry(Key(1), 6, 9.0), Entry(Key(2), 3, 12.0, 30, 7, 1)}, &report);
    ASSERT_EQ(deltas.size(), 2u);
    const StatementStats* fresh = FindDelta(deltas, Key(2));
    ASSERT_NE(fresh, nullptr);
    EXPECT_EQ(fresh->counters.calls, 3);
    EXPECT_DOUBLE_EQ(fresh->counters.total_exec_ms, 12.0);
    EXPECT_EQ(fresh->counters.rows, 30);
    EXPECT_EQ(fresh->counters.shared_blks_hit, 7);
    EXPECT_EQ(report.new_entries, 1u);
    EXPECT_EQ(report.restarted_entries, 0u);
    EXPECT_FALSE(report.full_reset);
}

TEST(ComputeDeltasTest, EntryWhoseCountersWentDownCountsFromZero) {
    // Evicted and re-created between the readings: the new incarnation's counters are the work since.
    const Baseline before = MakeBaseline(Info(1'000), {Entry(Key(7), 1000, 5000.0, 1000, 10, 0)});
    DeltaReport report;
    const auto deltas = ComputeDeltas(before, Info(2'000), {Entry(Key(7), 3, 6.0, 3, 12, 1)}, &report);
    ASSERT_EQ(deltas.size(), 1u);
    EXPECT_EQ(deltas[0].counters.calls, 3);
    EXPECT_DOUBLE_EQ(deltas[0].counters.total_exec_ms, 6.0);
    EXPECT_EQ(deltas[0].counters.rows, 3);
    EXPECT_EQ(deltas[0].counters.shared_blks_hit, 12);
    EXPECT_EQ(report.restarted_entries, 1u);
    EXPECT_EQ(report.new_entries, 0u);
    EXPECT_FALSE(report.full_reset);
    ExpectNoNegativeCounters(deltas);
}

TEST(ComputeDeltasTest, ASingleCounterGoingDownIsARestart) {
    // More calls but less time than before is impossible for one incarnation.
    const Baseline before = MakeBaseline(Info(1'000), {Entry(Key(7), 10, 50.0)});
    DeltaReport report;
    const auto deltas = ComputeDeltas(before, Info(2'000), {Entry(Key(7), 12, 1.0)}, &report);
    ASSERT_EQ(deltas.size(), 1u);
    EXPECT_EQ(deltas[0].counters.calls, 12);
    EXPECT_DOUBLE_EQ(deltas[0].counters.total_exec_ms, 1.0);
    EXPECT_EQ(report.restarted_entries, 1u);
    ExpectNoNegativeCounters(deltas);
}

TEST(ComputeDeltasTest, CountsEvictedEntries) {
    const Baseline before =
        MakeBaseline(Info(1'000), {Entry(Key(1), 1, 1.0), Entry(Key(2), 1, 1.0), Entry(Key(3), 1, 1.0)});
    DeltaReport report;
    const auto deltas = ComputeDeltas(before, Info(2'000), {Entry(Key(2), 2, 2.0), Entry(Key(4), 1, 1.0)}, &report);
    EXPECT_EQ(report.evicted_entries, 2u);
    EXPECT_EQ(report.new_entries, 1u);
    EXPECT_EQ(deltas.size(), 2u);
    EXPECT_NE(FindDelta(deltas, Key(2)), nullptr);
    EXPECT_NE(FindDelta(deltas, Key(4)), nullptr);
    EXPECT_EQ(FindDelta(deltas, Key(1)), nullptr);
}

TEST(ComputeDeltasTest, FullResetCountsEveryEntryFromZero) {
    // After pg_stat_statements_reset() an entry can already have more calls than in the baseline;
    // subtracting would hide the work since the reset.
    const Baseline before = MakeBaseline(
        Info(1'000, 500), {Entry(Key(1), 10, 100.0, 10), Entry(Key(2), 50, 5.0, 50), Entry(Key(3), 9, 9.0)});
    DeltaReport report;
    const auto deltas =
        ComputeDeltas(before, Info(2'000, 1'500),
                      {Entry(Key(1), 25, 150.0, 25), Entry(Key(2), 2, 0.5, 2), Entry(Key(9), 1, 3.0)}, &report);
    EXPECT_TRUE(report.full_reset);
    EXPECT_EQ(report.evicted_entries, 1u);  // key 3 did not come back
    EXPECT_EQ(report.new_entries, 1u);      // key 9 was not in the baseline
    ASSERT_EQ(deltas.size(), 3u);
    const StatementStats* grown = FindDelta(deltas, Key(1));
    ASSERT_NE(grown, nullptr);
    EXPECT_EQ(grown->counters.calls, 25);
    EXPECT_DOUBLE_EQ(grown->counters.total_exec_ms, 150.0);
    EXPECT_EQ(grown->counters.rows, 25);
    const StatementStats* shrunk = FindDelta(deltas, Key(2));
    ASSERT_NE(shrunk, nullptr);
    EXPECT_EQ(shrunk->counters.calls, 2);
    EXPECT_DOUBLE_EQ(shrunk->counters.total_exec_ms, 0.5);
    const StatementStats* fresh = FindDelta(deltas, Key(9));
    ASSERT_NE(fresh, nullptr);
    EXPECT_EQ(fresh->counters.calls, 1);
    ExpectNoNegativeCounters(deltas);
}

TEST(ComputeDeltasTest, SameStatsResetIsNoFullReset) {
    const Baseline before = MakeBaseline(Info(1'000, 500), {Entry(Key(1), 10, 100.0)});
    DeltaReport report;
    const auto deltas = ComputeDeltas(before, Info(2'000, 500), {Entry(Key(1), 12, 130.0)}, &report);
    EXPECT_FALSE(report.full_reset);
    ASSERT_EQ(deltas.size(), 1u);
    EXPECT_EQ(deltas[0].counters.calls, 2);
    EXPECT_DOUBLE_EQ(deltas[0].counters.total_exec_ms, 30.0);
}

TEST(ComputeDeltasTest, WithoutStatsResetBeforePostgres14DeltasStillSubtract) {
    const Baseline before = MakeBaseline(Info(1'000, std::nullopt), {Entry(Key(1), 10, 100.0), Entry(Key(2), 5, 5.0)});
    DeltaReport report;
    const auto deltas =
        ComputeDeltas(before, Info(2'000, std::nullopt), {Entry(Key(1), 11, 101.0), Entry(Key(2), 1, 1.0)}, &report);
    EXPECT_FALSE(report.full_reset);
    EXPECT_EQ(report.restarted_entries, 1u);
    ASSERT_EQ(deltas.size(), 2u);
    EXPECT_EQ(FindDelta(deltas, Key(1))->counters.calls, 1);
    EXPECT_EQ(FindDelta(deltas, Key(2))->counters.calls, 1);
    ExpectNoNegativeCounters(deltas);
}

TEST(ComputeDeltasTest, KeysDifferingInUserDatabaseOrNestingAreSeparate) {
    const StatementKey top = Key(77, 10, 5, true);
    const StatementKey nested = Key(77, 10, 5, false);
    const StatementKey other_user = Key(77, 11, 5, true);
    const StatementKey other_db = Key(77, 10, 6, true);
    const Baseline before =
        MakeBaseline(Info(1'000), {Entry(top, 10, 10.0), Entry(nested, 100, 100.0), Entry(other_user, 1000, 1000.0)});
    DeltaReport report;
    const auto deltas = ComputeDeltas(
        before, Info(2'000),
        {Entry(top, 11, 11.0), Entry(nested, 102, 102.0), Entry(other_user, 1003, 1003.0), Entry(other_db, 4, 4.0)},
        &report);
    ASSERT_EQ(deltas.size(), 4u);
    EXPECT_EQ(FindDelta(deltas, top)->counters.calls, 1);
    EXPECT_EQ(FindDelta(deltas, nested)->counters.calls, 2);
    EXPECT_EQ(FindDelta(deltas, other_user)->counters.calls, 3);
    EXPECT_EQ(FindDelta(deltas, other_db)->counters.calls, 4);
    EXPECT_EQ(report.new_entries, 1u);
    EXPECT_EQ(report.restarted_entries, 0u);
}

TEST(ComputeDeltasTest, OverwritesAStaleReport) {
    const Baseline before = MakeBaseline(Info(1'000), {Entry(Key(1), 1, 1.0)});
    DeltaReport report{.full_reset = true, .new_entries = 9, .restarted_entries = 9, .evicted_entries = 9};
    const auto deltas = ComputeDeltas(before, Info(2'000), {Entry(Key(1), 2, 2.0)}, &report);
    EXPECT_EQ(deltas.size(), 1u);
    EXPECT_FALSE(report.full_reset);
    EXPECT_EQ(report.new_entries, 0u);
    EXPECT_EQ(report.restarted_entries, 0u);
    EXPECT_EQ(report.evicted_entries, 0u);
}

TEST(ComputeDeltasTest, ReportIsOptional) {
    const Baseline before = MakeBaseline(Info(1'000), {Entry(Key(1), 5, 1.0)});
    const auto deltas = ComputeDeltas(before, Info(2'000), {Entry(Key(1), 1, 0.1)});
    ASSERT_EQ(deltas.size(), 1u);
    EXPECT_EQ(deltas[0].counters.calls, 1);
}

TEST(ComputeDeltasTest, EmptyReadingEvictsEverything) {
    const Baseline before = MakeBaseline(Info(1'000), {Entry(Key(1), 5, 1.0), Entry(Key(2), 5, 1.0)});
    DeltaReport report;
    const auto deltas = ComputeDeltas(before, Info(2'000), {}, &report);
    EXPECT_TRUE(deltas.empty());
    EXPECT_EQ(report.evicted_entries, 2u);
}

TEST(ComputeDeltasTest, ChainedDeltasAddUpToTheTotalWork) {
    // Three readings of one entry, the middle one after an eviction: the deltas sum to the work done
    // while OptiSchema watched, never less.
    const std::vector<std::vector<StatementStats>> readings = {
        {Entry(Key(1), 100, 1000.0)},
        {Entry(Key(1), 130, 1300.0)},
        {Entry(Key(1), 5, 50.0)},  // evicted and re-created
        {Entry(Key(1), 25, 250.0)},
    };
    Baseline b = MakeBaseline(Info(0), readings[0]);
    std::int64_t calls = 0;
    double ms = 0;
    for (std::size_t i = 1; i < readings.size(); ++i) {
        const auto info = Info(static_cast<long long>(i) * 1'000);
        const auto deltas = ComputeDeltas(b, info, readings[i]);
        ExpectNoNegativeCounters(deltas);
        for (const auto& d : deltas) {
            calls += d.counters.calls;
            ms += d.counters.total_exec_ms;
        }
        b = MakeBaseline(info, readings[i]);
    }
    EXPECT_EQ(calls, 30 + 5 + 20);
    EXPECT_DOUBLE_EQ(ms, 300.0 + 50.0 + 200.0);
}

}  // namespace
}  // namespace optischema::collector
