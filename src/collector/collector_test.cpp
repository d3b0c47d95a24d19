#include "collector/collector.hpp"

#include <gtest/gtest.h>

#include "collector/internal/replay.hpp"
#include "collector/ranking.hpp"

namespace optischema::collector {
namespace {

using namespace replay;
using model::Counters;
using model::SnapshotInfo;
using model::StatementKey;
using model::StatementStats;

// Tests on recorded PostgreSQL 15 readings ---------------------------------------------------------

TEST(CollectorRecordedTest, LoaderReadsMultiLineQuotedTexts) {
    const auto before = LoadRecording("pg15_before.csv");
    ASSERT_EQ(before.size(), 11u);
    const auto fn = std::find_if(before.begin(), before.end(),
                                 [](const RecordedRow& r) { return r.query.starts_with("CREATE FUNCTION"); });
    ASSERT_NE(fn, before.end());
    EXPECT_NE(fn->query.find("\nBEGIN\n"), std::string::npos);
    EXPECT_TRUE(fn->query.ends_with("END $$"));
    const auto nested =
        std::find_if(before.begin(), before.end(), [](const RecordedRow& r) { return r.stats.key.queryid == kNested; });
    ASSERT_NE(nested, before.end());
    EXPECT_FALSE(nested->stats.key.toplevel);
}

TEST(CollectorRecordedTest, FirstCycleReadsTextsInOneCall) {
    const auto before = LoadRecording("pg15_before.csv");
    ReplayStatsSource source({Reading{Info(1'000), before}});
    QueryCatalog catalog;
    Collector collector(source, catalog);

    auto c = collector.Collect();
    ASSERT_TRUE(c) << c.error().ToString();
    EXPECT_EQ(source.statements_calls, (std::vector<bool>{true}));
    EXPECT_TRUE(source.text_requests.empty());
    EXPECT_FALSE(c->deltas.has_value());
    EXPECT_EQ(c->cumulative.size(), before.size());
    EXPECT_EQ(c->info.server_version, "15.18");

    const auto ids = Queryids(before);
    EXPECT_EQ(catalog.size(), ids.size());
    const auto added = Sorted(c->new_queryids);
    EXPECT_EQ(added, std::vector<std::int64_t>(ids.begin(), ids.end()));
    ASSERT_NE(catalog.Find(kInTwo), nullptr);
    EXPECT_EQ(catalog.Find(kInTwo)->text, "SELECT * FROM t WHERE id IN ($1, $2)");
    EXPECT_TRUE(catalog.Find(kOwn)->own);

    ASSERT_TRUE(collector.baseline().has_value());
    EXPECT_EQ(collector.baseline()->counters.size(), before.size());
    EXPECT_EQ(collector.baseline()->info.taken_at, FromUnixMs(1'000));
}

TEST(CollectorRecordedTest, SecondCycleFetchesOnlyNewTextsAndTakesDeltas) {
    const auto before = LoadRecording("pg15_before.csv");
    const auto after = LoadRecording("pg15_after.csv");
    ReplayStatsSource source({Reading{Info(1'000), before}, Reading{Info(61'000), after}});
    QueryCatalog catalog;
    Collector collector(source, catalog);
    ASSERT_TRUE(collector.Collect());

    auto c = collector.Collect();
    ASSERT_TRUE(c) << c.error().ToString();
    EXPECT_EQ(source.statements_calls, (std::vector<bool>{true, false}));
    ASSERT_EQ(source.text_requests.size(), 1u);
    EXPECT_EQ(Sorted(source.text_requests[0]), (std::vector<std::int64_t>{kInThree, kUpdate, kJoin}));
    EXPECT_EQ(Sorted(c->new_queryids), (std::vector<std::int64_t>{kInThree, kUpdate, kJoin}));
    EXPECT_EQ(catalog.size(), Queryids(after).size());
    EXPECT_EQ(catalog.Find(kUpdate)->text, "UPDATE t SET a = a + $1 WHERE id = $2");

    // Every delta equals after minus before for its key (or after alone for new keys), and entries
    // without new work are left out.
    ASSERT_TRUE(c->deltas.has_value());
    const auto& deltas = *c->deltas;
    ExpectNoNegativeCounters(deltas);
    std::map<std::int64_t, Counters> expected;
    for (const auto& a : after) {
        Counters d = a.stats.counters;
        for (const auto& b : before) {
            if (b.stats.key == a.stats.key) d = a.stats.counters.Minus(b.stats.counters);
        }
        if (d.calls > 0) expected.emplace(a.stats.key.queryid, d);
    }
    EXPECT_EQ(expected.size(), 8u);
    ASSERT_EQ(deltas.size(), expected.size());
    for (const auto& d : deltas) {
        SCOPED_TRACE(d.key.queryid);
        ASSERT_TRUE(expected.contains(d.key.queryid));
        const Counters& e = expected.at(d.key.queryid);
        EXPECT_EQ(d.counters.calls, e.calls);
        EXPECT_DOUBLE_EQ(d.counters.total_exec_ms, e.total_exec_ms);
        EXPECT_EQ(d.counters.rows, e.rows);
        EXPECT_EQ(d.counters.shared_blks_hit, e.shared_blks_hit);
    }
    EXPECT_EQ(FindDelta(deltas, kInTwo)->counters.calls, 2);
    EXPECT_EQ(FindDelta(deltas, kInThree)->counters.calls, 3);
    EXPECT_EQ(FindDelta(deltas, kOrdersByCustomer)->counters.calls, 3);
    EXPECT_EQ(FindDelta(deltas, kNested)->counters.calls, 2);
    EXPECT_EQ(c->report.new_entries, 3u);
    EXPECT_EQ(c->report.restarted_entries, 0u);
    EXPECT_EQ(c->report.evicted_entries, 0u);
    EXPECT_FALSE(c->report.full_reset);

    // Ranked, the two IN-list queryids are one statement and OptiSchema's own query is left out.
    const auto ranking = Rank(deltas, catalog, RankingOptions{.coverage = 1.0});
    const auto in_list = std::find_if(ranking.top.begin(), ranking.top.end(), [](const model::StatementGroup& g) {
        return std::find(g.queryids.begin(), g.queryids.end(), kInTwo) != g.queryids.end();
    });
    ASSERT_NE(in_list, ranking.top.end());
    EXPECT_EQ(in_list->queryids, (std::vector<std::int64_t>{kInThree, kInTwo}));
    EXPECT_EQ(in_list->counters.calls, 5);
    EXPECT_EQ(in_list->counters.rows, 4 + 9);
    for (const auto& g : ranking.top) {
        EXPECT_EQ(std::find(g.queryids.begin(), g.queryids.end(), kOwn), g.queryids.end());
    }
    EXPECT_EQ(ranking.group_count, 6u);  // 8 entries, IN lists merged, own statement left out
}

TEST(CollectorRecordedTest, EntriesResetForOneDatabaseCountFromZero) {
    // pg_stat_statements_reset(0, <recorder>, 0) between the second and third reading: stats_reset
    // does not change, the two entries that ran again start from zero and the rest are gone.
    const auto before = LoadRecording("pg15_before.csv");
    const auto after = LoadRecording("pg15_after.csv");
    const auto reset = LoadRecording("pg15_after_db_reset.csv");
    ReplayStatsSource source(
        {Reading{Info(1'000), before}, Reading{Info(61'000), after}, Reading{Info(121'000), reset}});
    QueryCatalog catalog;
    Collector collector(source, catalog);
    ASSERT_TRUE(collector.Collect());
    ASSERT_TRUE(collector.Collect());

    auto c = collector.Collect();
    ASSERT_TRUE(c) << c.error().ToString();
    EXPECT_EQ(source.text_requests.size(), 1u);  // both texts are known: no new ReadTexts
    EXPECT_TRUE(c->new_queryids.empty());
    ASSERT_TRUE(c->deltas.has_value());
    const auto& deltas = *c->deltas;
    ExpectNoNegativeCounters(deltas);
    ASSERT_EQ(deltas.size(), 2u);
    for (const auto& r : reset) {
        const StatementStats* d = FindDelta(deltas, r.stats.key.queryid);
        ASSERT_NE(d, nullptr);
        EXPECT_EQ(d->counters.calls, r.stats.counters.calls);
        EXPECT_DOUBLE_EQ(d->counters.total_exec_ms, r.stats.counters.total_exec_ms);
        EXPECT_EQ(d->counters.rows, r.stats.counters.rows);
    }
    EXPECT_EQ(c->report.restarted_entries, 2u);
    EXPECT_EQ(c->report.evicted_entries, after.size() - 2);
    EXPECT_FALSE(c->report.full_reset);
}

// Hand-written edge cases -------------------------------------------------------------------------

TEST(CollectorTest, TheTopLevelTextNamesAStatementEvenWhenOptiSchemaExplainedIt) {
    // track = all: OptiSchema's EXPLAIN of a user's query leaves a nested entry with the same queryid
    // whose text is the tagged EXPLAIN. The user's statement must keep its own text and not count as ours.
    RecordedRow nested = Row(7, 4, 1.0, "/* optischema */ EXPLAIN (FORMAT JSON) SELECT count(*) FROM t WHERE a = $1");
    nested.stats.key.toplevel = false;
    RecordedRow top = Row(7, 40, 400.0, "SELECT count(*) FROM t WHERE a = $1");
    top.stats.key.toplevel = true;
    ReplayStatsSource source({At(1'000, {nested, top})});
    QueryCatalog catalog;
    Collector collector(source, catalog);
    auto collection = collector.Collect();
    ASSERT_TRUE(collection);
    const auto ranking = Rank(collection->cumulative, catalog, {.coverage = 1.0});
    ASSERT_EQ(ranking.top.size(), 1u);
    EXPECT_EQ(ranking.top[0].counters.calls, 40) << "the user's 40 calls, not OptiSchema's 4 EXPLAINs";
    const QueryInfo* info = catalog.Find(7);
    ASSERT_NE(info, nullptr);
    EXPECT_EQ(info->text, "SELECT count(*) FROM t WHERE a = $1");
    EXPECT_FALSE(info->own);
    EXPECT_TRUE(catalog.IsOwn(7, false)) << "the nested entry is OptiSchema's EXPLAIN";
}

TEST(CollectorTest, NestedTextsOfKnownStatementsAreReadOnce) {
    // The user's statement is known; later OptiSchema EXPLAINs it, adding a nested entry.
    RecordedRow top = Row(7, 40, 400.0, "SELECT count(*) FROM t WHERE a = $1");
    RecordedRow nested = Row(7, 4, 1.0, "/* optischema */ EXPLAIN (FORMAT JSON) SELECT count(*) FROM t WHERE a = $1");
    nested.stats.key.toplevel = false;
    ReplayStatsSource source({At(1'000, {top}), At(2'000, {top, nested}), At(3'000, {top, nested})});
    QueryCatalog catalog;
    Collector collector(source, catalog);
    ASSERT_TRUE(collector.Collect());
    auto second = collector.Collect();
    ASSERT_TRUE(second);
    ASSERT_TRUE(collector.Collect());
    ASSERT_EQ(source.text_requests.size(), 1u) << "the nested text is asked for once";
    EXPECT_EQ(source.text_requests[0], (std::vector<std::int64_t>{7}));
    EXPECT_TRUE(catalog.IsOwn(7, false));
    EXPECT_FALSE(catalog.IsOwn(7, true));
    const auto ranking = Rank(second->cumulative, catalog, {.coverage = 1.0});
    ASSERT_EQ(ranking.top.size(), 1u);
    EXPECT_EQ(ranking.top[0].counters.calls, 40) << "OptiSchema's own EXPLAINs are not the user's work";
}

TEST(CollectorTest, AskForEachMissingTextOnceEvenWhenSeveralUsersRunIt) {
    ReplayStatsSource source({
        At(1'000, {Row(1, 1, 1.0, "SELECT 1")}),
        At(2'000, {Row(1, 2, 2.0, "SELECT 1"), Row(2, 1, 1.0, "SELECT 2", 10), Row(2, 1, 1.0, "SELECT 2", 11),
                   Row(3, 1, 1.0, "SELECT 3")}),
        At(3'000, {Row(1, 3, 3.0, "SELECT 1"), Row(2, 2, 2.0, "SELECT 2", 10), Row(2, 2, 2.0, "SELECT 2", 11),
                   Row(3, 1, 1.0, "SELECT 3")}),
    });
    QueryCatalog catalog;
    Collector collector(source, catalog);
    ASSERT_TRUE(collector.Collect());
    ASSERT_TRUE(collector.Collect());
    auto third = collector.Collect();
    ASSERT_TRUE(third);
    EXPECT_EQ(source.statements_calls, (std::vector<bool>{true, false, false}));
    // Cycle 3 needs no text at all, so ReadTexts is not called again.
    ASSERT_EQ(source.text_requests.size(), 1u);
    EXPECT_EQ(Sorted(source.text_requests[0]), (std::vector<std::int64_t>{2, 3}));
    EXPECT_TRUE(third->new_queryids.empty());
    ASSERT_TRUE(third->deltas.has_value());
    EXPECT_EQ(third->deltas->size(), 3u);  // queryid 3 had no new call
    EXPECT_EQ(FindDelta(*third->deltas, 2, 11)->counters.calls, 1);
}

}  // namespace
}  // namespace optischema::collector
