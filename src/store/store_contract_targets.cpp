// The store contract: targets, and stores reopened or opened twice on one location.
#include <chrono>
#include <thread>

#include <fmt/format.h>

#include "store/store_contract.hpp"

namespace optischema::store::contract {
namespace {

TEST_P(StoreContract, EnsureTargetCreatesOnceAndUpdatesTheDisplayDsn) {
    auto first = store_->EnsureTarget("prod", "host=db1 dbname=app");
    ASSERT_TRUE(first) << first.error().ToString();
    EXPECT_GT(first->id, 0);
    EXPECT_EQ(first->name, "prod");
    EXPECT_EQ(first->dsn_display, "host=db1 dbname=app");
    const auto now = std::chrono::system_clock::now();
    EXPECT_LE(std::chrono::abs(now - first->created_at), std::chrono::minutes(1));

    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    auto again = store_->EnsureTarget("prod", "host=db2 dbname=app");
    ASSERT_TRUE(again) << again.error().ToString();
    EXPECT_EQ(again->id, first->id);
    EXPECT_EQ(again->dsn_display, "host=db2 dbname=app");
    EXPECT_EQ(again->created_at, first->created_at);

    auto staging = store_->EnsureTarget("staging", "host=db3");
    ASSERT_TRUE(staging);
    EXPECT_NE(staging->id, first->id);
    // Ordered by name, byte-wise: upper case before lower case.
    ASSERT_TRUE(store_->EnsureTarget("Zeta", "host=db4"));

    auto targets = store_->ListTargets();
    ASSERT_TRUE(targets);
    ASSERT_EQ(targets->size(), 3u);
    EXPECT_EQ(targets->at(0).name, "Zeta");
    EXPECT_EQ(targets->at(1).name, "prod");
    EXPECT_EQ(targets->at(1).dsn_display, "host=db2 dbname=app");
    EXPECT_EQ(targets->at(2).name, "staging");
}

TEST_P(StoreContract, ServerTargetsKeepTheirSettings) {
    TargetRecord t;
    t.name = "orders-db";
    t.dsn_display = "app@db1:5432/orders";
    t.dsn_secret = "v1:encrypted";
    t.interval_s = 15;
    t.production = false;
    t.source = "api";
    auto saved = store_->SaveTarget(t);
    ASSERT_TRUE(saved) << saved.error().message;
    EXPECT_GT(saved->id, 0);
    auto dup = store_->SaveTarget(t);
    ASSERT_FALSE(dup);
    EXPECT_EQ(dup.error().code, ErrorCode::kInvalidArgument);
    saved->interval_s = 30;
    ASSERT_TRUE(store_->SaveTarget(*saved));
    auto list = store_->ListTargets();
    ASSERT_TRUE(list);
    ASSERT_EQ(list->size(), 1u);
    EXPECT_EQ((*list)[0].interval_s, 30);
    EXPECT_FALSE((*list)[0].production);
    EXPECT_EQ((*list)[0].dsn_secret, "v1:encrypted");
    EXPECT_EQ((*list)[0].source, "api");
    // A target the CLI sees gets the defaults.
    auto cli = store_->EnsureTarget("cli-db", "x@y/z");
    ASSERT_TRUE(cli);
    EXPECT_TRUE(cli->production);
    EXPECT_EQ(cli->interval_s, 60);
    EXPECT_EQ(cli->source, "cli");
    // Renaming onto another target's name is refused too.
    TargetRecord rename = *saved;
    rename.name = "cli-db";
    auto clash = store_->SaveTarget(rename);
    ASSERT_FALSE(clash);
    EXPECT_EQ(clash.error().code, ErrorCode::kInvalidArgument);
    TargetRecord unknown = *saved;
    unknown.id = saved->id + 1000;
    unknown.name = "nobody";
    auto missing = store_->SaveTarget(unknown);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
    ASSERT_TRUE(store_->DeleteTarget(saved->id));
    EXPECT_EQ(store_->DeleteTarget(saved->id).error().code, ErrorCode::kNotFound);
}

TEST_P(StoreContract, DeleteTargetRemovesItsHistory) {
    auto doomed = store_->EnsureTarget("doomed", "host=db1");
    auto kept = store_->EnsureTarget("kept", "host=db2");
    ASSERT_TRUE(doomed && kept);
    for (const auto& target : {*doomed, *kept}) {
        const model::Baseline b = MakeBaseline(1'000, 5);
        SnapshotWrite w = Write(target.id, 1'000, 1'000, {Group(kFpA, {1}, "SELECT 1", 1, 1.0)});
        w.new_queries = {{1, model::QueryText{"SELECT 1", kFpA, false}}};
        w.baseline = &b;
        ASSERT_TRUE(store_->SaveSnapshot(w));
        ASSERT_TRUE(store_->AppendLatency({target.id, FromUnixMs(1'000), 1.0, 0.1, 0.2, ""}));
        RecommendationRecord r;
        r.id = "idx-" + target.name;
        r.target_id = target.id;
        r.kind = "index";
        r.sql = "CREATE INDEX ON t (a)";
        ASSERT_TRUE(store_->SaveRecommendation(r));
    }
    ASSERT_TRUE(store_->DeleteTarget(doomed->id));
    EXPECT_EQ(harness_->RawInt("SELECT count(*) FROM snapshots"), 1);
    EXPECT_EQ(harness_->RawInt("SELECT count(*) FROM snapshot_groups"), 1);
    EXPECT_EQ(harness_->RawInt("SELECT count(*) FROM group_rollups"), 1);
    EXPECT_EQ(harness_->RawInt(fmt::format("SELECT count(*) FROM group_rollups WHERE target_id = {}", kept->id)), 1);
    EXPECT_EQ(harness_->RawInt("SELECT count(*) FROM queries"), 1);
    EXPECT_EQ(harness_->RawInt("SELECT count(*) FROM baselines"), 1);
    EXPECT_EQ(harness_->RawInt("SELECT count(*) FROM baseline_counters"), 5);
    EXPECT_EQ(harness_->RawInt("SELECT count(*) FROM latency_samples"), 1);
    EXPECT_EQ(harness_->RawInt("SELECT count(*) FROM recommendations"), 1);
    auto baseline = store_->LoadBaseline(doomed->id);
    ASSERT_TRUE(baseline);
    EXPECT_FALSE(baseline->has_value());
    auto kept_snapshots = store_->ListSnapshots(kept->id, 10);
    ASSERT_TRUE(kept_snapshots);
    EXPECT_EQ(kept_snapshots->size(), 1u);
}

TEST_P(StoreContract, ReopenKeepsData) {
    auto target = store_->EnsureTarget("prod", "host=db1 dbname=app");
    ASSERT_TRUE(target);
    auto id = store_->SaveSnapshot(Write(target->id, 1'000, std::nullopt, {Group(kFpA, {1}, "SELECT 1", 1, 1.0)}));
    ASSERT_TRUE(id) << id.error().ToString();
    store_.reset();
    for (int i = 0; i < 2; ++i) {
        auto store = harness_->Open();
        auto targets = store->ListTargets();
        ASSERT_TRUE(targets);
        ASSERT_EQ(targets->size(), 1u);
        EXPECT_EQ(targets->at(0).id, target->id);
        auto snapshots = store->ListSnapshots(target->id, 10);
        ASSERT_TRUE(snapshots);
        ASSERT_EQ(snapshots->size(), 1u);
        EXPECT_EQ(snapshots->at(0).id, *id);
    }
}

TEST_P(StoreContract, TwoOpenStoresOnOneLocationBothSave) {
    // `optischema top` and a running server may share one data directory; a fleet shares one database.
    auto other = harness_->Open();
    const auto target = store_->EnsureTarget("prod", "host=db1");
    ASSERT_TRUE(target);
    for (int i = 0; i < 5; ++i) {
        ASSERT_TRUE(store_->SaveSnapshot(Write(target->id, 1'000 + i * 2, 1, {Group(kFpA, {1}, "SELECT 1", 1, 1.0)})));
        ASSERT_TRUE(other->SaveSnapshot(Write(target->id, 1'001 + i * 2, 1, {Group(kFpB, {2}, "SELECT 2", 1, 1.0)})));
    }
    auto from_a = store_->ListSnapshots(target->id, 100);
    auto from_b = other->ListSnapshots(target->id, 100);
    ASSERT_TRUE(from_a && from_b);
    EXPECT_EQ(from_a->size(), 10u);
    EXPECT_EQ(from_b->size(), 10u);
    auto same = other->EnsureTarget("prod", "host=db1");
    ASSERT_TRUE(same);
    EXPECT_EQ(same->id, target->id);
}

}  // namespace
}  // namespace optischema::store::contract
