// The store contract: snapshots with their groups and history, baselines and query texts, and saves
// that fail or are refused.
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>

#include "store/store_contract.hpp"

namespace optischema::store::contract {
namespace {

using model::Counters;
using model::StatementGroup;

// Saves the target's first snapshot, cumulative, at 1'000 ms with a baseline of `entries` entries.
void SaveFirstSnapshot(Store& store, std::int64_t target_id, std::size_t entries) {
    const model::Baseline baseline = MakeBaseline(1'000, entries);
    SnapshotWrite first = Write(target_id, 1'000, std::nullopt, {Group(kFpA, {1}, "SELECT 1", 1, 1.0)});
    first.baseline = &baseline;
    ASSERT_TRUE(store.SaveSnapshot(first));
}

// Snapshots

TEST_P(StoreContract, SaveSnapshotRoundTripsItsRecord) {
    const auto target = store_->EnsureTarget("prod", "host=db1");
    ASSERT_TRUE(target);

    SnapshotWrite first = Write(target->id, 1'000'000, std::nullopt, {Group(kFpA, {1}, "SELECT 1", 3, 30.0)});
    SnapshotWrite second = Write(target->id, 1'060'000, 60'000, {Group(kFpA, {1}, "SELECT 1", 1, 10.0)},
                                 Group("other", {}, "3 other statements", 4, 2.0));
    second.snapshot.info.stats_reset = FromUnixMs(999'000);
    second.snapshot.info.dealloc = 17;
    second.snapshot.info.server_version = "16.4";
    second.snapshot.full_reset = true;
    second.ranking.total_ms = 0.1 + 0.2;  // not exactly representable: must come back bit for bit
    auto id1 = store_->SaveSnapshot(first);
    auto id2 = store_->SaveSnapshot(second);
    ASSERT_TRUE(id1) << id1.error().ToString();
    ASSERT_TRUE(id2) << id2.error().ToString();
    EXPECT_NE(*id1, *id2);

    auto list = store_->ListSnapshots(target->id, 10);
    ASSERT_TRUE(list) << list.error().ToString();
    ASSERT_EQ(list->size(), 2u);
    const SnapshotRecord& newest = list->at(0);
    EXPECT_EQ(newest.id, *id2);
    EXPECT_EQ(newest.target_id, target->id);
    EXPECT_EQ(newest.info.taken_at, FromUnixMs(1'060'000));
    EXPECT_EQ(newest.info.server_version, "16.4");
    ASSERT_TRUE(newest.info.stats_reset.has_value());
    EXPECT_EQ(*newest.info.stats_reset, FromUnixMs(999'000));
    EXPECT_EQ(newest.info.dealloc, 17);
    EXPECT_EQ(newest.interval_ms, std::optional<std::int64_t>(60'000));
    EXPECT_TRUE(newest.full_reset);
    EXPECT_EQ(newest.total_ms, 0.1 + 0.2);
    EXPECT_EQ(newest.group_count, 4u);

    const SnapshotRecord& oldest = list->at(1);
    EXPECT_EQ(oldest.id, *id1);
    EXPECT_FALSE(oldest.info.stats_reset.has_value());
    EXPECT_FALSE(oldest.interval_ms.has_value());
    EXPECT_FALSE(oldest.full_reset);
    EXPECT_DOUBLE_EQ(oldest.total_ms, 33.0);
    EXPECT_EQ(oldest.group_count, 1u);

    auto limited = store_->ListSnapshots(target->id, 1);
    ASSERT_TRUE(limited);
    ASSERT_EQ(limited->size(), 1u);
    EXPECT_EQ(limited->at(0).id, *id2);
}

TEST_P(StoreContract, ListSnapshotsIsNewestFirstByTimeNotByInsertion) {
    const auto target = store_->EnsureTarget("prod", "host=db1");
    const auto other_target = store_->EnsureTarget("staging", "host=db2");
    ASSERT_TRUE(target && other_target);
    std::vector<std::int64_t> ids;
    for (long long t : {3'000LL, 1'000LL, 2'000LL}) {
        auto id = store_->SaveSnapshot(Write(target->id, t, 1'000, {}));
        ASSERT_TRUE(id);
        ids.push_back(*id);
    }
    ASSERT_TRUE(store_->SaveSnapshot(Write(other_target->id, 9'000, 1'000, {})));
    auto list = store_->ListSnapshots(target->id, 100);
    ASSERT_TRUE(list);
    ASSERT_EQ(list->size(), 3u);
    EXPECT_EQ(list->at(0).id, ids[0]);
    EXPECT_EQ(list->at(1).id, ids[2]);
    EXPECT_EQ(list->at(2).id, ids[1]);
}

TEST_P(StoreContract, SnapshotGroupsComeBackByTotalTimeWithOtherLast) {
    const auto target = store_->EnsureTarget("prod", "host=db1");
    ASSERT_TRUE(target);
    const StatementGroup a =
        Group(kFpA, {-7254733262549953927, 1846771691874171760}, "SELECT * FROM t WHERE id IN ($1, $2)", 5, 20.0);
    const StatementGroup b = Group(kFpB, {42}, "UPDATE t SET a = a + $1 WHERE id = $2", 1, 50.0);
    const StatementGroup c = Group(kFpC, {7}, "SELECT 'ünïcödé', $1", 2, 5.0);
    // "other" is the biggest here, yet it comes last.
    const StatementGroup other = Group("other", {}, "12 other statements", 100, 500.0);
    auto id = store_->SaveSnapshot(Write(target->id, 1'000, 1'000, {c, a, b}, other));
    ASSERT_TRUE(id) << id.error().ToString();

    auto groups = store_->SnapshotGroups(*id);
    ASSERT_TRUE(groups) << groups.error().ToString();
    ASSERT_EQ(groups->size(), 4u);
    EXPECT_EQ(groups->at(0).fingerprint, kFpB);
    EXPECT_EQ(groups->at(1).fingerprint, kFpA);
    EXPECT_EQ(groups->at(2).fingerprint, kFpC);
    EXPECT_EQ(groups->at(3).fingerprint, "other");

    EXPECT_EQ(groups->at(1).queryids, a.queryids);
    EXPECT_EQ(groups->at(1).query, a.query);
    ExpectCountersEq(groups->at(1).counters, a.counters);
    EXPECT_EQ(groups->at(2).query, c.query);
    EXPECT_TRUE(groups->at(3).queryids.empty());
    EXPECT_EQ(groups->at(3).query, "12 other statements");
    ExpectCountersEq(groups->at(3).counters, other.counters);

    auto none = store_->SnapshotGroups(*id + 1000);
    ASSERT_TRUE(none);
    EXPECT_TRUE(none->empty());
}

TEST_P(StoreContract, AwkwardTextsAndExtremeNumbersRoundTrip) {
    // What a bulk insert could mangle: quotes, backslashes, braces, commas, the word NULL, empty text,
    // line breaks, multi-byte characters, and the ends of the integer ranges.
    const std::vector<std::string> texts = {
        "SELECT '\"quoted\"' AS \"Col\"",
        R"(SELECT E'back\\slash\n', '{a,b}', $1)",
        "NULL",
        "",
        "SELECT 1\n\tFROM t -- comment\r\n",
        "SELECT '日本語', 'emoji 🐘', ','",
        "{\"json\": [1, {\"x\": null}]}",
    };
    const auto target = store_->EnsureTarget("prod", "host=db1");
    ASSERT_TRUE(target);
    std::vector<StatementGroup> top;
    SnapshotWrite w;
    for (std::size_t i = 0; i < texts.size(); ++i) {
        StatementGroup g = Group(fmt::format("{:016x}", i + 1), {INT64_MIN, -1, 0, INT64_MAX}, texts[i], 1,
                                 1e300 / static_cast<double>(i + 1));
        g.counters.calls = INT64_MAX - static_cast<std::int64_t>(i);
        g.counters.blk_read_ms = 5e-324;  // the smallest denormal
        g.counters.blk_write_ms = 0.1 + 0.2;
        top.push_back(std::move(g));
    }
    w = Write(target->id, 1'000, 1'000, top);
    for (std::size_t i = 0; i < texts.size(); ++i) {
        w.new_queries.emplace_back(static_cast<std::int64_t>(i) - 3,
                                   model::QueryText{texts[i], fmt::format("{:016x}", i + 1), i % 2 == 0});
    }
    auto id = store_->SaveSnapshot(w);
    ASSERT_TRUE(id) << id.error().ToString();

    auto groups = store_->SnapshotGroups(*id);
    ASSERT_TRUE(groups) << groups.error().ToString();
    ASSERT_EQ(groups->size(), texts.size());
    std::map<std::string, StatementGroup> by_fingerprint;
    for (const auto& g : *groups) by_fingerprint[g.fingerprint] = g;
    for (const auto& g : top) {
        SCOPED_TRACE(g.query);
        ASSERT_TRUE(by_fingerprint.contains(g.fingerprint));
        const StatementGroup& got = by_fingerprint.at(g.fingerprint);
        EXPECT_EQ(got.query, g.query);
        EXPECT_EQ(got.queryids, g.queryids);
        EXPECT_EQ(got.counters.calls, g.counters.calls);
        EXPECT_EQ(got.counters.total_exec_ms, g.counters.total_exec_ms);
        EXPECT_EQ(got.counters.blk_read_ms, g.counters.blk_read_ms);
        EXPECT_EQ(got.counters.blk_write_ms, g.counters.blk_write_ms);
    }
    auto queries = store_->LoadQueries(target->id);
    ASSERT_TRUE(queries);
    std::map<std::int64_t, model::QueryText> by_id(queries->begin(), queries->end());
    ASSERT_EQ(by_id.size(), texts.size());
    for (std::size_t i = 0; i < texts.size(); ++i) {
        const auto& q = by_id.at(static_cast<std::int64_t>(i) - 3);
        EXPECT_EQ(q.text, texts[i]);
        EXPECT_EQ(q.own, i % 2 == 0);
    }
}

TEST_P(StoreContract, GroupHistoryHasOnlyDeltaSnapshotsInRangeOldestFirst) {
    const auto target = store_->EnsureTarget("prod", "host=db1");
    const auto other_target = store_->EnsureTarget("staging", "host=db2");
    ASSERT_TRUE(target && other_target);
    auto save = [&](std::int64_t target_id, long long t, std::optional<std::int64_t> interval,
                    std::vector<StatementGroup> top) {
        auto id = store_->SaveSnapshot(Write(target_id, t, interval, std::move(top)));
        if (!id) throw std::runtime_error(id.error().ToString());
        return *id;
    };
    save(target->id, 1'000, std::nullopt, {Group(kFpA, {1}, "SELECT 1", 100, 1000.0)});  // since reset: not a delta
    const auto s2 =
        save(target->id, 3'000, 2'000, {Group(kFpB, {2}, "SELECT 2", 1, 1.0), Group(kFpA, {1}, "SELECT 1", 2, 20.0)});
    const auto s3 =
        save(target->id, 2'000, 1'000, {Group(kFpA, {1}, "SELECT 1", 1, 10.0)});  // saved late, earlier time
    save(target->id, 4'000, 1'000, {Group(kFpB, {2}, "SELECT 2", 1, 1.0)});       // fingerprint absent
    const auto s5 = save(target->id, 5'000, 1'000, {Group(kFpA, {1}, "SELECT 1", 3, 30.0)});
    save(target->id, 6'000, 1'000, {Group(kFpA, {1}, "SELECT 1", 4, 40.0)});        // after the range
    save(other_target->id, 3'000, 1'000, {Group(kFpA, {1}, "SELECT 1", 9, 90.0)});  // another target

    auto history = store_->GroupHistory(target->id, kFpA, FromUnixMs(1'000), FromUnixMs(5'000));
    ASSERT_TRUE(history) << history.error().ToString();
    ASSERT_EQ(history->size(), 3u);
    EXPECT_EQ(history->at(0).snapshot_id, s3);
    EXPECT_EQ(history->at(0).taken_at, FromUnixMs(2'000));
    EXPECT_EQ(history->at(0).interval_ms, std::optional<std::int64_t>(1'000));
    EXPECT_EQ(history->at(0).group.counters.calls, 1);
    EXPECT_EQ(history->at(1).snapshot_id, s2);
    EXPECT_EQ(history->at(1).interval_ms, std::optional<std::int64_t>(2'000));
    EXPECT_EQ(history->at(1).group.fingerprint, kFpA);
    EXPECT_EQ(history->at(1).group.queryids, (std::vector<std::int64_t>{1}));
    EXPECT_EQ(history->at(1).group.query, "SELECT 1");
    ExpectCountersEq(history->at(1).group.counters, Group(kFpA, {1}, "SELECT 1", 2, 20.0).counters);
    EXPECT_EQ(history->at(2).snapshot_id, s5);

    auto empty = store_->GroupHistory(target->id, "dddddddddddddddd", FromUnixMs(0), FromUnixMs(10'000));
    ASSERT_TRUE(empty);
    EXPECT_TRUE(empty->empty());
}

// Baselines and query texts

TEST_P(StoreContract, BaselineRoundTripsAndOnlyTheLatestIsKept) {
    const auto target = store_->EnsureTarget("prod", "host=db1");
    const auto other_target = store_->EnsureTarget("staging", "host=db2");
    ASSERT_TRUE(target && other_target);

    auto none = store_->LoadBaseline(target->id);
    ASSERT_TRUE(none) << none.error().ToString();
    EXPECT_FALSE(none->has_value());

    model::Baseline b;
    b.info.taken_at = FromUnixMs(1'234'567);
    b.info.server_version = "15.18";
    b.info.stats_reset = FromUnixMs(1'000'000);
    b.info.dealloc = 12;
    const model::StatementKey top{.userid = 10, .dbid = 16479, .queryid = -7254733262549953927, .toplevel = true};
    const model::StatementKey nested{.userid = 10, .dbid = 16479, .queryid = -7254733262549953927, .toplevel = false};
    const model::StatementKey big_ids{.userid = 4'000'000'000u, .dbid = 4'294'967'295u, .queryid = INT64_MAX};
    b.counters.emplace(top, Group(kFpA, {}, "", 5, 12.5).counters);
    b.counters.emplace(nested, Group(kFpA, {}, "", 7, 1.5).counters);
    b.counters.emplace(big_ids, Group(kFpA, {}, "", 1, 0.001).counters);
    SnapshotWrite w = Write(target->id, 1'234'567, std::nullopt, {});
    w.baseline = &b;
    ASSERT_TRUE(store_->SaveSnapshot(w));

    auto loaded = store_->LoadBaseline(target->id);
    ASSERT_TRUE(loaded) << loaded.error().ToString();
    ASSERT_TRUE(loaded->has_value());
    const model::Baseline& got = **loaded;
    EXPECT_EQ(got.info.taken_at, b.info.taken_at);
    EXPECT_EQ(got.info.server_version, "15.18");
    EXPECT_EQ(got.info.stats_reset, b.info.stats_reset);
    EXPECT_EQ(got.info.dealloc, 12);
    ASSERT_EQ(got.counters.size(), 3u);
    for (const auto& [key, counters] : b.counters) {
        SCOPED_TRACE(key.queryid);
        ASSERT_TRUE(got.counters.contains(key));
        ExpectCountersEq(got.counters.at(key), counters);
    }
    auto other_none = store_->LoadBaseline(other_target->id);
    ASSERT_TRUE(other_none);
    EXPECT_FALSE(other_none->has_value());

    // A snapshot without a baseline leaves the stored one alone.
    ASSERT_TRUE(store_->SaveSnapshot(Write(target->id, 1'300'000, 1'000, {})));
    loaded = store_->LoadBaseline(target->id);
    ASSERT_TRUE(loaded && loaded->has_value());
    EXPECT_EQ((*loaded)->counters.size(), 3u);

    // A new baseline replaces the old one entirely (entries gone from pg_stat_statements go too).
    model::Baseline smaller;
    smaller.info.taken_at = FromUnixMs(1'400'000);
    smaller.info.server_version = "15.18";
    smaller.counters.emplace(top, Counters{.calls = 6, .total_exec_ms = 13.0});
    SnapshotWrite w2 = Write(target->id, 1'400'000, 1'000, {});
    w2.baseline = &smaller;
    ASSERT_TRUE(store_->SaveSnapshot(w2));
    loaded = store_->LoadBaseline(target->id);
    ASSERT_TRUE(loaded && loaded->has_value());
    EXPECT_EQ((*loaded)->info.taken_at, FromUnixMs(1'400'000));
    EXPECT_FALSE((*loaded)->info.stats_reset.has_value());
    ASSERT_EQ((*loaded)->counters.size(), 1u);
    EXPECT_EQ((*loaded)->counters.at(top).calls, 6);
    EXPECT_EQ(harness_->RawInt("SELECT count(*) FROM baselines"), 1);
}

TEST_P(StoreContract, QueryTextsRoundTripPerTarget) {
    const auto target = store_->EnsureTarget("prod", "host=db1");
    const auto other_target = store_->EnsureTarget("staging", "host=db2");
    ASSERT_TRUE(target && other_target);

    SnapshotWrite w = Write(target->id, 1'000, std::nullopt, {});
    w.new_queries = {
        {1846771691874171760, model::QueryText{"SELECT * FROM t WHERE id IN ($1, $2)", kFpA, false}},
        {-4654732435595329443, model::QueryText{"/* optischema */ SELECT count(*) FROM pg_class", kFpB, true}},
        {99, model::QueryText{"<insufficient privilege>", "0000000000000063", false}},
    };
    ASSERT_TRUE(store_->SaveSnapshot(w));
    SnapshotWrite w2 = Write(target->id, 2'000, 1'000, {});
    w2.new_queries = {{99, model::QueryText{"SELECT $1", kFpC, false}}};  // the text became readable
    ASSERT_TRUE(store_->SaveSnapshot(w2));

    auto loaded = store_->LoadQueries(target->id);
    ASSERT_TRUE(loaded) << loaded.error().ToString();
    std::map<std::int64_t, model::QueryText> by_id(loaded->begin(), loaded->end());
    ASSERT_EQ(by_id.size(), 3u);
    EXPECT_EQ(by_id.at(1846771691874171760).text, "SELECT * FROM t WHERE id IN ($1, $2)");
    EXPECT_EQ(by_id.at(1846771691874171760).fingerprint, kFpA);
    EXPECT_FALSE(by_id.at(1846771691874171760).own);
    EXPECT_TRUE(by_id.at(-4654732435595329443).own);
    EXPECT_EQ(by_id.at(99).text, "SELECT $1");
    EXPECT_EQ(by_id.at(99).fingerprint, kFpC);

    auto other = store_->LoadQueries(other_target->id);
    ASSERT_TRUE(other);
    EXPECT_TRUE(other->empty());
}

TEST_P(StoreContract, AQueryTextGivenTwiceInOneSaveKeepsTheLast) {
    const auto target = store_->EnsureTarget("prod", "host=db1");
    ASSERT_TRUE(target);
    SnapshotWrite w = Write(target->id, 1'000, std::nullopt, {});
    w.new_queries = {{7, model::QueryText{"SELECT 1", kFpA, false}}, {7, model::QueryText{"SELECT 2", kFpB, true}}};
    ASSERT_TRUE(store_->SaveSnapshot(w));
    auto loaded = store_->LoadQueries(target->id);
    ASSERT_TRUE(loaded);
    ASSERT_EQ(loaded->size(), 1u);
    EXPECT_EQ((*loaded)[0].second.text, "SELECT 2");
    EXPECT_TRUE((*loaded)[0].second.own);
}

TEST_P(StoreContract, AFailedSaveLeavesNothingBehind) {
    const auto target = store_->EnsureTarget("prod", "host=db1");
    ASSERT_TRUE(target);
    ASSERT_NO_FATAL_FAILURE(SaveFirstSnapshot(*store_, target->id, 10));

    // The second group repeats a fingerprint: the insert fails after the snapshot row, the first
    // group and the new query text were written, and all of it must be rolled back.
    const model::Baseline replacement = MakeBaseline(2'000, 3);
    SnapshotWrite bad =
        Write(target->id, 2'000, 1'000, {Group(kFpB, {2}, "SELECT 2", 1, 2.0), Group(kFpB, {3}, "SELECT 3", 1, 1.0)});
    bad.new_queries = {{2, model::QueryText{"SELECT 2", kFpB, false}}};
    bad.baseline = &replacement;
    auto failed = store_->SaveSnapshot(bad);
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error().code, ErrorCode::kStorage);

    auto list = store_->ListSnapshots(target->id, 10);
    ASSERT_TRUE(list);
    EXPECT_EQ(list->size(), 1u);
    auto queries = store_->LoadQueries(target->id);
    ASSERT_TRUE(queries);
    EXPECT_TRUE(queries->empty());
    auto baseline = store_->LoadBaseline(target->id);
    ASSERT_TRUE(baseline && baseline->has_value());
    EXPECT_EQ((*baseline)->counters.size(), 10u);
    EXPECT_EQ((*baseline)->info.taken_at, FromUnixMs(1'000));
    EXPECT_EQ(harness_->RawInt("SELECT count(*) FROM snapshot_groups"), 1);

    // And the store is still usable.
    auto next = store_->SaveSnapshot(Write(target->id, 3'000, 2'000, {Group(kFpB, {2}, "SELECT 2", 1, 2.0)}));
    ASSERT_TRUE(next) << next.error().ToString();
}

// Two collectors of one target (a fleet instance that took it over while the first still ran): the
// second delta computed from the same baseline would count the interval's calls twice.
TEST_P(StoreContract, ADeltaFromAStaleBaselineIsRefusedAndWritesNothing) {
    const auto target = store_->EnsureTarget("prod", "host=db1");
    ASSERT_TRUE(target);
    ASSERT_NO_FATAL_FAILURE(SaveFirstSnapshot(*store_, target->id, 4));

    // Collector one: a delta from the stored baseline, saved.
    const model::Baseline at2 = MakeBaseline(2'000, 5);
    SnapshotWrite delta = Write(target->id, 2'000, 1'000, {Group(kFpA, {1}, "SELECT 1", 10, 10.0)});
    delta.baseline = &at2;
    delta.delta_from = FromUnixMs(1'000);
    auto saved = store_->SaveSnapshot(delta);
    ASSERT_TRUE(saved) << saved.error().ToString();

    // Collector two, through another open store, still holds the baseline of 1'000: refused.
    auto other = harness_->Open();
    const model::Baseline stale_next = MakeBaseline(2'100, 6);
    SnapshotWrite stale = Write(target->id, 2'100, 1'100, {Group(kFpA, {1}, "SELECT 1", 11, 11.0)});
    stale.baseline = &stale_next;
    stale.delta_from = FromUnixMs(1'000);
    stale.new_queries = {{9, model::QueryText{"SELECT 9", kFpB, false}}};
    auto refused = other->SaveSnapshot(stale);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
    EXPECT_NE(refused.error().message.find("another collector"), std::string::npos) << refused.error().message;

    auto list = store_->ListSnapshots(target->id, 10);
    ASSERT_TRUE(list);
    EXPECT_EQ(list->size(), 2u);
    auto baseline = store_->LoadBaseline(target->id);
    ASSERT_TRUE(baseline && baseline->has_value());
    EXPECT_EQ((*baseline)->info.taken_at, FromUnixMs(2'000));
    EXPECT_EQ((*baseline)->counters.size(), 5u);
    auto queries = store_->LoadQueries(target->id);
    ASSERT_TRUE(queries);
    EXPECT_TRUE(queries->empty());
    auto range = store_->RangeGroups(target->id, FromUnixMs(0), FromUnixMs(10'000), 100);
    ASSERT_TRUE(range) << range.error().ToString();
    ASSERT_EQ(range->size(), 1u);
    EXPECT_EQ((*range)[0].counters.calls, 10);

    // A delta with no stored baseline at all is refused too; resuming from the stored one succeeds.
    const auto fresh = store_->EnsureTarget("fresh", "host=db3");
    ASSERT_TRUE(fresh);
    SnapshotWrite orphan = Write(fresh->id, 2'000, 1'000, {});
    orphan.delta_from = FromUnixMs(1'000);
    auto orphan_saved = store_->SaveSnapshot(orphan);
    ASSERT_FALSE(orphan_saved);
    EXPECT_EQ(orphan_saved.error().code, ErrorCode::kConflict);
    stale.delta_from = FromUnixMs(2'000);
    stale.snapshot.interval_ms = 100;
    auto resumed = other->SaveSnapshot(stale);
    ASSERT_TRUE(resumed) << resumed.error().ToString();
}

TEST_P(StoreContract, SnapshotOfAnUnknownTargetIsRefused) {
    auto id = store_->SaveSnapshot(Write(12345, 1'000, std::nullopt, {Group(kFpA, {1}, "SELECT 1", 1, 1.0)}));
    ASSERT_FALSE(id);
    EXPECT_EQ(id.error().code, ErrorCode::kStorage);
    EXPECT_EQ(harness_->RawInt("SELECT count(*) FROM snapshots"), 0);
}

}  // namespace
}  // namespace optischema::store::contract
