#include <algorithm>

#include <gtest/gtest.h>

#include "collector/collector.hpp"
#include "collector/pg_stats_source.hpp"
#include "collector/ranking.hpp"
#include "pg/capabilities.hpp"
#include "pg/connection.hpp"
#include "pg_test_env.hpp"

// These tests reset pg_stat_statements for the whole cluster, so CTest runs them alone (SERIAL).
namespace optischema::collector {
namespace {

using optischema::testing::FreshDatabase;
using optischema::testing::RunSql;

struct Target {
    pg::Connection conn;
    pg::Capabilities caps;
};

Target Connect(const std::string& dsn) {
    auto conn = pg::Connection::Open(dsn);
    if (!conn) throw std::runtime_error(conn.error().ToString());
    auto caps = pg::DetectCapabilities(*conn);
    if (!caps) throw std::runtime_error(caps.error().ToString());
    return {std::move(*conn), std::move(*caps)};
}

const StatementRow* FindText(const std::vector<StatementRow>& rows, std::string_view text) {
    for (const auto& r : rows) {
        if (r.query && *r.query == text) return &r;
    }
    return nullptr;
}

class PgStatsSourceTest : public ::testing::Test {
protected:
    void SetUp() override {
        dsn_ = FreshDatabase("collect_src");
        RunSql(dsn_,
               "CREATE TABLE items (id int PRIMARY KEY, kind text); "
               "INSERT INTO items SELECT g, 'k' || (g % 7) FROM generate_series(1, 1000) g");
        RunSql(dsn_, "SELECT pg_stat_statements_reset()");
    }
    std::string dsn_;
};

TEST_F(PgStatsSourceTest, ReadsCountersAndTextsOfTheCurrentDatabase) {
    for (int i = 0; i < 5; ++i) RunSql(dsn_, "SELECT count(*) FROM items WHERE kind = 'k" + std::to_string(i) + "'");
    RunSql(optischema::testing::ClusterDsn(), "SELECT 12345 AS elsewhere");
    Target t = Connect(dsn_);
    PgStatsSource source(t.conn, t.caps, DatabaseScope::kCurrentDatabase);

    auto with_texts = source.ReadStatements(true);
    ASSERT_TRUE(with_texts) << with_texts.error().ToString();
    const StatementRow* row = FindText(*with_texts, "SELECT count(*) FROM items WHERE kind = $1");
    ASSERT_NE(row, nullptr);
    EXPECT_EQ(row->stats.counters.calls, 5);
    EXPECT_EQ(row->stats.counters.rows, 5);
    EXPECT_GT(row->stats.counters.total_exec_ms, 0);
    EXPECT_GT(row->stats.counters.shared_blks_hit + row->stats.counters.shared_blks_read, 0);
    EXPECT_TRUE(row->stats.key.toplevel);
    EXPECT_EQ(FindText(*with_texts, "SELECT $1 AS elsewhere"), nullptr) << "another database's statement leaked in";

    auto without = source.ReadStatements(false);
    ASSERT_TRUE(without);
    EXPECT_TRUE(std::all_of(without->begin(), without->end(), [](const StatementRow& r) { return !r.query; }));
    const std::int64_t ids[] = {row->stats.key.queryid};
    auto texts = source.ReadTexts(ids);
    ASSERT_TRUE(texts);
    ASSERT_EQ(texts->size(), 1u);
    EXPECT_EQ((*texts)[0].queryid, row->stats.key.queryid);
    EXPECT_TRUE((*texts)[0].toplevel);
    EXPECT_EQ((*texts)[0].text, "SELECT count(*) FROM items WHERE kind = $1");

    PgStatsSource everywhere(t.conn, t.caps, DatabaseScope::kAllDatabases);
    auto all = everywhere.ReadStatements(true);
    ASSERT_TRUE(all);
    EXPECT_NE(FindText(*all, "SELECT $1 AS elsewhere"), nullptr);
}

TEST_F(PgStatsSourceTest, InfoCarriesTheResetTime) {
    Target t = Connect(dsn_);
    PgStatsSource source(t.conn, t.caps, DatabaseScope::kCurrentDatabase);
    auto before = source.ReadInfo();
    ASSERT_TRUE(before);
    EXPECT_EQ(before->server_version, t.caps.server_version);
    if (t.caps.server_version_num < 140000) {
        // No pg_stat_statements_info before PostgreSQL 14: no reset time and no evictions to report.
        EXPECT_FALSE(t.caps.pg_stat_statements_info);
        EXPECT_FALSE(before->stats_reset.has_value());
        EXPECT_EQ(before->dealloc, 0);
        return;
    }
    ASSERT_TRUE(before->stats_reset.has_value());
    RunSql(dsn_, "SELECT pg_sleep(0.01); SELECT pg_stat_statements_reset()");
    auto after = source.ReadInfo();
    ASSERT_TRUE(after);
    ASSERT_TRUE(after->stats_reset.has_value());
    EXPECT_GT(*after->stats_reset, *before->stats_reset);
}

TEST_F(PgStatsSourceTest, NestedStatementsAreSeparateEntries) {
    RunSql(dsn_,
           "CREATE FUNCTION kind_count(k text) RETURNS bigint LANGUAGE sql AS "
           "'SELECT count(*) FROM items WHERE kind = k'");
    RunSql(dsn_, "SELECT kind_count('k1')");
    Target t = Connect(dsn_);
    PgStatsSource source(t.conn, t.caps, DatabaseScope::kCurrentDatabase);
    auto rows = source.ReadStatements(true);
    ASSERT_TRUE(rows);
    const auto inner = std::find_if(rows->begin(), rows->end(), [](const StatementRow& r) {
        return r.query && r.query->starts_with("SELECT count(*) FROM items WHERE kind");
    });
    ASSERT_NE(inner, rows->end()) << "track = all should record the function's inner statement";
    // PostgreSQL 13 has no toplevel column: every entry reads as top level there.
    EXPECT_EQ(inner->stats.key.toplevel, !t.caps.HasColumn("toplevel"));
    EXPECT_EQ(t.caps.HasColumn("toplevel"), t.caps.server_version_num >= 140000);
}

TEST_F(PgStatsSourceTest, CollectorSeesExactDeltasAndSurvivesAReset) {
    Target t = Connect(dsn_);
    PgStatsSource source(t.conn, t.caps, DatabaseScope::kCurrentDatabase);
    QueryCatalog catalog;
    Collector collector(source, catalog);
    RunSql(dsn_, "SELECT id FROM items WHERE id = 1");
    auto first = collector.Collect();
    ASSERT_TRUE(first) << first.error().ToString();
    EXPECT_FALSE(first->deltas.has_value());

    for (int i = 0; i < 3; ++i) RunSql(dsn_, "SELECT id FROM items WHERE id = " + std::to_string(i));
    for (int n : {1, 2, 3}) {
        std::string list;
        for (int i = 0; i < n; ++i) list += (i ? "," : "") + std::to_string(i + 10);
        RunSql(dsn_, "SELECT kind FROM items WHERE id IN (" + list + ")");
    }
    auto second = collector.Collect();
    ASSERT_TRUE(second) << second.error().ToString();
    ASSERT_TRUE(second->deltas.has_value());
    auto ranking = Rank(*second->deltas, catalog, RankingOptions{.coverage = 1.0});
    auto find = [&](std::string_view prefix) -> const model::StatementGroup* {
        for (const auto& g : ranking.top) {
            if (g.query.starts_with(prefix)) return &g;
        }
        return nullptr;
    };
    const auto* by_id = find("SELECT id FROM items WHERE id = $1");
    ASSERT_NE(by_id, nullptr);
    EXPECT_EQ(by_id->counters.calls, 3);
    const auto* in_list = find("SELECT kind FROM items WHERE id IN");
    ASSERT_NE(in_list, nullptr);
    EXPECT_EQ(in_list->counters.calls, 3);
    // PostgreSQL 18 gives lists of two or more constants one queryid ("IN ($1 /*, ... */)").
    const std::size_t queryids = t.caps.server_version_num >= 180000 ? 2u : 3u;
    EXPECT_EQ(in_list->queryids.size(), queryids) << "IN lists of 1, 2 and 3 items, one fingerprint";
    for (const auto& g : ranking.top) {
        EXPECT_EQ(g.query.find("/* optischema */"), std::string::npos) << "own statement ranked: " << g.query;
        EXPECT_EQ(g.query.find("pg_stat_statements"), std::string::npos) << "own statement ranked: " << g.query;
    }

    // A full reset between cycles: the next delta is exactly the work done after it.
    RunSql(dsn_, "SELECT pg_stat_statements_reset()");
    RunSql(dsn_, "SELECT id FROM items WHERE id = 5");
    RunSql(dsn_, "SELECT id FROM items WHERE id = 6");
    auto third = collector.Collect();
    ASSERT_TRUE(third);
    if (t.caps.server_version_num >= 140000) {
        EXPECT_TRUE(third->report.full_reset);
    }
    for (const auto& d : *third->deltas) {
        EXPECT_GE(d.counters.calls, 0);
        EXPECT_GE(d.counters.total_exec_ms, 0);
    }
    auto after_reset = Rank(*third->deltas, catalog, RankingOptions{.coverage = 1.0});
    const model::StatementGroup* again = nullptr;
    for (const auto& g : after_reset.top) {
        if (g.query.starts_with("SELECT id FROM items WHERE id = $1")) again = &g;
    }
    ASSERT_NE(again, nullptr);
    EXPECT_EQ(again->counters.calls, 2);
    EXPECT_TRUE(third->new_queryids.empty()) << "texts must not be fetched again for known queryids";
}

}  // namespace
}  // namespace optischema::collector
