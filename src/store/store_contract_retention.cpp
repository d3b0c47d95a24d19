// The store contract: latency samples and PruneHistory.
#include <vector>

#include <fmt/format.h>

#include "store/internal/snapshot_rules.hpp"
#include "store/store_contract.hpp"

namespace optischema::store::contract {
namespace {

using model::StatementGroup;

TEST_P(StoreContract, LatencySamples) {
    auto target = store_->EnsureTarget("db", "db");
    ASSERT_TRUE(target);
    ASSERT_TRUE(store_->AppendLatency({target->id, FromUnixMs(1'000), 3.5, 0.2, 0.4, ""}));
    ASSERT_TRUE(store_->AppendLatency(
        {target->id, FromUnixMs(2'000), std::nullopt, std::nullopt, std::nullopt, "connection refused"}));
    ASSERT_TRUE(store_->AppendLatency({target->id, FromUnixMs(9'000), 1.0, 1.0, 1.0, ""}));
    auto samples = store_->ListLatency(target->id, FromUnixMs(0), FromUnixMs(5'000));
    ASSERT_TRUE(samples);
    ASSERT_EQ(samples->size(), 2u);
    EXPECT_EQ((*samples)[0].connect_ms, std::optional<double>(3.5));
    EXPECT_EQ((*samples)[0].p95_ms, std::optional<double>(0.4));
    EXPECT_FALSE((*samples)[1].p50_ms);
    EXPECT_EQ((*samples)[1].error, "connection refused");
    // A second sample at the same instant replaces the first.
    ASSERT_TRUE(store_->AppendLatency({target->id, FromUnixMs(1'000), 7.0, 0.3, 0.5, ""}));
    samples = store_->ListLatency(target->id, FromUnixMs(1'000), FromUnixMs(1'000));
    ASSERT_TRUE(samples);
    ASSERT_EQ(samples->size(), 1u);
    EXPECT_EQ((*samples)[0].connect_ms, std::optional<double>(7.0));
}

// Retention

TEST_P(StoreContract, PruneHistoryDropsOldSnapshotsAndSamplesButKeepsRollupsAndTheLatest) {
    const auto target = store_->EnsureTarget("prod", "host=db1");
    const auto other_target = store_->EnsureTarget("staging", "host=db2");
    ASSERT_TRUE(target && other_target);
    constexpr long long kHour = 3'600'000;
    const long long h0 = 10 * kHour;
    // Two delta snapshots in each of the hours h0, h0+1, h0+2; fingerprint A every time, B in h0 only.
    for (long long hour = 0; hour < 3; ++hour) {
        for (long long minute : {10, 40}) {
            std::vector<model::StatementGroup> top = {Group(kFpA, {1}, "SELECT 1", 10 + hour, 1.0)};
            if (hour == 0) top.push_back(Group(kFpB, {2}, "SELECT 2", 1, 0.5));
            ASSERT_TRUE(store_->SaveSnapshot(Write(target->id, h0 + hour * kHour + minute * 60'000, 1'000, top)));
        }
        ASSERT_TRUE(store_->AppendLatency({target->id, FromUnixMs(h0 + hour * kHour), 1.0, 1.0, 1.0, ""}));
    }
    ASSERT_TRUE(store_->SaveSnapshot(Write(other_target->id, h0, 1'000, {Group(kFpA, {1}, "SELECT 1", 5, 1.0)})));
    ASSERT_TRUE(store_->AppendLatency({other_target->id, FromUnixMs(h0), 1.0, 1.0, 1.0, ""}));

    // Nothing to prune: nothing goes.
    auto none = store_->PruneHistory(target->id, std::nullopt, std::nullopt);
    ASSERT_TRUE(none) << none.error().ToString();
    EXPECT_EQ(none->snapshots + none->rollup_rows + none->latency_samples, 0);

    // Raw history before h0+2, rollups of hours before h0+1.
    auto pruned = store_->PruneHistory(target->id, FromUnixMs(h0 + 2 * kHour), FromUnixMs(h0 + kHour));
    ASSERT_TRUE(pruned) << pruned.error().ToString();
    EXPECT_EQ(pruned->snapshots, 4);
    EXPECT_EQ(pruned->rollup_rows, 2);  // A and B of hour h0
    EXPECT_EQ(pruned->latency_samples, 2);

    auto left = store_->ListSnapshots(target->id, 100);
    ASSERT_TRUE(left);
    ASSERT_EQ(left->size(), 2u);
    EXPECT_EQ((*left)[1].info.taken_at, FromUnixMs(h0 + 2 * kHour + 10 * 60'000));
    // The groups went with their snapshots: two of this target's, one of the other target's.
    EXPECT_EQ(harness_->RawInt("SELECT count(*) FROM snapshot_groups"), 3);
    auto samples = store_->ListLatency(target->id, FromUnixMs(0), FromUnixMs(100 * kHour));
    ASSERT_TRUE(samples);
    ASSERT_EQ(samples->size(), 1u);

    // Whole hours still add up from the rollups: hour h0+1 (its snapshots are gone) and h0+2.
    auto range = store_->RangeGroups(target->id, FromUnixMs(h0 + kHour), FromUnixMs(h0 + 3 * kHour - 1), 10);
    ASSERT_TRUE(range) << range.error().ToString();
    ASSERT_EQ(range->size(), 1u);
    EXPECT_EQ((*range)[0].fingerprint, kFpA);
    EXPECT_EQ((*range)[0].counters.calls, 11 + 11 + 12 + 12);
    // Hour h0's rollup is gone, and so are its snapshots.
    range = store_->RangeGroups(target->id, FromUnixMs(h0), FromUnixMs(h0 + kHour - 1), 10);
    ASSERT_TRUE(range);
    EXPECT_TRUE(range->empty());

    // The other target is untouched.
    auto other_left = store_->ListSnapshots(other_target->id, 10);
    ASSERT_TRUE(other_left);
    EXPECT_EQ(other_left->size(), 1u);
    auto other_samples = store_->ListLatency(other_target->id, FromUnixMs(0), FromUnixMs(100 * kHour));
    ASSERT_TRUE(other_samples);
    EXPECT_EQ(other_samples->size(), 1u);

    // However old, the latest snapshot stays: the dashboard's "last snapshot" of a target long down.
    pruned = store_->PruneHistory(target->id, FromUnixMs(1'000 * kHour), std::nullopt);
    ASSERT_TRUE(pruned);
    EXPECT_EQ(pruned->snapshots, 1);
    left = store_->ListSnapshots(target->id, 100);
    ASSERT_TRUE(left);
    ASSERT_EQ(left->size(), 1u);
    EXPECT_EQ((*left)[0].info.taken_at, FromUnixMs(h0 + 2 * kHour + 40 * 60'000));
}

TEST_P(StoreContract, PruneHistoryGoesThroughManyBatches) {
    const auto target = store_->EnsureTarget("prod", "host=db1");
    ASSERT_TRUE(target);
    constexpr int kSnapshots = 450;  // more than two batches
    for (int i = 0; i < kSnapshots; ++i) {
        ASSERT_TRUE(store_->SaveSnapshot(Write(target->id, 1'000 + i, 1, {Group(kFpA, {1}, "SELECT 1", 1, 1.0)})));
    }
    auto pruned = store_->PruneHistory(target->id, FromUnixMs(1'000'000), std::nullopt);
    ASSERT_TRUE(pruned) << pruned.error().ToString();
    EXPECT_EQ(pruned->snapshots, kSnapshots - 1);
    EXPECT_EQ(harness_->RawInt("SELECT count(*) FROM snapshots"), 1);
    EXPECT_EQ(harness_->RawInt("SELECT count(*) FROM snapshot_groups"), 1);
    EXPECT_TRUE(pruned->complete);
}

TEST_P(StoreContract, PruneHistoryStopsBetweenBatchesWhenAsked) {
    const auto target = store_->EnsureTarget("prod", "host=db1");
    ASSERT_TRUE(target);
    constexpr int kSnapshots = 3 * detail::kPruneBatchSnapshots;
    for (int i = 0; i < kSnapshots; ++i) {
        ASSERT_TRUE(store_->SaveSnapshot(Write(target->id, 1'000 + i, 1, {Group(kFpA, {1}, "SELECT 1", 1, 1.0)})));
    }
    int asked = 0;
    auto pruned = store_->PruneHistory(target->id, FromUnixMs(1'000'000), std::nullopt, [&] { return ++asked < 2; });
    ASSERT_TRUE(pruned) << pruned.error().ToString();
    EXPECT_FALSE(pruned->complete);
    EXPECT_EQ(pruned->snapshots, 2 * detail::kPruneBatchSnapshots) << "two batches, then the stop";
    EXPECT_EQ(harness_->RawInt("SELECT count(*) FROM snapshots"), kSnapshots - 2 * detail::kPruneBatchSnapshots);
    auto rest = store_->PruneHistory(target->id, FromUnixMs(1'000'000), std::nullopt);
    ASSERT_TRUE(rest);
    EXPECT_TRUE(rest->complete);
    EXPECT_EQ(rest->snapshots, detail::kPruneBatchSnapshots - 1) << "the next prune goes on, keeping the latest";
}

TEST_P(StoreContract, PruneHistoryDeletesLatencySamplesAndRollupsInBatchesToo) {
    const auto target = store_->EnsureTarget("prod", "host=db1");
    ASSERT_TRUE(target);
    constexpr long long kHour = 3'600'000;
    constexpr long long kRows = detail::kPruneBatchRows + 1;  // two batches of each
    std::vector<StatementGroup> many;
    for (long long i = 1; i <= kRows; ++i) many.push_back(Group(fmt::format("{:016x}", i), {i}, "SELECT 1", 1, 1.0));
    ASSERT_TRUE(store_->SaveSnapshot(Write(target->id, 10 * kHour, 1'000, many)));
    ASSERT_TRUE(store_->SaveSnapshot(Write(target->id, 20 * kHour, 1'000, {Group(kFpA, {1}, "SELECT 1", 1, 1.0)})));
    harness_->RawExec(fmt::format(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {}) INSERT INTO latency_samples "
        "(target_id, at_ms, connect_ms, p50_ms, p95_ms, error) SELECT {}, i, 1, 1, 1, '' FROM n",
        kRows, target->id));

    // Snapshots: one short batch; samples: a full batch, asked (yes), the rest; rollups: a full batch,
    // asked (no): stopped there.
    int asked = 0;
    const auto before = FromUnixMs(15 * kHour);
    auto pruned = store_->PruneHistory(target->id, before, before, [&] { return ++asked < 2; });
    ASSERT_TRUE(pruned) << pruned.error().ToString();
    EXPECT_EQ(asked, 2);
    EXPECT_FALSE(pruned->complete);
    EXPECT_EQ(pruned->snapshots, 1);
    EXPECT_EQ(pruned->latency_samples, kRows);
    EXPECT_EQ(pruned->rollup_rows, detail::kPruneBatchRows);
    EXPECT_EQ(harness_->RawInt("SELECT count(*) FROM latency_samples"), 0);
    EXPECT_EQ(harness_->RawInt("SELECT count(*) FROM group_rollups"), 2) << "one of hour 10, the one of hour 20";

    auto rest = store_->PruneHistory(target->id, before, before);
    ASSERT_TRUE(rest) << rest.error().ToString();
    EXPECT_TRUE(rest->complete);
    EXPECT_EQ(rest->snapshots + rest->latency_samples, 0);
    EXPECT_EQ(rest->rollup_rows, 1);
    EXPECT_EQ(harness_->RawInt("SELECT count(*) FROM group_rollups"), 1);
}

}  // namespace
}  // namespace optischema::store::contract
