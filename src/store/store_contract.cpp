#include "store/store_contract.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

#include "store/internal/snapshot_rules.hpp"

namespace optischema::store::contract {

using model::Counters;
using model::StatementGroup;

std::vector<SnapshotWrite> SaveHourlyWorkload(Store& store, std::int64_t target_id, int seed) {
    const long long base = kWorkloadStartMs;
    std::vector<std::pair<long long, std::optional<std::int64_t>>> times;
    for (int k = 0; k <= 38; ++k) times.emplace_back(base - 1'800'000 + seed * 60'000LL + k * 600'000LL, 600'000);
    for (int h = 1; h <= 5; ++h) {
        for (long long d : {-1LL, 0LL, 1LL}) times.emplace_back(base + h * kHourMs + d, 1'000);
    }
    times.emplace_back(base + 3 * kHourMs + 5, 4);
    times.emplace_back(base + 2 * kHourMs + 1'000'000, std::nullopt);  // cumulative: never summed
    std::vector<SnapshotWrite> writes;
    for (std::size_t n = 0; n < times.size(); ++n) {
        const auto i = static_cast<std::int64_t>(n);
        const auto [taken_at_ms, interval_ms] = times[n];
        std::vector<StatementGroup> top;
        for (std::int64_t f = 0; f < 6; ++f) {
            // Fingerprint 5 copies 4's numbers: the two always tie and are ordered by fingerprint.
            const std::int64_t c = f == 5 ? 4 : f;
            if ((i + c + seed) % 4 == 0) continue;
            static constexpr const char* kVariants[] = {"-- a", "-- B", "-- \u00e9"};  // bytewise: B < a < é
            StatementGroup g;
            g.fingerprint = fmt::format("{:016x}", (f + 1) * 0x1111111);
            g.queryids = {f + 1, f + 100};
            g.query = fmt::format("SELECT {} {}", f, kVariants[(i * 2 + f + seed) % 3]);
            // Multiples of 1/16 or more: every sum of them is exact, in any order.
            g.counters = Counters{.calls = (i * 7 + c * 3 + seed) % 11 + 1,
                                  .total_exec_ms = 0.125 * static_cast<double>((i * 5 + c * 13 + seed * 3) % 37 + 1),
                                  .total_plan_ms = 0.5 * static_cast<double>((i + c) % 3),
                                  .rows = ((i * 7 + c * 3 + seed) % 11 + 1) * (c + 1),
                                  .shared_blks_hit = (i * 31 + c * 17) % 101,
                                  .shared_blks_read = (i + c) % 5,
                                  .shared_blks_dirtied = i % 3,
                                  .shared_blks_written = c % 2,
                                  .temp_blks_read = (i * c) % 4,
                                  .temp_blks_written = (i + 2 * c) % 3,
                                  .blk_read_ms = 0.25 * static_cast<double>(i % 4),
                                  .blk_write_ms = 0.0625 * static_cast<double>((i + c) % 5)};
            if (!interval_ms) g.counters = Counters{.calls = 1'000'000, .total_exec_ms = 1e5, .rows = 7};
            top.push_back(std::move(g));
        }
        std::optional<StatementGroup> other;
        if (n % 3 == 0) other = Group("other", {}, "12 other statements", 999, 5000.0);
        SnapshotWrite w = Write(target_id, taken_at_ms, interval_ms, std::move(top), std::move(other));
        auto id = store.SaveSnapshot(w);
        if (!id) throw std::runtime_error(id.error().ToString());
        writes.push_back(std::move(w));
    }
    return writes;
}

std::vector<StatementGroup> RawRange(const std::vector<SnapshotWrite>& writes,
                                     std::int64_t target_id,
                                     long long from_ms,
                                     long long to_ms,
                                     std::size_t limit) {
    std::map<std::string, std::pair<StatementGroup, double>> sums;  // with the sum of total times
    for (const auto& w : writes) {
        const long long t = ToUnixMs(w.snapshot.info.taken_at);
        if (w.snapshot.target_id != target_id || !w.snapshot.interval_ms || t < from_ms || t > to_ms) continue;
        for (const auto& g : w.ranking.top) {
            auto [it, fresh] = sums.try_emplace(g.fingerprint);
            StatementGroup& sum = it->second.first;
            if (fresh) {
                sum.fingerprint = g.fingerprint;
                sum.query = g.query;
            }
            sum.query = std::max(sum.query, g.query);
            model::ForEachCounterField([&](auto field) { sum.counters.*field += g.counters.*field; });
            it->second.second += g.counters.total_exec_ms + g.counters.total_plan_ms;
        }
    }
    std::vector<std::pair<StatementGroup, double>> ranked;
    for (auto& [fingerprint, sum] : sums) ranked.push_back(std::move(sum));
    std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    std::vector<StatementGroup> out;
    for (auto& [g, total] : ranked) {
        if (out.size() >= limit) break;
        out.push_back(std::move(g));
    }
    return out;
}

std::vector<long long> WorkloadInstants() {
    const long long base = kWorkloadStartMs;
    return {base - kHourMs - 1,
            base - 1'800'000 + 1,
            base - 1,
            base,
            base + 1,
            base + 1'234'567,
            base + kHourMs - 1,
            base + kHourMs,
            base + kHourMs + 1,
            base + 2 * kHourMs + 1'000'000,
            base + 2 * kHourMs + 1'800'000,
            base + 3 * kHourMs - 1,
            base + 3 * kHourMs,
            base + 3 * kHourMs + 5,
            base + 4 * kHourMs + 1,
            base + 5 * kHourMs - 1,
            base + 5 * kHourMs,
            base + 6 * kHourMs - 1,
            base + 6 * kHourMs + 1,
            base + 8 * kHourMs};
}

namespace {

// One line per group, every number in its shortest exact form: equal texts are equal results.
std::string Dump(const std::vector<StatementGroup>& groups) {
    std::string out;
    for (const auto& g : groups) {
        out += fmt::format("{} [{}]", g.fingerprint, g.query);
        model::ForEachCounterField([&](auto field) { out += fmt::format(" {}", g.counters.*field); });
        out += '\n';
    }
    return out;
}

}  // namespace

void ExpectRangesExact(Store& store, const std::vector<SnapshotWrite>& writes, std::int64_t target_id) {
    int failures = 0;
    std::size_t nonempty = 0;
    const auto instants = WorkloadInstants();
    for (long long from : instants) {
        for (long long to : instants) {
            for (std::size_t limit : {std::numeric_limits<std::size_t>::max(), std::size_t{3}}) {
                auto got = store.RangeGroups(target_id, FromUnixMs(from), FromUnixMs(to), limit);
                if (!got) {
                    ADD_FAILURE() << "RangeGroups failed: " << got.error().ToString();
                    return;
                }
                const auto expected = RawRange(writes, target_id, from, to, limit);
                nonempty += expected.empty() ? 0 : 1;
                if (Dump(*got) != Dump(expected)) {
                    ADD_FAILURE() << fmt::format("target {}, range [{}, {}] (start + {} ms, start + {} ms), limit {}",
                                                 target_id, from, to, from - kWorkloadStartMs, to - kWorkloadStartMs,
                                                 limit)
                                  << "\ngot:\n"
                                  << Dump(*got) << "expected:\n"
                                  << Dump(expected);
                    if (++failures == 3) return;
                }
            }
        }
    }
    EXPECT_GT(nonempty, instants.size()) << "the ranges should mostly hold snapshots";
    const long long first = instants.front();
    const long long last = instants.back();
    for (std::size_t limit : {std::size_t{0}, std::size_t{1}, std::size_t{6}}) {
        auto got = store.RangeGroups(target_id, FromUnixMs(first), FromUnixMs(last), limit);
        ASSERT_TRUE(got) << got.error().ToString();
        EXPECT_EQ(Dump(*got), Dump(RawRange(writes, target_id, first, last, limit))) << "limit " << limit;
        EXPECT_EQ(got->size(), limit) << "the workload has 6 fingerprints";
    }
}

namespace {

// Targets

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
    const model::Baseline good = MakeBaseline(1'000, 10);
    SnapshotWrite first = Write(target->id, 1'000, std::nullopt, {Group(kFpA, {1}, "SELECT 1", 1, 1.0)});
    first.baseline = &good;
    ASSERT_TRUE(store_->SaveSnapshot(first));

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
    const model::Baseline at1 = MakeBaseline(1'000, 4);
    SnapshotWrite first = Write(target->id, 1'000, std::nullopt, {Group(kFpA, {1}, "SELECT 1", 1, 1.0)});
    first.baseline = &at1;
    ASSERT_TRUE(store_->SaveSnapshot(first));

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

// Recommendations and the audit log

TEST_P(StoreContract, RecommendationsKeepTheirIdAndValidationUntilTheSqlChanges) {
    auto target = store_->EnsureTarget("db", "host=x dbname=db");
    ASSERT_TRUE(target);
    RecommendationRecord r;
    r.id = "idx-0123456789ab";
    r.target_id = target->id;
    r.kind = "index";
    r.title = "orders (customer_id)";
    r.sql = "CREATE INDEX CONCURRENTLY orders_customer_id_idx ON orders (customer_id)";
    r.rollback_sql = "DROP INDEX CONCURRENTLY IF EXISTS orders_customer_id_idx";
    r.evidence_json = R"({"saved_ms": 10})";
    ASSERT_TRUE(store_->SaveRecommendation(r));
    auto created = store_->GetRecommendation(r.id);
    ASSERT_TRUE(created && *created);
    ASSERT_TRUE(store_->SaveValidation(r.id, R"({"verdict": "improved"})"));

    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    r.evidence_json = R"({"saved_ms": 20})";  // advise ran again: same index, new evidence
    ASSERT_TRUE(store_->SaveRecommendation(r));
    auto got = store_->GetRecommendation(r.id);
    ASSERT_TRUE(got && *got);
    EXPECT_EQ((*got)->evidence_json, R"({"saved_ms": 20})");
    EXPECT_EQ((*got)->validation_json, R"({"verdict": "improved"})") << "same SQL: the validation still holds";
    EXPECT_EQ((*got)->created_at, (*created)->created_at) << "an update keeps created_at";
    EXPECT_GT((*got)->updated_at, (*created)->updated_at);

    r.sql += " WHERE customer_id > 0";
    ASSERT_TRUE(store_->SaveRecommendation(r));
    got = store_->GetRecommendation(r.id);
    ASSERT_TRUE(got && *got);
    EXPECT_EQ((*got)->validation_json, "") << "changed SQL: the old validation no longer applies";
    EXPECT_EQ((*got)->sql, r.sql);

    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    RecommendationRecord newer = r;
    newer.id = "idx-newer";
    ASSERT_TRUE(store_->SaveRecommendation(newer));
    auto list = store_->ListRecommendations(target->id);
    ASSERT_TRUE(list);
    ASSERT_EQ(list->size(), 2u);
    EXPECT_EQ((*list)[0].id, "idx-newer") << "most recently updated first";
    auto none = store_->GetRecommendation("idx-missing");
    ASSERT_TRUE(none);
    EXPECT_FALSE(*none);
    auto missing = store_->SaveValidation("idx-missing", "{}");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST_P(StoreContract, TheAuditLogIsAppendOnly) {
    model::AuditEvent apply;
    apply.at = FromUnixMs(1'700'000'000'000);
    apply.actor = "cli:alice";
    apply.target = "host=db1 dbname=shop";
    apply.action = "apply";
    apply.sql = "CREATE INDEX CONCURRENTLY i ON t (a)";
    apply.outcome = "ok";
    apply.duration_ms = 1234.5;
    apply.detail_json = R"({"recommendation": "idx-1"})";
    auto first = store_->AppendAudit(apply);
    ASSERT_TRUE(first);
    model::AuditEvent rollback = apply;
    rollback.action = "rollback";
    rollback.sql = "DROP INDEX CONCURRENTLY IF EXISTS i";
    rollback.related_id = *first;
    auto second = store_->AppendAudit(rollback);
    ASSERT_TRUE(second);
    EXPECT_GT(*second, *first);

    auto list = store_->ListAudit(0);
    ASSERT_TRUE(list);
    ASSERT_EQ(list->size(), 2u);
    EXPECT_EQ((*list)[0].action, "rollback") << "newest first";
    EXPECT_EQ((*list)[0].related_id, std::optional<std::int64_t>(*first));
    EXPECT_EQ((*list)[1].sql, apply.sql);
    EXPECT_DOUBLE_EQ((*list)[1].duration_ms, 1234.5);
    EXPECT_EQ(ToUnixMs((*list)[1].at), 1'700'000'000'000);
    EXPECT_FALSE((*list)[1].related_id);
    auto one = store_->ListAudit(1);
    ASSERT_TRUE(one);
    EXPECT_EQ(one->size(), 1u);
    auto got = store_->GetAudit(*first);
    ASSERT_TRUE(got && *got);
    EXPECT_EQ((*got)->actor, "cli:alice");
    auto missing = store_->GetAudit(*second + 100);
    ASSERT_TRUE(missing);
    EXPECT_FALSE(*missing);

    // Not even a direct connection to the database may rewrite history.
    EXPECT_THROW(harness_->RawExec("UPDATE audit_events SET outcome = 'failed'"), std::runtime_error);
    EXPECT_THROW(harness_->RawExec("DELETE FROM audit_events"), std::runtime_error);
    EXPECT_EQ(harness_->RawInt("SELECT count(*) FROM audit_events WHERE outcome = 'ok'"), 2);
}

// Users, sessions, latency and settings

TEST_P(StoreContract, UsersSessionsAndTokens) {
    auto admin = store_->CreateUser({0, "Admin", "$argon2id$hash", "admin", {}});
    ASSERT_TRUE(admin) << admin.error().message;
    auto dup = store_->CreateUser({0, "admin", "h", "viewer", {}});
    ASSERT_FALSE(dup) << "names are unique, case-insensitively";
    EXPECT_EQ(dup.error().code, ErrorCode::kInvalidArgument);
    auto found = store_->FindUser("ADMIN");
    ASSERT_TRUE(found && *found);
    EXPECT_EQ((*found)->role, "admin");
    EXPECT_EQ((*found)->username, "Admin");

    const TimePoint now = FromUnixMs(1'700'000'000'000);
    ASSERT_TRUE(store_->SaveSession({"hash-1", admin->id, "session", "", now, now + std::chrono::hours(12)}));
    ASSERT_TRUE(store_->SaveSession({"hash-2", admin->id, "api", "ci", now, std::nullopt}));
    auto live = store_->FindSession("hash-1", now + std::chrono::hours(1));
    ASSERT_TRUE(live && *live);
    EXPECT_EQ((*live)->second.username, "Admin");
    EXPECT_EQ((*live)->first.expires_at, now + std::chrono::hours(12));
    auto expired = store_->FindSession("hash-1", now + std::chrono::hours(13));
    ASSERT_TRUE(expired);
    EXPECT_FALSE(*expired) << "an expired session is not found";
    auto tokens = store_->ListApiTokens(admin->id);
    ASSERT_TRUE(tokens);
    ASSERT_EQ(tokens->size(), 1u);
    EXPECT_EQ((*tokens)[0].label, "ci");
    EXPECT_FALSE((*tokens)[0].expires_at);
    ASSERT_TRUE(store_->DeleteSession("hash-2"));
    auto gone = store_->FindSession("hash-2", now);
    ASSERT_TRUE(gone);
    EXPECT_FALSE(*gone);

    ASSERT_TRUE(store_->SaveSession({"hash-3", admin->id, "api", "ci", now, std::nullopt}));
    ASSERT_TRUE(store_->SaveSession({"hash-4", admin->id, "session", "", now, now + std::chrono::hours(12)}));
    auto other = store_->CreateUser({0, "other", "$argon2id$o", "viewer", {}});
    ASSERT_TRUE(other);
    ASSERT_TRUE(store_->SaveSession({"hash-5", other->id, "session", "", now, now + std::chrono::hours(12)}));
    ASSERT_TRUE(store_->DeleteBrowserSessions(admin->id, "hash-4"));  // the one changing the password stays
    for (const auto& [hash, kept] : std::vector<std::pair<std::string, bool>>{
             {"hash-1", false}, {"hash-4", true}, {"hash-3", true}, {"hash-5", true}}) {
        auto s = store_->FindSession(hash, now);
        ASSERT_TRUE(s);
        EXPECT_EQ(s->has_value(), kept) << hash << ": only the user's browser sessions end";
    }
    ASSERT_TRUE(store_->DeleteUser(other->id));
    ASSERT_TRUE(store_->SaveSession({"hash-1", admin->id, "session", "", now, now + std::chrono::hours(12)}));

    admin->role = "operator";
    admin->password_hash = "$argon2id$new";
    ASSERT_TRUE(store_->UpdateUser(*admin));
    auto updated = store_->FindUser("admin");
    ASSERT_TRUE(updated && *updated);
    EXPECT_EQ((*updated)->role, "operator");
    EXPECT_EQ((*updated)->password_hash, "$argon2id$new");
    ASSERT_TRUE(store_->DeleteUser(admin->id));
    auto orphan = store_->FindSession("hash-1", now);
    ASSERT_TRUE(orphan);
    EXPECT_FALSE(*orphan) << "a deleted user's sessions go with it";
    EXPECT_EQ(harness_->RawInt("SELECT count(*) FROM sessions"), 0);
    EXPECT_EQ(store_->DeleteUser(admin->id).error().code, ErrorCode::kNotFound);
    EXPECT_EQ(store_->UpdateUser(*admin).error().code, ErrorCode::kNotFound);
}

TEST_P(StoreContract, UsersAreListedByNameIgnoringCase) {
    for (const char* name : {"carol", "Bob", "alice"}) ASSERT_TRUE(store_->CreateUser({0, name, "h", "viewer", {}}));
    auto users = store_->ListUsers();
    ASSERT_TRUE(users);
    ASSERT_EQ(users->size(), 3u);
    EXPECT_EQ((*users)[0].username, "alice");
    EXPECT_EQ((*users)[1].username, "Bob");
    EXPECT_EQ((*users)[2].username, "carol");
}

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

TEST_P(StoreContract, SettingsAreKeptByKeyUntilDeleted) {
    auto none = store_->GetSetting("llm");
    ASSERT_TRUE(none);
    EXPECT_FALSE(*none);
    ASSERT_TRUE(store_->PutSetting("llm", R"({"model":"a"})"));
    ASSERT_TRUE(store_->PutSetting("llm", R"({"model":"b"})"));
    ASSERT_TRUE(store_->PutSetting("ui", "{}"));
    auto value = store_->GetSetting("llm");
    ASSERT_TRUE(value && *value);
    EXPECT_EQ(**value, R"({"model":"b"})") << "a second put replaces the first";
    ASSERT_TRUE(store_->DeleteSetting("llm"));
    auto gone = store_->GetSetting("llm");
    ASSERT_TRUE(gone);
    EXPECT_FALSE(*gone);
    auto other = store_->GetSetting("ui");
    ASSERT_TRUE(other && *other);
    ASSERT_TRUE(store_->DeleteSetting("never-set"));
}

}  // namespace
}  // namespace optischema::store::contract
