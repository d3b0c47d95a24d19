#include "collector/pg_stats_source.hpp"

#include <fstream>
#include <stdexcept>

#include <gtest/gtest.h>

#include "common/strings.hpp"

namespace optischema::collector {
namespace {

// The columns of the pg_stat_statements view of a major, recorded from a real server of it
// (testdata/versions/record.sh).
std::string RecordedColumns(int major) {
    const std::string path = std::string(OPTISCHEMA_TESTDATA_DIR) + "/versions/pg" + std::to_string(major) +
                             "_pg_stat_statements_columns.txt";
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::string columns, line;
    while (std::getline(in, line)) {
        if (!line.empty()) columns += (columns.empty() ? "" : " ") + line;
    }
    return columns;
}

// pg_stat_statements 1.7 (PostgreSQL 12, not supported and not packaged) named the execution time
// total_time; transcribed from its documentation.
constexpr std::string_view kPg12 =
    "userid dbid queryid query calls total_time min_time max_time mean_time stddev_time rows shared_blks_hit "
    "shared_blks_read shared_blks_dirtied shared_blks_written local_blks_hit local_blks_read local_blks_dirtied "
    "local_blks_written temp_blks_read temp_blks_written blk_read_time blk_write_time";

pg::Capabilities Caps(std::string_view columns, std::string schema = "public") {
    pg::Capabilities caps;
    caps.pg_stat_statements_schema = std::move(schema);
    caps.pg_stat_statements_columns = Split(columns, ' ');
    return caps;
}

// The select list between SELECT and FROM, split on ", ".
std::vector<std::string> SelectList(const std::string& sql) {
    const auto from = sql.find(" FROM ");
    std::string list = sql.substr(7, from - 7);
    std::vector<std::string> out;
    for (auto& item : Split(list, ',')) out.emplace_back(Trim(item));
    return out;
}

TEST(StatementsSqlTest, Pg15ReadsItsOwnColumns) {
    const auto cols = SelectList(StatementsSql(Caps(RecordedColumns(15)), DatabaseScope::kCurrentDatabase, false));
    const std::vector<std::string> expected = {"userid",
                                               "dbid",
                                               "queryid",
                                               "toplevel",
                                               "calls",
                                               "total_exec_time",
                                               "total_plan_time",
                                               "rows",
                                               "shared_blks_hit",
                                               "shared_blks_read",
                                               "shared_blks_dirtied",
                                               "shared_blks_written",
                                               "temp_blks_read",
                                               "temp_blks_written",
                                               "blk_read_time",
                                               "blk_write_time"};
    EXPECT_EQ(cols, expected);
}

TEST(StatementsSqlTest, Pg13HasNoToplevel) {
    const auto cols = SelectList(StatementsSql(Caps(RecordedColumns(13)), DatabaseScope::kCurrentDatabase, false));
    ASSERT_EQ(cols.size(), 16u);
    EXPECT_EQ(cols[3], "true");
    EXPECT_EQ(cols[5], "total_exec_time");
    EXPECT_EQ(cols[14], "blk_read_time");
}

TEST(StatementsSqlTest, Pg17RenamedBlockTimes) {
    const auto cols = SelectList(StatementsSql(Caps(RecordedColumns(17)), DatabaseScope::kCurrentDatabase, false));
    ASSERT_EQ(cols.size(), 16u);
    EXPECT_EQ(cols[3], "toplevel");
    EXPECT_EQ(cols[14], "shared_blk_read_time");
    EXPECT_EQ(cols[15], "shared_blk_write_time");
}

// Every supported major: the columns each one names as it does.
TEST(StatementsSqlTest, EachMajorReadsItsOwnColumns) {
    for (int major = 13; major <= 18; ++major) {
        SCOPED_TRACE("PostgreSQL " + std::to_string(major));
        const auto cols = SelectList(StatementsSql(Caps(RecordedColumns(major)), DatabaseScope::kCurrentDatabase, false));
        ASSERT_EQ(cols.size(), 16u);
        EXPECT_EQ(cols[3], major >= 14 ? "toplevel" : "true");
        EXPECT_EQ(cols[5], "total_exec_time");
        EXPECT_EQ(cols[6], "total_plan_time");
        EXPECT_EQ(cols[14], major >= 17 ? "shared_blk_read_time" : "blk_read_time");
        EXPECT_EQ(cols[15], major >= 17 ? "shared_blk_write_time" : "blk_write_time");
        for (const auto& c : cols) EXPECT_NE(c, "0") << "a counter every major has fell back to 0";
    }
}

TEST(StatementsSqlTest, OlderVersionsFallBack) {
    const auto cols = SelectList(StatementsSql(Caps(kPg12), DatabaseScope::kCurrentDatabase, false));
    ASSERT_EQ(cols.size(), 16u);
    EXPECT_EQ(cols[5], "total_time");
    EXPECT_EQ(cols[6], "0");  // no planning time before 1.8
}

TEST(StatementsSqlTest, TextsScopeAndSchema) {
    const std::string without = StatementsSql(Caps(RecordedColumns(15), "Monitoring"), DatabaseScope::kAllDatabases, false);
    EXPECT_NE(without.find("FROM \"Monitoring\".pg_stat_statements(false)"), std::string::npos) << without;
    EXPECT_EQ(without.find("current_database()"), std::string::npos);
    EXPECT_NE(without.find("queryid IS NOT NULL"), std::string::npos);

    const std::string with = StatementsSql(Caps(RecordedColumns(15)), DatabaseScope::kCurrentDatabase, true);
    EXPECT_NE(with.find("pg_stat_statements(true)"), std::string::npos);
    EXPECT_EQ(SelectList(with).back(), "query");
    EXPECT_NE(with.find("current_database()"), std::string::npos);
}

}  // namespace
}  // namespace optischema::collector
