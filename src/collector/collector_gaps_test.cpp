// The collector across failures and restarts: resets, evicted entries, failed reads, a resumed baseline.
#include <gtest/gtest.h>

#include "collector/collector.hpp"
#include "collector/internal/replay.hpp"
#include "collector/ranking.hpp"

namespace optischema::collector {
namespace {

using namespace replay;
using model::Counters;
using model::SnapshotInfo;
using model::StatementKey;
using model::StatementStats;

TEST(CollectorTest, FullResetGivesNoNegativeNumbersAndLosesNoWork) {
    // After pg_stat_statements_reset() queryid 1 ran more than before the reset; subtracting the old
    // baseline would hide 5 calls, and queryid 2 would go negative.
    ReplayStatsSource source({
        At(1'000, {Row(1, 10, 100.0, "SELECT 1"), Row(2, 50, 50.0, "SELECT 2")}, 500),
        At(2'000, {Row(1, 15, 120.0, "SELECT 1"), Row(2, 3, 3.0, "SELECT 2")}, 1'500),
        At(3'000, {Row(1, 16, 121.0, "SELECT 1"), Row(2, 3, 3.0, "SELECT 2")}, 1'500),
    });
    QueryCatalog catalog;
    Collector collector(source, catalog);
    ASSERT_TRUE(collector.Collect());

    auto c = collector.Collect();
    ASSERT_TRUE(c);
    EXPECT_TRUE(c->report.full_reset);
    ASSERT_TRUE(c->deltas.has_value());
    ExpectNoNegativeCounters(*c->deltas);
    ASSERT_EQ(c->deltas->size(), 2u);
    EXPECT_EQ(FindDelta(*c->deltas, 1)->counters.calls, 15);
    EXPECT_DOUBLE_EQ(FindDelta(*c->deltas, 1)->counters.total_exec_ms, 120.0);
    EXPECT_EQ(FindDelta(*c->deltas, 2)->counters.calls, 3);

    // The next cycle subtracts again, from the post-reset reading.
    auto next = collector.Collect();
    ASSERT_TRUE(next);
    EXPECT_FALSE(next->report.full_reset);
    ASSERT_EQ(next->deltas->size(), 1u);
    EXPECT_EQ(FindDelta(*next->deltas, 1)->counters.calls, 1);
    EXPECT_DOUBLE_EQ(FindDelta(*next->deltas, 1)->counters.total_exec_ms, 1.0);
}

TEST(CollectorTest, EvictedAndRecreatedEntryCountsFromZero) {
    ReplayStatsSource source({
        At(1'000, {Row(1, 100, 1000.0, "SELECT 1"), Row(2, 5, 5.0, "SELECT 2")}),
        At(2'000, {Row(1, 4, 40.0, "SELECT 1"), Row(2, 6, 6.0, "SELECT 2")}),
    });
    QueryCatalog catalog;
    Collector collector(source, catalog);
    ASSERT_TRUE(collector.Collect());
    auto c = collector.Collect();
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->deltas.has_value());
    ExpectNoNegativeCounters(*c->deltas);
    EXPECT_EQ(FindDelta(*c->deltas, 1)->counters.calls, 4);
    EXPECT_DOUBLE_EQ(FindDelta(*c->deltas, 1)->counters.total_exec_ms, 40.0);
    EXPECT_EQ(FindDelta(*c->deltas, 2)->counters.calls, 1);
    EXPECT_EQ(c->report.restarted_entries, 1u);
    EXPECT_FALSE(c->report.full_reset);
}

TEST(CollectorTest, FailedStatementsReadKeepsBaselineSoTheNextCycleCoversTheGap) {
    std::vector<Reading> readings = {
        At(1'000, {Row(1, 10, 10.0, "SELECT 1")}),
        At(2'000, {Row(1, 15, 15.0, "SELECT 1")}),
        At(3'000, {Row(1, 25, 25.0, "SELECT 1"), Row(2, 1, 1.0, "SELECT 2")}),
    };
    readings[1].fail_statements = true;
    ReplayStatsSource source(std::move(readings));
    QueryCatalog catalog;
    Collector collector(source, catalog);
    ASSERT_TRUE(collector.Collect());

    auto failed = collector.Collect();
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error().code, ErrorCode::kQueryFailed);
    EXPECT_EQ(failed.error().sqlstate, "57014");
    ASSERT_TRUE(collector.baseline().has_value());
    EXPECT_EQ(collector.baseline()->info.taken_at, FromUnixMs(1'000));

    auto c = collector.Collect();
    ASSERT_TRUE(c) << c.error().ToString();
    ASSERT_TRUE(c->deltas.has_value());
    EXPECT_EQ(FindDelta(*c->deltas, 1)->counters.calls, 15);  // 10 -> 25 across the failed cycle
    EXPECT_EQ(FindDelta(*c->deltas, 2)->counters.calls, 1);
    EXPECT_EQ(collector.baseline()->info.taken_at, FromUnixMs(3'000));
}

TEST(CollectorTest, FailedInfoReadKeepsBaseline) {
    std::vector<Reading> readings = {
        At(1'000, {Row(1, 10, 10.0, "SELECT 1")}),
        At(2'000, {Row(1, 15, 15.0, "SELECT 1")}),
        At(3'000, {Row(1, 30, 30.0, "SELECT 1")}),
    };
    readings[1].fail_info = true;
    ReplayStatsSource source(std::move(readings));
    QueryCatalog catalog;
    Collector collector(source, catalog);
    ASSERT_TRUE(collector.Collect());
    auto failed = collector.Collect();
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error().code, ErrorCode::kConnectionFailed);
    auto c = collector.Collect();
    ASSERT_TRUE(c);
    EXPECT_EQ(FindDelta(*c->deltas, 1)->counters.calls, 20);
}

TEST(CollectorTest, FailedTextReadKeepsBaselineAndAsksAgain) {
    std::vector<Reading> readings = {
        At(1'000, {Row(1, 10, 10.0, "SELECT 1")}),
        At(2'000, {Row(1, 15, 15.0, "SELECT 1"), Row(2, 1, 1.0, "SELECT 2")}),
        At(3'000, {Row(1, 20, 20.0, "SELECT 1"), Row(2, 3, 3.0, "SELECT 2")}),
    };
    readings[1].fail_texts = true;
    ReplayStatsSource source(std::move(readings));
    QueryCatalog catalog;
    Collector collector(source, catalog);
    ASSERT_TRUE(collector.Collect());
    auto failed = collector.Collect();
    ASSERT_FALSE(failed);
    EXPECT_EQ(collector.baseline()->info.taken_at, FromUnixMs(1'000));
    EXPECT_FALSE(catalog.Contains(2));

    auto c = collector.Collect();
    ASSERT_TRUE(c) << c.error().ToString();
    ASSERT_EQ(source.text_requests.size(), 2u);
    EXPECT_EQ(source.text_requests[1], (std::vector<std::int64_t>{2}));
    EXPECT_EQ(c->new_queryids, (std::vector<std::int64_t>{2}));
    EXPECT_EQ(catalog.Find(2)->text, "SELECT 2");
    EXPECT_EQ(FindDelta(*c->deltas, 1)->counters.calls, 10);
    EXPECT_EQ(FindDelta(*c->deltas, 2)->counters.calls, 3);
}

TEST(CollectorTest, TextGoneBeforeItWasReadIsAskedForAgain) {
    std::vector<Reading> readings = {
        At(1'000, {Row(1, 1, 1.0, "SELECT 1")}),
        At(2'000, {Row(1, 2, 2.0, "SELECT 1"), Row(2, 1, 1.0, "SELECT 2")}),
        At(3'000, {Row(1, 3, 3.0, "SELECT 1"), Row(2, 2, 2.0, "SELECT 2")}),
    };
    readings[1].texts_gone = {2};
    ReplayStatsSource source(std::move(readings));
    QueryCatalog catalog;
    Collector collector(source, catalog);
    ASSERT_TRUE(collector.Collect());

    auto second = collector.Collect();
    ASSERT_TRUE(second) << second.error().ToString();
    EXPECT_TRUE(second->new_queryids.empty());
    EXPECT_FALSE(catalog.Contains(2));
    ASSERT_TRUE(second->deltas.has_value());
    EXPECT_EQ(FindDelta(*second->deltas, 2)->counters.calls, 1);  // its work still counts

    auto third = collector.Collect();
    ASSERT_TRUE(third);
    ASSERT_EQ(source.text_requests.size(), 2u);
    EXPECT_EQ(source.text_requests[1], (std::vector<std::int64_t>{2}));
    EXPECT_EQ(third->new_queryids, (std::vector<std::int64_t>{2}));
    EXPECT_EQ(catalog.Find(2)->text, "SELECT 2");
}

TEST(CollectorTest, ResumeTakesTheFirstDeltaAgainstAStoredBaseline) {
    // A restart: the baseline and texts come from the store, so the first cycle already yields deltas.
    ReplayStatsSource source({At(10'000, {Row(1, 30, 300.0, "SELECT 1"), Row(2, 7, 7.0, "SELECT 2")})});
    QueryCatalog catalog;
    catalog.Put(1, QueryCatalog::Describe(1, "SELECT 1"));
    Collector collector(source, catalog);
    Baseline stored;
    stored.info = Info(1'000);
    stored.counters.emplace(StatementKey{.userid = 10, .dbid = 5, .queryid = 1},
                            Counters{.calls = 20, .total_exec_ms = 200.0});
    collector.Resume(stored);
    ASSERT_TRUE(collector.baseline().has_value());

    auto c = collector.Collect();
    ASSERT_TRUE(c) << c.error().ToString();
    // The catalog is not empty, so counters are read without texts and only queryid 2 is fetched.
    EXPECT_EQ(source.statements_calls, (std::vector<bool>{false}));
    ASSERT_EQ(source.text_requests.size(), 1u);
    EXPECT_EQ(source.text_requests[0], (std::vector<std::int64_t>{2}));
    ASSERT_TRUE(c->deltas.has_value());
    ASSERT_EQ(c->deltas->size(), 2u);
    EXPECT_EQ(FindDelta(*c->deltas, 1)->counters.calls, 10);
    EXPECT_DOUBLE_EQ(FindDelta(*c->deltas, 1)->counters.total_exec_ms, 100.0);
    EXPECT_EQ(FindDelta(*c->deltas, 2)->counters.calls, 7);
    EXPECT_EQ(c->report.new_entries, 1u);
}

TEST(CollectorTest, ResumeAcrossAServerRestartCountsFromZero) {
    // The server restarted while OptiSchema was down: pg_stat_statements came back with a new
    // stats_reset and lower counters.
    ReplayStatsSource source({At(10'000, {Row(1, 3, 30.0, "SELECT 1")}, 9'000)});
    QueryCatalog catalog;
    Collector collector(source, catalog);
    Baseline stored;
    stored.info = Info(1'000, 500);
    stored.counters.emplace(StatementKey{.userid = 10, .dbid = 5, .queryid = 1},
                            Counters{.calls = 20, .total_exec_ms = 200.0});
    collector.Resume(stored);
    auto c = collector.Collect();
    ASSERT_TRUE(c);
    EXPECT_EQ(source.statements_calls, (std::vector<bool>{true}));  // empty catalog: texts in one read
    EXPECT_TRUE(c->report.full_reset);
    ASSERT_EQ(c->deltas->size(), 1u);
    EXPECT_EQ(c->deltas->at(0).counters.calls, 3);
    ExpectNoNegativeCounters(*c->deltas);
}

}  // namespace
}  // namespace optischema::collector
