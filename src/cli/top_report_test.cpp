#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/text.hpp"

namespace optischema::cli {
namespace {

using model::Counters;
using model::StatementGroup;
using service::FormatTopJson;
using service::TopReport;

StatementGroup Group(const std::string& fingerprint,
                     std::vector<std::int64_t> queryids,
                     const std::string& query,
                     Counters counters) {
    StatementGroup g;
    g.fingerprint = fingerprint;
    g.queryids = std::move(queryids);
    g.query = query;
    g.counters = counters;
    return g;
}

/// Three groups and "other", 200 ms in total, as Rank would produce them.
TopReport SampleReport() {
    TopReport r;
    r.server_version = "15.18";
    r.target = "app@db1:5432/shop";
    r.ranking.top = {
        Group("1a2b3c4d5e6f7081", {-7254733262549953927, 1846771691874171760}, "SELECT * FROM t WHERE id IN ($1, $2)",
              Counters{.calls = 4,
                       .total_exec_ms = 90.0,
                       .total_plan_ms = 10.0,
                       .rows = 8,
                       .shared_blks_hit = 75,
                       .shared_blks_read = 25}),
        Group("00000000000000ff", {255}, "<insufficient privilege>",
              Counters{.calls = 3, .total_exec_ms = 50.0, .rows = 0}),
        Group(
            "ffffffffffffffff", {-1}, "UPDATE t SET a = a + $1 WHERE id = $2",
            Counters{.calls = 7, .total_exec_ms = 10.0 / 3.0, .rows = 7, .shared_blks_hit = 2, .shared_blks_read = 1}),
    };
    r.ranking.other = Group("other", {}, "12 other statements",
                            Counters{.calls = 20, .total_exec_ms = 200.0 - 100.0 - 50.0 - 10.0 / 3.0, .rows = 40});
    r.ranking.total_ms = 200.0;
    r.ranking.group_count = 15;
    return r;
}

std::vector<std::string> Lines(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

/// Characters, not bytes: "·" and "…" are one column each.
std::size_t Utf8Length(const std::string& s) {
    std::size_t n = 0;
    for (unsigned char c : s) {
        if ((c & 0xC0) != 0x80) ++n;
    }
    return n;
}

void ExpectLinesFit(const std::string& table, std::size_t width) {
    for (const auto& line : Lines(table)) EXPECT_LE(Utf8Length(line), width) << "[" << line << "]";
}

// JSON

TEST(FormatTopJsonTest, HasServerVersionWindowAndTotals) {
    const auto j = nlohmann::json::parse(FormatTopJson(SampleReport()));
    EXPECT_EQ(j.at("server_version"), "15.18");
    EXPECT_EQ(j.at("target"), "app@db1:5432/shop");
    EXPECT_EQ(j.at("window"), "since_reset");
    EXPECT_TRUE(j.at("interval_s").is_null());
    EXPECT_DOUBLE_EQ(j.at("total_ms").get<double>(), 200.0);
    EXPECT_EQ(j.at("statement_count"), 15);
}

TEST(FormatTopJsonTest, IntervalWindow) {
    TopReport r = SampleReport();
    r.interval_s = 60.0;
    const auto j = nlohmann::json::parse(FormatTopJson(r));
    EXPECT_EQ(j.at("window"), "interval");
    EXPECT_DOUBLE_EQ(j.at("interval_s").get<double>(), 60.0);
}

TEST(FormatTopJsonTest, StatementsCarryEveryFieldRankedAsGiven) {
    const TopReport report = SampleReport();
    const auto j = nlohmann::ordered_json::parse(FormatTopJson(report));
    const auto& statements = j.at("statements");
    ASSERT_EQ(statements.size(), 3u);

    const auto& first = statements[0];
    std::vector<std::string> keys;
    for (const auto& [key, _] : first.items()) keys.push_back(key);
    EXPECT_EQ(keys, (std::vector<std::string>{"fingerprint", "queryids", "query", "calls", "total_ms", "mean_ms",
                                              "rows", "share_pct", "cache_hit_pct"}));
    EXPECT_EQ(first.at("fingerprint"), "1a2b3c4d5e6f7081");
    EXPECT_EQ(first.at("queryids").get<std::vector<std::int64_t>>(),
              (std::vector<std::int64_t>{-7254733262549953927, 1846771691874171760}));
    EXPECT_EQ(first.at("query"), "SELECT * FROM t WHERE id IN ($1, $2)");
    EXPECT_EQ(first.at("calls"), 4);
    EXPECT_DOUBLE_EQ(first.at("total_ms").get<double>(), 100.0);  // execution plus planning
    EXPECT_DOUBLE_EQ(first.at("mean_ms").get<double>(), 25.0);
    EXPECT_EQ(first.at("rows"), 8);
    EXPECT_DOUBLE_EQ(first.at("share_pct").get<double>(), 50.0);
    EXPECT_DOUBLE_EQ(first.at("cache_hit_pct").get<double>(), 75.0);

    // In the order given, not re-sorted or regrouped.
    EXPECT_EQ(statements[1].at("fingerprint"), "00000000000000ff");
    EXPECT_EQ(statements[1].at("query"), "<insufficient privilege>");
    EXPECT_TRUE(statements[1].at("cache_hit_pct").is_null());  // touched no shared blocks
    EXPECT_DOUBLE_EQ(statements[1].at("share_pct").get<double>(), 25.0);
    EXPECT_EQ(statements[2].at("fingerprint"), "ffffffffffffffff");
    EXPECT_EQ(statements[2].at("queryids").get<std::vector<std::int64_t>>(), (std::vector<std::int64_t>{-1}));
}

TEST(FormatTopJsonTest, RoundsToMicroseconds) {
    const auto j = nlohmann::json::parse(FormatTopJson(SampleReport()));
    const auto& update = j.at("statements")[2];
    EXPECT_DOUBLE_EQ(update.at("total_ms").get<double>(), 3.333);
    EXPECT_DOUBLE_EQ(update.at("mean_ms").get<double>(), 0.476);
    EXPECT_DOUBLE_EQ(update.at("share_pct").get<double>(), 1.667);
    EXPECT_DOUBLE_EQ(update.at("cache_hit_pct").get<double>(), 66.667);
}

TEST(FormatTopJsonTest, OtherIsSeparateFromStatements) {
    const auto j = nlohmann::json::parse(FormatTopJson(SampleReport()));
    for (const auto& s : j.at("statements")) EXPECT_NE(s.at("fingerprint"), "other");
    const auto& other = j.at("other");
    ASSERT_TRUE(other.is_object());
    EXPECT_EQ(other.at("fingerprint"), "other");
    EXPECT_EQ(other.at("query"), "12 other statements");
    EXPECT_EQ(other.at("calls"), 20);
    EXPECT_FALSE(other.contains("queryids"));
    EXPECT_TRUE(other.at("cache_hit_pct").is_null());
    // Statements and other account for the whole total.
    double share = other.at("share_pct").get<double>();
    for (const auto& s : j.at("statements")) share += s.at("share_pct").get<double>();
    EXPECT_NEAR(share, 100.0, 0.01);
}

TEST(FormatTopJsonTest, NoOtherAndNoStatements) {
    TopReport r;
    r.server_version = "13.16";
    r.target = "localhost/app";
    const std::string text = FormatTopJson(r);
    const auto j = nlohmann::json::parse(text);
    EXPECT_TRUE(j.at("statements").is_array());
    EXPECT_TRUE(j.at("statements").empty());
    EXPECT_TRUE(j.at("other").is_null());
    EXPECT_EQ(j.at("statement_count"), 0);
    EXPECT_EQ(j.at("server_version"), "13.16");
}

TEST(FormatTopJsonTest, ZeroTotalGivesZeroShareNotNaN) {
    TopReport r;
    r.server_version = "15.18";
    r.ranking.top = {Group("000000000000000a", {10}, "SELECT 1", Counters{.calls = 1})};
    r.ranking.group_count = 1;
    const auto j = nlohmann::json::parse(FormatTopJson(r));
    EXPECT_DOUBLE_EQ(j.at("statements")[0].at("share_pct").get<double>(), 0.0);
    EXPECT_DOUBLE_EQ(j.at("statements")[0].at("mean_ms").get<double>(), 0.0);
}

TEST(FormatTopJsonTest, PrettyPrintedWithTwoSpacesAndANewline) {
    const std::string text = FormatTopJson(SampleReport());
    ASSERT_FALSE(text.empty());
    EXPECT_EQ(text.back(), '\n');
    EXPECT_EQ(text.rfind("{\n  \"server_version\": \"15.18\",\n", 0), 0u) << text.substr(0, 80);
}

TEST(FormatTopJsonTest, EscapesQueryText) {
    TopReport r = SampleReport();
    r.ranking.top[0].query = "SELECT 'a\"b', E'\\n'\n  FROM \"Ünïcode\"";
    const auto j = nlohmann::json::parse(FormatTopJson(r));
    EXPECT_EQ(j.at("statements")[0].at("query"), r.ranking.top[0].query);
}

// Table

TEST(FormatTopTableTest, TitleHeaderRankedRowsAndOther) {
    const std::string table = FormatTopTable(SampleReport());
    const auto lines = Lines(table);
    ASSERT_EQ(lines.size(), 6u) << table;
    EXPECT_NE(lines[0].find("app@db1:5432/shop"), std::string::npos) << lines[0];
    EXPECT_NE(lines[0].find("PostgreSQL 15.18"), std::string::npos) << lines[0];
    EXPECT_NE(lines[0].find("since last reset"), std::string::npos) << lines[0];
    EXPECT_NE(lines[0].find("15 statements"), std::string::npos) << lines[0];
    for (const char* column : {"#", "total ms", "mean ms", "calls", "rows", "share", "hit%", "query"}) {
        EXPECT_NE(lines[1].find(column), std::string::npos) << column;
    }
    EXPECT_EQ(lines[2].rfind(" 1 ", 0), 0u) << lines[2];
    EXPECT_NE(lines[2].find("SELECT * FROM t WHERE id IN ($1, $2)"), std::string::npos);
    EXPECT_NE(lines[2].find("50.0%"), std::string::npos) << lines[2];
    EXPECT_NE(lines[2].find(" 75 "), std::string::npos) << lines[2];
    EXPECT_EQ(lines[3].rfind(" 2 ", 0), 0u) << lines[3];
    EXPECT_NE(lines[3].find(" - "), std::string::npos) << lines[3];  // no blocks: no hit ratio
    EXPECT_EQ(lines[4].rfind(" 3 ", 0), 0u) << lines[4];
    // "other" has no rank number.
    EXPECT_EQ(lines[5].rfind("   ", 0), 0u) << lines[5];
    EXPECT_NE(lines[5].find("12 other statements"), std::string::npos);
    ExpectLinesFit(table, 100);
}

TEST(FormatTopTableTest, IntervalInTitle) {
    TopReport r = SampleReport();
    r.interval_s = 60.0;
    const auto lines = Lines(FormatTopTable(r));
    ASSERT_FALSE(lines.empty());
    EXPECT_NE(lines[0].find("last 60 s"), std::string::npos) << lines[0];
}

TEST(FormatTopTableTest, LongQueriesAreCollapsedAndEllipsizedToFit) {
    TopReport r = SampleReport();
    std::string long_query = "SELECT o.id,\n       o.customer_id,\n\t\to.total";
    for (int i = 0; i < 40; ++i) long_query += ", o.column_" + std::to_string(i);
    long_query += "\nFROM orders o WHERE o.note = 'ünïcödé ✓ 日本語' AND o.customer_id = $1";
    r.ranking.top[0].query = long_query;
    // A query made only of multi-byte characters: cut by characters, never inside one.
    r.ranking.top[1].query = std::string("SELECT '") + [] {
        std::string s;
        for (int i = 0; i < 120; ++i) s += "日";
        return s;
    }() + "'";
    for (std::size_t width : {100u, 80u}) {
        SCOPED_TRACE(width);
        const std::string table = FormatTopTable(r, width);
        const auto lines = Lines(table);
        // Rows and column header; the title is checked at the default width below.
        for (std::size_t i = 1; i < lines.size(); ++i) EXPECT_LE(Utf8Length(lines[i]), width) << lines[i];
        ASSERT_EQ(lines.size(), 6u);
        EXPECT_EQ(Utf8Length(lines[2]), width) << lines[2];  // cut exactly at the edge
        EXPECT_TRUE(lines[2].ends_with("…")) << lines[2];
        EXPECT_NE(lines[2].find("  SELECT o.id, o.customer"), std::string::npos) << lines[2];
        EXPECT_EQ(lines[2].find('\n'), std::string::npos);
        EXPECT_EQ(lines[2].find('\t'), std::string::npos);
        EXPECT_TRUE(lines[3].ends_with("日…")) << lines[3];
        EXPECT_EQ(Utf8Length(lines[3]), width);
    }
    ExpectLinesFit(FormatTopTable(r), 100);
}

TEST(FormatTopTableTest, ShortQueriesAreShownWhole) {
    TopReport r = SampleReport();
    r.ranking.top[0].query = "SELECT  1\n";
    const auto lines = Lines(FormatTopTable(r));
    ASSERT_GE(lines.size(), 3u);
    EXPECT_TRUE(lines[2].ends_with("  SELECT 1")) << lines[2];
}

TEST(FormatTopTableTest, LargeNumbersStayInTheirColumns) {
    TopReport r = SampleReport();
    r.ranking.top[0].counters = Counters{.calls = 123'456'789'012,
                                         .total_exec_ms = 98'765'432.0,
                                         .rows = 45'678'901,
                                         .shared_blks_hit = 1,
                                         .shared_blks_read = 0};
    r.ranking.top[1].counters = Counters{.calls = 654'321, .total_exec_ms = 0.0004, .rows = 99'999};
    r.ranking.total_ms = 98'765'432.0 + 3.4;
    const std::string table = FormatTopTable(r);
    ExpectLinesFit(table, 100);
    const auto lines = Lines(table);
    ASSERT_EQ(lines.size(), 6u);
    EXPECT_NE(lines[2].find("98765s"), std::string::npos) << lines[2];
    EXPECT_NE(lines[2].find("123G"), std::string::npos) << lines[2];
    EXPECT_NE(lines[2].find("45M"), std::string::npos) << lines[2];
    EXPECT_NE(lines[2].find("100.0%"), std::string::npos) << lines[2];
    EXPECT_NE(lines[3].find("654k"), std::string::npos) << lines[3];
    EXPECT_NE(lines[3].find("99999"), std::string::npos) << lines[3];
    EXPECT_NE(lines[3].find("0.000"), std::string::npos) << lines[3];
    // Every data row puts the query at the same column.
    const std::size_t query_at = lines[1].find("query");
    for (std::size_t i = 2; i < 5; ++i) {
        EXPECT_EQ(lines[i].find(r.ranking.top[i - 2].query.substr(0, 6)), query_at) << lines[i];
    }
}

TEST(FormatTopTableTest, EmptyRankingPrintsTheNoStatementsHint) {
    TopReport r;
    r.server_version = "15.18";
    r.target = "app@db1:5432/shop";
    const std::string table = FormatTopTable(r);
    const auto lines = Lines(table);
    ASSERT_EQ(lines.size(), 2u) << table;
    EXPECT_NE(lines[0].find("0 statements"), std::string::npos) << lines[0];
    EXPECT_EQ(lines[1], "pg_stat_statements has no statements yet: run some workload, then try again.");
    EXPECT_EQ(table.find("total ms"), std::string::npos);  // no column header without rows

    r.interval_s = 10.0;
    const auto interval_lines = Lines(FormatTopTable(r));
    ASSERT_EQ(interval_lines.size(), 2u);
    EXPECT_EQ(interval_lines[1], "No statements ran during the interval.");
}

// The title's total carries exactly one unit, also past 100 s where the table switches to seconds.
TEST(FormatTopTableTest, TitleTotalHasOneUnit) {
    TopReport r = SampleReport();
    r.ranking.total_ms = 250'000.0;
    const auto lines = Lines(FormatTopTable(r));
    ASSERT_FALSE(lines.empty());
    EXPECT_EQ(lines[0].find("s ms in total"), std::string::npos) << lines[0];
    EXPECT_NE(lines[0].find("4.2 min in total"), std::string::npos) << lines[0];
}

TEST(FormatTopTableTest, LongTargetIsEllipsizedSoTheTitleFits) {
    // The target is the redacted DSN (user@host:port/dbname); a unix-socket directory makes it long.
    TopReport r = SampleReport();
    r.target = "postgres@/var/run/postgresql:5432/inventory_production_with_a_rather_long_name";
    r.ranking.group_count = 1234;
    r.ranking.total_ms = 98'765.0;
    const std::string table = FormatTopTable(r);
    ExpectLinesFit(table, 100);
    const auto lines = Lines(table);
    ASSERT_FALSE(lines.empty());
    EXPECT_EQ(lines[0].rfind("postgres@/var/run/", 0), 0u) << lines[0];
    EXPECT_NE(lines[0].find("… · PostgreSQL 15.18"), std::string::npos) << lines[0];
    EXPECT_NE(lines[0].find("1234 statements"), std::string::npos) << lines[0];
    // A short target is shown whole.
    EXPECT_EQ(Lines(FormatTopTable(SampleReport()))[0].rfind("app@db1:5432/shop · ", 0), 0u);
}

}  // namespace
}  // namespace optischema::cli
