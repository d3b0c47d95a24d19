#include "collector/ranking.hpp"

#include <algorithm>
#include <cctype>
#include <string>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "collector/query_catalog.hpp"

namespace optischema::collector {
namespace {

using model::Counters;
using model::StatementKey;
using model::StatementStats;

// Queryids and texts recorded from PostgreSQL 15 (testdata/pg_stat_statements/pg15_after.csv).
constexpr std::int64_t kInTwo = 1846771691874171760;
constexpr std::int64_t kInThree = -7254733262549953927;
constexpr std::int64_t kOrdersByCustomer = 8529745050449196945;
constexpr std::int64_t kOwnStatement = -4654732435595329443;
const std::string kInTwoText = "SELECT * FROM t WHERE id IN ($1, $2)";
const std::string kInThreeText = "SELECT * FROM t WHERE id IN ($1, $2, $3)";
const std::string kOrdersByCustomerText = "SELECT count(*) FROM orders WHERE customer_id = $1";
const std::string kOwnStatementText = "/* optischema */ SELECT count(*) FROM pg_class";

bool IsFingerprint(const std::string& s) {
    return s.size() == 16 && std::all_of(s.begin(), s.end(), [](char c) {
               return std::isdigit(static_cast<unsigned char>(c)) || (c >= 'a' && c <= 'f');
           });
}

StatementStats Entry(std::int64_t queryid,
                     std::int64_t calls,
                     double exec_ms,
                     std::uint32_t userid = 10,
                     std::uint32_t dbid = 5,
                     bool toplevel = true) {
    return StatementStats{StatementKey{.userid = userid, .dbid = dbid, .queryid = queryid, .toplevel = toplevel},
                          Counters{.calls = calls, .total_exec_ms = exec_ms, .rows = calls}};
}

/// A fingerprint that sorts like `n`, for tests that control the grouping themselves.
std::string Fp(int n) { return fmt::format("{:016x}", n); }

/// A catalog with one group per queryid 1..n, queryid i having fingerprint Fp(i).
QueryCatalog NumberedCatalog(int n) {
    QueryCatalog catalog;
    for (int i = 1; i <= n; ++i) catalog.Put(i, QueryInfo{fmt::format("SELECT {}", i), Fp(i), false});
    return catalog;
}

std::vector<std::string> Fingerprints(const model::WorkloadRanking& r) {
    std::vector<std::string> out;
    for (const auto& g : r.top) out.push_back(g.fingerprint);
    return out;
}

// QueryCatalog

TEST(QueryCatalogTest, DescribeFingerprintsRealStatements) {
    const QueryInfo two = QueryCatalog::Describe(kInTwo, kInTwoText);
    const QueryInfo three = QueryCatalog::Describe(kInThree, kInThreeText);
    const QueryInfo orders = QueryCatalog::Describe(kOrdersByCustomer, kOrdersByCustomerText);
    EXPECT_TRUE(IsFingerprint(two.fingerprint)) << two.fingerprint;
    EXPECT_EQ(two.text, kInTwoText);
    EXPECT_FALSE(two.own);
    // Different queryids, one statement shape: IN-list length does not change the fingerprint.
    EXPECT_EQ(two.fingerprint, three.fingerprint);
    EXPECT_NE(two.fingerprint, orders.fingerprint);
    // The fingerprint comes from the text, not the queryid.
    EXPECT_EQ(QueryCatalog::Describe(1, kInTwoText).fingerprint, two.fingerprint);
}

TEST(QueryCatalogTest, DescribeRecognizesOwnStatements) {
    EXPECT_TRUE(QueryCatalog::Describe(kOwnStatement, kOwnStatementText).own);
    EXPECT_TRUE(QueryCatalog::Describe(1, "  \n\t/* optischema */ SELECT 1").own);
    EXPECT_FALSE(QueryCatalog::Describe(2, "SELECT 1 /* optischema */").own);
    EXPECT_FALSE(QueryCatalog::Describe(3, "/* optischema-ish */ SELECT 1").own);
    EXPECT_FALSE(QueryCatalog::Describe(4, "/* someone else */ SELECT 1").own);
    // Where the tag sits now: PostgreSQL 18 keeps a text from its first token on (recorded from 18.4:
    // "/* optischema */ EXPLAIN ..." is kept as "EXPLAIN ...").
    EXPECT_TRUE(QueryCatalog::Describe(7, "EXPLAIN /* optischema */ (FORMAT JSON) SELECT $1 AS d").own);
    EXPECT_TRUE(QueryCatalog::Describe(8, "SET /* optischema */ lock_timeout = $1").own);
    EXPECT_FALSE(QueryCatalog::Describe(9, "SELECT a /* optischema */ FROM t").own);
    // Comments do not change the fingerprint, so an own statement groups with the same statement sent by others.
    EXPECT_EQ(QueryCatalog::Describe(5, "/* optischema */ SELECT count(*) FROM pg_class").fingerprint,
              QueryCatalog::Describe(6, "SELECT count(*) FROM pg_class").fingerprint);
}

TEST(QueryCatalogTest, DescribeFallsBackToQueryidInHexWhenTextDoesNotParse) {
    const QueryInfo hidden = QueryCatalog::Describe(0x1234abcd, "<insufficient privilege>");
    EXPECT_EQ(hidden.fingerprint, "000000001234abcd");
    EXPECT_EQ(hidden.text, "<insufficient privilege>");
    EXPECT_FALSE(hidden.own);
    // Negative queryids (half of them) are shown as their unsigned 64-bit pattern.
    EXPECT_EQ(QueryCatalog::Describe(-1, "<insufficient privilege>").fingerprint, "ffffffffffffffff");
    EXPECT_EQ(QueryCatalog::Describe(kInThree, "SELEC broken").fingerprint,
              fmt::format("{:016x}", static_cast<std::uint64_t>(kInThree)));
    // Two hidden statements are not lumped together.
    EXPECT_NE(QueryCatalog::Describe(1, "<insufficient privilege>").fingerprint,
              QueryCatalog::Describe(2, "<insufficient privilege>").fingerprint);
}

TEST(QueryCatalogTest, AddStoresNewTextsAndReturnsTheirQueryids) {
    QueryCatalog catalog;
    auto added = catalog.Add({{kInTwo, kInTwoText}, {kInThree, kInThreeText}});
    std::sort(added.begin(), added.end());
    EXPECT_EQ(added, (std::vector<std::int64_t>{kInThree, kInTwo}));
    EXPECT_EQ(catalog.size(), 2u);
    ASSERT_NE(catalog.Find(kInTwo), nullptr);
    EXPECT_EQ(catalog.Find(kInTwo)->text, kInTwoText);
    EXPECT_EQ(catalog.Find(kInTwo)->fingerprint, QueryCatalog::Describe(kInTwo, kInTwoText).fingerprint);
    EXPECT_TRUE(catalog.Contains(kInThree));
    EXPECT_FALSE(catalog.Contains(kOrdersByCustomer));
    EXPECT_EQ(catalog.Find(kOrdersByCustomer), nullptr);
}

TEST(QueryCatalogTest, AddLeavesKnownQueryidsAlone) {
    QueryCatalog catalog;
    catalog.Put(kInTwo, QueryInfo{"stored text", "00000000000000aa", false});
    const auto added = catalog.Add({{kInTwo, kInTwoText}, {kOrdersByCustomer, kOrdersByCustomerText}});
    EXPECT_EQ(added, (std::vector<std::int64_t>{kOrdersByCustomer}));
    EXPECT_EQ(catalog.Find(kInTwo)->text, "stored text");
    EXPECT_EQ(catalog.Find(kInTwo)->fingerprint, "00000000000000aa");
    EXPECT_TRUE(catalog.Add({{kInTwo, kInTwoText}}).empty());
    EXPECT_TRUE(catalog.Add({}).empty());
    EXPECT_EQ(catalog.size(), 2u);
}

TEST(QueryCatalogTest, PutReplaces) {
    QueryCatalog catalog;
    catalog.Put(1, QueryInfo{"a", "000000000000000a", false});
    catalog.Put(1, QueryInfo{"b", "000000000000000b", true});
    EXPECT_EQ(catalog.size(), 1u);
    EXPECT_EQ(catalog.Find(1)->text, "b");
    EXPECT_TRUE(catalog.Find(1)->own);
    EXPECT_EQ(catalog.entries().size(), 1u);
}

TEST(QueryCatalogTest, AddWithSeveralThreadsMatchesDescribe) {
    // Enough texts for several workers; a mix of distinct statements, unparsable ones and own ones.
    std::unordered_map<std::int64_t, std::string> texts;
    for (int i = 0; i < 3000; ++i) {
        const std::int64_t queryid = (i % 2 == 0 ? 1 : -1) * (1'000'003LL * (i + 1));
        if (i % 7 == 0) {
            texts.emplace(queryid, "<insufficient privilege>");
        } else if (i % 11 == 0) {
            texts.emplace(queryid, fmt::format("/* optischema */ SELECT c{} FROM t", i));
        } else {
            texts.emplace(queryid, fmt::format("SELECT c{} FROM t WHERE id IN ($1, $2)", i));
        }
    }
    for (unsigned threads : {0u, 1u, 4u, 64u}) {
        SCOPED_TRACE(threads);
        QueryCatalog catalog;
        const auto added = catalog.Add(texts, threads);
        EXPECT_EQ(added.size(), texts.size());
        ASSERT_EQ(catalog.size(), texts.size());
        std::size_t mismatches = 0;
        for (const auto& [queryid, text] : texts) {
            const QueryInfo expected = QueryCatalog::Describe(queryid, text);
            const QueryInfo* got = catalog.Find(queryid);
            if (got == nullptr || got->text != text || got->fingerprint != expected.fingerprint ||
                got->own != expected.own) {
                ++mismatches;
            }
        }
        EXPECT_EQ(mismatches, 0u);
        std::vector<std::int64_t> sorted_added = added;
        std::sort(sorted_added.begin(), sorted_added.end());
        EXPECT_EQ(std::adjacent_find(sorted_added.begin(), sorted_added.end()), sorted_added.end());
    }
}

// Rank

TEST(RankTest, GroupsQueryidsUsersDatabasesAndNestingByFingerprint) {
    QueryCatalog catalog;
    catalog.Add({{kInTwo, kInTwoText}, {kInThree, kInThreeText}, {kOrdersByCustomer, kOrdersByCustomerText}});
    const std::vector<StatementStats> entries = {
        Entry(kInTwo, 4, 2.0),
        Entry(kInTwo, 1, 1.0, /*userid=*/11),
        Entry(kInTwo, 2, 1.0, 10, /*dbid=*/6),
        Entry(kInThree, 3, 3.0, 10, 5, /*toplevel=*/false),
        Entry(kOrdersByCustomer, 10, 1.0),
    };
    const auto r = Rank(entries, catalog);
    EXPECT_EQ(r.group_count, 2u);
    ASSERT_EQ(r.top.size(), 2u);
    EXPECT_FALSE(r.other.has_value());
    const auto& in_list = r.top[0];
    EXPECT_EQ(in_list.fingerprint, catalog.Find(kInTwo)->fingerprint);
    EXPECT_EQ(in_list.queryids, (std::vector<std::int64_t>{kInThree, kInTwo}));  // sorted, distinct
    EXPECT_EQ(in_list.counters.calls, 10);
    EXPECT_DOUBLE_EQ(in_list.counters.total_exec_ms, 7.0);
    EXPECT_EQ(in_list.counters.rows, 10);
    EXPECT_EQ(r.top[1].queryids, (std::vector<std::int64_t>{kOrdersByCustomer}));
    EXPECT_EQ(r.top[1].query, kOrdersByCustomerText);
    EXPECT_DOUBLE_EQ(r.total_ms, 8.0);
}

TEST(RankTest, GroupTextIsThatOfItsCostliestEntry) {
    QueryCatalog catalog;
    catalog.Add({{kInTwo, kInTwoText}, {kInThree, kInThreeText}});
    auto r = Rank({Entry(kInTwo, 1, 1.0), Entry(kInThree, 1, 5.0), Entry(kInTwo, 1, 2.0, 11)}, catalog);
    ASSERT_EQ(r.top.size(), 1u);
    EXPECT_EQ(r.top[0].query, kInThreeText);
    r = Rank({Entry(kInThree, 1, 1.0), Entry(kInTwo, 1, 5.0)}, catalog);
    ASSERT_EQ(r.top.size(), 1u);
    EXPECT_EQ(r.top[0].query, kInTwoText);
}

TEST(RankTest, OrdersByTotalTimeIncludingPlanningThenFingerprint) {
    const QueryCatalog catalog = NumberedCatalog(4);
    std::vector<StatementStats> entries = {Entry(1, 1, 10.0), Entry(2, 1, 30.0), Entry(3, 1, 20.0), Entry(4, 1, 20.0)};
    entries[0].counters.total_plan_ms = 25.0;  // 35 ms in total: first
    const auto r = Rank(entries, catalog, RankingOptions{.coverage = 1.0, .min_groups = 0});
    EXPECT_EQ(Fingerprints(r), (std::vector<std::string>{Fp(1), Fp(2), Fp(3), Fp(4)}));
    EXPECT_DOUBLE_EQ(r.top[0].counters.TotalMs(), 35.0);
    EXPECT_DOUBLE_EQ(r.total_ms, 105.0);
}

TEST(RankTest, KeepsGroupsUntilCoverageAndSumsTheRestIntoOther) {
    const QueryCatalog catalog = NumberedCatalog(5);
    const std::vector<StatementStats> entries = {Entry(1, 5, 50.0), Entry(2, 3, 30.0), Entry(3, 1, 10.0),
                                                 Entry(4, 2, 6.0), Entry(5, 4, 4.0)};
    const auto r = Rank(entries, catalog, RankingOptions{.coverage = 0.8, .min_groups = 0});
    EXPECT_EQ(Fingerprints(r), (std::vector<std::string>{Fp(1), Fp(2)}));
    EXPECT_EQ(r.group_count, 5u);
    EXPECT_DOUBLE_EQ(r.total_ms, 100.0);
    ASSERT_TRUE(r.other.has_value());
    EXPECT_EQ(r.other->fingerprint, "other");
    EXPECT_EQ(r.other->query, "3 other statements");
    EXPECT_EQ(r.other->counters.calls, 7);
    EXPECT_DOUBLE_EQ(r.other->counters.total_exec_ms, 20.0);
    EXPECT_EQ(r.other->counters.rows, 7);
    // Nothing is lost: the kept groups and "other" add up to the total.
    double sum = r.other->counters.TotalMs();
    for (const auto& g : r.top) sum += g.counters.TotalMs();
    EXPECT_DOUBLE_EQ(sum, r.total_ms);
}

TEST(RankTest, CoverageJustBelowAGroupBoundaryKeepsTheNextGroup) {
    const QueryCatalog catalog = NumberedCatalog(5);
    const std::vector<StatementStats> entries = {Entry(1, 1, 50.0), Entry(2, 1, 30.0), Entry(3, 1, 10.0),
                                                 Entry(4, 1, 6.0), Entry(5, 1, 4.0)};
    const auto r = Rank(entries, catalog, RankingOptions{.coverage = 0.81, .min_groups = 0});
    EXPECT_EQ(Fingerprints(r), (std::vector<std::string>{Fp(1), Fp(2), Fp(3)}));
    ASSERT_TRUE(r.other.has_value());
    EXPECT_EQ(r.other->query, "2 other statements");
}

TEST(RankTest, DefaultKeepsAtLeastTenGroups) {
    const QueryCatalog catalog = NumberedCatalog(20);
    std::vector<StatementStats> entries = {Entry(1, 1, 10'000.0)};  // one group covers over 95% alone
    for (int i = 2; i <= 20; ++i) entries.push_back(Entry(i, 1, 21.0 - i));
    const auto r = Rank(entries, catalog);
    ASSERT_EQ(r.top.size(), 10u);
    EXPECT_EQ(r.top[0].fingerprint, Fp(1));
    EXPECT_EQ(r.top[9].fingerprint, Fp(10));
    ASSERT_TRUE(r.other.has_value());
    EXPECT_EQ(r.other->query, "10 other statements");
    EXPECT_EQ(r.group_count, 20u);
}

TEST(RankTest, MinGroupsIsCappedByTheNumberOfGroups) {
    const QueryCatalog catalog = NumberedCatalog(3);
    const auto r = Rank({Entry(1, 1, 3.0), Entry(2, 1, 2.0), Entry(3, 1, 1.0)}, catalog,
                        RankingOptions{.coverage = 0.1, .min_groups = 10});
    EXPECT_EQ(r.top.size(), 3u);
    EXPECT_FALSE(r.other.has_value());
}

TEST(RankTest, MaxGroupsCapsTheTopSet) {
    const QueryCatalog catalog = NumberedCatalog(5);
    const std::vector<StatementStats> entries = {Entry(1, 1, 5.0), Entry(2, 1, 4.0), Entry(3, 1, 3.0), Entry(4, 1, 2.0),
                                                 Entry(5, 1, 1.0)};
    const auto r = Rank(entries, catalog, RankingOptions{.coverage = 1.0, .max_groups = 2, .min_groups = 10});
    EXPECT_EQ(Fingerprints(r), (std::vector<std::string>{Fp(1), Fp(2)}));
    ASSERT_TRUE(r.other.has_value());
    EXPECT_DOUBLE_EQ(r.other->counters.total_exec_ms, 6.0);
    EXPECT_EQ(r.other->query, "3 other statements");
    EXPECT_DOUBLE_EQ(r.total_ms, 15.0);
}

TEST(RankTest, TopLimitLikeTheTopCommand) {
    // `optischema top --limit 3`: exactly three groups whatever their share.
    const QueryCatalog catalog = NumberedCatalog(5);
    const std::vector<StatementStats> entries = {Entry(1, 1, 5.0), Entry(2, 1, 4.0), Entry(3, 1, 3.0), Entry(4, 1, 2.0),
                                                 Entry(5, 1, 1.0)};
    const auto r = Rank(entries, catalog, RankingOptions{.coverage = 1.0, .max_groups = 3, .min_groups = 3});
    EXPECT_EQ(r.top.size(), 3u);
    ASSERT_TRUE(r.other.has_value());
    EXPECT_EQ(r.other->query, "2 other statements");
}

TEST(RankTest, LeavesOutOwnStatementsUnlessAsked) {
    QueryCatalog catalog;
    catalog.Add({{kOwnStatement, kOwnStatementText}, {kInTwo, kInTwoText}});
    ASSERT_TRUE(catalog.Find(kOwnStatement)->own);
    const std::vector<StatementStats> entries = {Entry(kOwnStatement, 100, 500.0), Entry(kInTwo, 1, 1.0)};

    const auto without = Rank(entries, catalog);
    ASSERT_EQ(without.top.size(), 1u);
    EXPECT_EQ(without.top[0].queryids, (std::vector<std::int64_t>{kInTwo}));
    EXPECT_DOUBLE_EQ(without.total_ms, 1.0);
    EXPECT_EQ(without.group_count, 1u);
    EXPECT_FALSE(without.other.has_value());

    const auto with = Rank(entries, catalog, RankingOptions{.include_own = true});
    ASSERT_EQ(with.top.size(), 2u);
    EXPECT_EQ(with.top[0].queryids, (std::vector<std::int64_t>{kOwnStatement}));
    EXPECT_EQ(with.top[0].query, kOwnStatementText);
    EXPECT_DOUBLE_EQ(with.total_ms, 501.0);
}

TEST(RankTest, UnknownQueryidsAreGroupedByQueryid) {
    QueryCatalog catalog;
    catalog.Add({{kInTwo, kInTwoText}});
    const std::vector<StatementStats> entries = {Entry(-1, 2, 8.0), Entry(-1, 1, 2.0, 11), Entry(0xabc, 1, 5.0),
                                                 Entry(kInTwo, 1, 1.0)};
    const auto r = Rank(entries, catalog, RankingOptions{.coverage = 1.0});
    ASSERT_EQ(r.top.size(), 3u);
    EXPECT_EQ(r.top[0].fingerprint, "ffffffffffffffff");
    EXPECT_EQ(r.top[0].queryids, (std::vector<std::int64_t>{-1}));
    EXPECT_EQ(r.top[0].counters.calls, 3);
    EXPECT_TRUE(r.top[0].query.empty());
    EXPECT_EQ(r.top[1].fingerprint, "0000000000000abc");
    EXPECT_EQ(r.top[2].query, kInTwoText);
}

TEST(RankTest, HiddenTextsFallBackToQueryidAndStaySeparate) {
    QueryCatalog catalog;
    catalog.Add({{101, "<insufficient privilege>"}, {102, "<insufficient privilege>"}});
    const auto r = Rank({Entry(101, 1, 2.0), Entry(102, 1, 1.0)}, catalog);
    ASSERT_EQ(r.top.size(), 2u);
    EXPECT_EQ(r.top[0].fingerprint, "0000000000000065");
    EXPECT_EQ(r.top[0].query, "<insufficient privilege>");
    EXPECT_EQ(r.top[1].fingerprint, "0000000000000066");
}

TEST(RankTest, EmptyWorkload) {
    const QueryCatalog catalog;
    const auto r = Rank({}, catalog);
    EXPECT_TRUE(r.top.empty());
    EXPECT_FALSE(r.other.has_value());
    EXPECT_DOUBLE_EQ(r.total_ms, 0.0);
    EXPECT_EQ(r.group_count, 0u);
}

TEST(RankTest, WorkloadWithoutTimeKeepsMinGroups) {
    const QueryCatalog catalog = NumberedCatalog(3);
    const auto r =
        Rank({Entry(1, 1, 0.0), Entry(2, 1, 0.0), Entry(3, 1, 0.0)}, catalog, RankingOptions{.min_groups = 2});
    EXPECT_EQ(r.top.size(), 2u);
    ASSERT_TRUE(r.other.has_value());
    EXPECT_EQ(r.other->counters.calls, 1);
    // Ties are broken by fingerprint, so the order is stable.
    EXPECT_EQ(Fingerprints(r), (std::vector<std::string>{Fp(1), Fp(2)}));
}

}  // namespace
}  // namespace optischema::collector
