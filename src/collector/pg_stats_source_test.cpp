#include "collector/pg_stats_source.hpp"

#include <gtest/gtest.h>

#include "common/strings.hpp"

namespace optischema::collector {
namespace {

// Column lists of the pg_stat_statements view. PostgreSQL 15 (1.10) is recorded from the test
// cluster; 13 (1.8) and 17 (1.11) are transcribed from those versions' documentation.
constexpr std::string_view kPg13 =
    "userid dbid queryid query plans total_plan_time min_plan_time max_plan_time mean_plan_time "
    "stddev_plan_time calls total_exec_time min_exec_time max_exec_time mean_exec_time stddev_exec_time rows "
    "shared_blks_hit shared_blks_read shared_blks_dirtied shared_blks_written local_blks_hit local_blks_read "
    "local_blks_dirtied local_blks_written temp_blks_read temp_blks_written blk_read_time blk_write_time "
    "wal_records wal_fpi wal_bytes";
constexpr std::string_view kPg15 =
    "userid dbid toplevel queryid query plans total_plan_time min_plan_time max_plan_time mean_plan_time "
    "stddev_plan_time calls total_exec_time min_exec_time max_exec_time mean_exec_time stddev_exec_time rows "
    "shared_blks_hit shared_blks_read shared_blks_dirtied shared_blks_written local_blks_hit local_blks_read "
    "local_blks_dirtied local_blks_written temp_blks_read temp_blks_written blk_read_time blk_write_time "
    "temp_blk_read_time temp_blk_write_time wal_records wal_fpi wal_bytes jit_functions jit_generation_time "
    "jit_inlining_count jit_inlining_time jit_optimization_count jit_optimization_time jit_emission_count "
    "jit_emission_time";
constexpr std::string_view kPg17 =
    "userid dbid toplevel queryid query plans total_plan_time min_plan_time max_plan_time mean_plan_time "
    "stddev_plan_time calls total_exec_time min_exec_time max_exec_time mean_exec_time stddev_exec_time rows "
    "shared_blks_hit shared_blks_read shared_blks_dirtied shared_blks_written local_blks_hit local_blks_read "
    "local_blks_dirtied local_blks_written temp_blks_read temp_blks_written shared_blk_read_time "
    "shared_blk_write_time local_blk_read_time local_blk_write_time temp_blk_read_time temp_blk_write_time "
    "wal_records wal_fpi wal_bytes jit_functions jit_generation_time jit_inlining_count jit_inlining_time "
    "jit_optimization_count jit_optimization_time jit_emission_count jit_emission_time jit_deform_count "
    "jit_deform_time stats_since minmax_stats_since";
// pg_stat_statements 1.7 (PostgreSQL 12) named the execution time total_time.
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
    const auto cols = SelectList(StatementsSql(Caps(kPg15), DatabaseScope::kCurrentDatabase, false));
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
    const auto cols = SelectList(StatementsSql(Caps(kPg13), DatabaseScope::kCurrentDatabase, false));
    ASSERT_EQ(cols.size(), 16u);
    EXPECT_EQ(cols[3], "true");
    EXPECT_EQ(cols[5], "total_exec_time");
    EXPECT_EQ(cols[14], "blk_read_time");
}

TEST(StatementsSqlTest, Pg17RenamedBlockTimes) {
    const auto cols = SelectList(StatementsSql(Caps(kPg17), DatabaseScope::kCurrentDatabase, false));
    ASSERT_EQ(cols.size(), 16u);
    EXPECT_EQ(cols[3], "toplevel");
    EXPECT_EQ(cols[14], "shared_blk_read_time");
    EXPECT_EQ(cols[15], "shared_blk_write_time");
}

TEST(StatementsSqlTest, OlderVersionsFallBack) {
    const auto cols = SelectList(StatementsSql(Caps(kPg12), DatabaseScope::kCurrentDatabase, false));
    ASSERT_EQ(cols.size(), 16u);
    EXPECT_EQ(cols[5], "total_time");
    EXPECT_EQ(cols[6], "0");  // no planning time before 1.8
}

TEST(StatementsSqlTest, TextsScopeAndSchema) {
    const std::string without = StatementsSql(Caps(kPg15, "Monitoring"), DatabaseScope::kAllDatabases, false);
    EXPECT_NE(without.find("FROM \"Monitoring\".pg_stat_statements(false)"), std::string::npos) << without;
    EXPECT_EQ(without.find("current_database()"), std::string::npos);
    EXPECT_NE(without.find("queryid IS NOT NULL"), std::string::npos);

    const std::string with = StatementsSql(Caps(kPg15), DatabaseScope::kCurrentDatabase, true);
    EXPECT_NE(with.find("pg_stat_statements(true)"), std::string::npos);
    EXPECT_EQ(SelectList(with).back(), "query");
    EXPECT_NE(with.find("current_database()"), std::string::npos);
}

}  // namespace
}  // namespace optischema::collector
