// The store contract: RangeGroups over the snapshots and the hourly rollups.
#include <set>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "store/store_contract.hpp"

namespace optischema::store::contract {
namespace {

using model::StatementGroup;

TEST_P(StoreContract, RangeGroupsSumDeltasOverTheRange) {
    auto target = store_->EnsureTarget("db", "db");
    ASSERT_TRUE(target);
    // The first snapshot is cumulative (no interval): never summed into a range.
    ASSERT_TRUE(
        store_->SaveSnapshot(Write(target->id, 1'000, std::nullopt, {Group(kFpA, {1}, "SELECT 1", 100, 1000.0)})));
    ASSERT_TRUE(store_->SaveSnapshot(
        Write(target->id, 2'000, 1'000, {Group(kFpA, {1}, "SELECT 1", 2, 20.0), Group(kFpB, {2}, "SELECT 2", 1, 5.0)},
              Group("other", {}, "", 9, 90.0))));
    ASSERT_TRUE(store_->SaveSnapshot(Write(target->id, 3'000, 1'000, {Group(kFpB, {2}, "SELECT 2", 4, 40.0)})));
    ASSERT_TRUE(store_->SaveSnapshot(Write(target->id, 9'000, 6'000, {Group(kFpA, {1}, "SELECT 1", 50, 500.0)})));
    auto groups = store_->RangeGroups(target->id, FromUnixMs(1'500), FromUnixMs(3'000), 10);
    ASSERT_TRUE(groups) << groups.error().message;
    ASSERT_EQ(groups->size(), 2u) << "'other' is not a statement";
    EXPECT_EQ((*groups)[0].fingerprint, kFpB) << "by total time: B 45 ms, A 20 ms";
    EXPECT_EQ((*groups)[0].counters.calls, 5);
    EXPECT_DOUBLE_EQ((*groups)[0].counters.total_exec_ms, 45.0);
    EXPECT_EQ((*groups)[0].counters.shared_blks_hit, 15);
    EXPECT_DOUBLE_EQ((*groups)[0].counters.blk_write_ms, 0.25);
    EXPECT_EQ((*groups)[1].counters.calls, 2);
    EXPECT_EQ((*groups)[1].query, "SELECT 1");
    auto one = store_->RangeGroups(target->id, FromUnixMs(0), FromUnixMs(10'000), 1);
    ASSERT_TRUE(one);
    ASSERT_EQ(one->size(), 1u);
    EXPECT_EQ((*one)[0].fingerprint, kFpA);
    EXPECT_EQ((*one)[0].counters.calls, 52);
}

TEST_P(StoreContract, RangeGroupsOverManyHoursEqualTheRawSums) {
    // Whole hours come from the hourly rollups, the edges from the snapshots: the sums, texts, order
    // and limit must be those of summing the snapshots themselves, for ranges of every shape.
    auto a = store_->EnsureTarget("a", "host=a");
    auto b = store_->EnsureTarget("b", "host=b");
    ASSERT_TRUE(a && b);
    const auto writes_a = SaveHourlyWorkload(*store_, a->id, 0);
    const auto writes_b = SaveHourlyWorkload(*store_, b->id, 1);
    ExpectRangesExact(*store_, writes_a, a->id);
    ExpectRangesExact(*store_, writes_b, b->id);
}

TEST_P(StoreContract, RangeGroupsReadTheRollupsForWholeHoursOnly) {
    auto target = store_->EnsureTarget("a", "host=a");
    ASSERT_TRUE(target);
    const auto writes = SaveHourlyWorkload(*store_, target->id, 0);
    // One rollup row per fingerprint and hour of the delta snapshots, "other" left out.
    std::set<std::pair<long long, std::string>> buckets;
    long long summed = 0;
    for (const auto& w : writes) {
        if (!w.snapshot.interval_ms) continue;
        const long long t = ToUnixMs(w.snapshot.info.taken_at);
        for (const auto& g : w.ranking.top) buckets.emplace(t - ((t % kHourMs) + kHourMs) % kHourMs, g.fingerprint);
        summed += static_cast<long long>(w.ranking.top.size());
    }
    EXPECT_EQ(harness_->RawInt("SELECT count(*) FROM group_rollups"), static_cast<long long>(buckets.size()));
    EXPECT_EQ(harness_->RawInt("SELECT sum(snapshot_count) FROM group_rollups"), summed);
    EXPECT_EQ(harness_->RawInt("SELECT count(*) FROM group_rollups WHERE fingerprint = 'other'"), 0);

    // Marks the rollups: a whole hour shows the mark, the same hour less a millisecond does not.
    harness_->RawExec("UPDATE group_rollups SET calls = calls + 1000000");
    const long long hour = kWorkloadStartMs + kHourMs;
    auto whole = store_->RangeGroups(target->id, FromUnixMs(hour), FromUnixMs(hour + kHourMs - 1), 100);
    auto partial = store_->RangeGroups(target->id, FromUnixMs(hour + 1), FromUnixMs(hour + kHourMs - 1), 100);
    ASSERT_TRUE(whole && partial);
    const auto raw_whole = RawRange(writes, target->id, hour, hour + kHourMs - 1, 100);
    ASSERT_EQ(whole->size(), raw_whole.size());
    ASSERT_FALSE(whole->empty());
    for (std::size_t i = 0; i < whole->size(); ++i) {
        EXPECT_EQ((*whole)[i].counters.calls, raw_whole[i].counters.calls + 1'000'000) << (*whole)[i].fingerprint;
    }
    const auto raw_partial = RawRange(writes, target->id, hour + 1, hour + kHourMs - 1, 100);
    ASSERT_EQ(partial->size(), raw_partial.size());
    for (std::size_t i = 0; i < partial->size(); ++i) {
        EXPECT_EQ((*partial)[i].counters.calls, raw_partial[i].counters.calls) << (*partial)[i].fingerprint;
    }
}

TEST_P(StoreContract, DeleteTargetDropsItsRollups) {
    auto kept = store_->EnsureTarget("kept", "host=a");
    auto doomed = store_->EnsureTarget("doomed", "host=b");
    ASSERT_TRUE(kept && doomed);
    const auto writes_kept = SaveHourlyWorkload(*store_, kept->id, 0);
    (void)SaveHourlyWorkload(*store_, doomed->id, 1);
    const long long kept_rows =
        harness_->RawInt(fmt::format("SELECT count(*) FROM group_rollups WHERE target_id = {}", kept->id));
    EXPECT_GT(kept_rows, 0);
    ASSERT_TRUE(store_->DeleteTarget(doomed->id));
    EXPECT_EQ(harness_->RawInt(fmt::format("SELECT count(*) FROM group_rollups WHERE target_id = {}", doomed->id)), 0);
    EXPECT_EQ(harness_->RawInt("SELECT count(*) FROM group_rollups"), kept_rows);
    // A new target (SQLite may give it the deleted one's id) starts from nothing.
    auto fresh = store_->EnsureTarget("fresh", "host=c");
    ASSERT_TRUE(fresh);
    const auto writes_fresh = SaveHourlyWorkload(*store_, fresh->id, 2);
    ExpectRangesExact(*store_, writes_fresh, fresh->id);
    ExpectRangesExact(*store_, writes_kept, kept->id);
}

}  // namespace
}  // namespace optischema::store::contract
