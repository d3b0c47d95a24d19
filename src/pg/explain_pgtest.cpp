#include <cstdint>

#include <gtest/gtest.h>

#include "pg/connection.hpp"
#include "pg/explain.hpp"
#include "pg_test_env.hpp"

namespace optischema::pg {
namespace {

using optischema::testing::FreshDatabase;
using optischema::testing::RunSql;

TEST(ExplainJsonPgTest, ReturnsThePlan) {
    const std::string dsn = FreshDatabase("explain_json");
    RunSql(dsn, "CREATE TABLE t (id int PRIMARY KEY)");
    auto conn = Connection::Open(dsn);
    ASSERT_TRUE(conn);
    auto plan = ExplainJson(*conn, "", "SELECT * FROM t WHERE id = 1");
    ASSERT_TRUE(plan) << plan.error().ToString();
    EXPECT_EQ(plan->front(), '[');
    EXPECT_NE(plan->find("\"Plan\""), std::string::npos);
    auto analyzed = ExplainJson(*conn, "ANALYZE, BUFFERS", "SELECT * FROM t");
    ASSERT_TRUE(analyzed) << analyzed.error().ToString();
    EXPECT_NE(analyzed->find("\"Execution Time\""), std::string::npos);
    auto bad = ExplainJson(*conn, "", "SELECT * FROM no_such_table");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().sqlstate, "42P01");
}

TEST(ExplainJsonPgTest, RolledBackLeavesNoTrace) {
    const std::string dsn = FreshDatabase("explain_json_rollback");
    RunSql(dsn, "CREATE TABLE t (id int)");
    auto conn = Connection::Open(dsn);
    ASSERT_TRUE(conn);
    auto plan = ExplainJson(*conn, "ANALYZE", "INSERT INTO t VALUES (1)", ExplainTransaction::kRolledBack);
    ASSERT_TRUE(plan) << plan.error().ToString();
    auto count = conn->Query("SELECT count(*) FROM t");
    ASSERT_TRUE(count);
    EXPECT_EQ(count->Scalar<std::int64_t>(), 0);
    // A failed EXPLAIN leaves the connection out of any transaction.
    auto failed = ExplainJson(*conn, "ANALYZE", "INSERT INTO t VALUES ('x')", ExplainTransaction::kRolledBack);
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error().sqlstate, "22P02");
    EXPECT_TRUE(conn->Execute("BEGIN")) << "the previous transaction must have ended";
    EXPECT_TRUE(conn->Execute("ROLLBACK"));
}

}  // namespace
}  // namespace optischema::pg
