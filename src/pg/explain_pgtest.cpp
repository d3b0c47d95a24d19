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

// EXPLAIN (GENERIC_PLAN) (PostgreSQL 16+) plans a text with unbound $n placeholders; sent through the
// extended protocol it failed with "bind message supplies 0 parameters" on every server that has it.
TEST(ExplainJsonPgTest, GenericPlanOfPlaceholders) {
    const std::string dsn = FreshDatabase("explain_json_generic");
    RunSql(dsn, "CREATE TABLE t (id int PRIMARY KEY, v int)");
    auto conn = Connection::Open(dsn);
    ASSERT_TRUE(conn);
    auto plan = ExplainJson(*conn, "GENERIC_PLAN", "SELECT v FROM t WHERE id = $1 AND v > $2",
                            ExplainTransaction::kReadOnly);
    if (conn->ServerVersionNum() < 160000) {
        // Parse analysis meets the unbound $1 before the unknown option.
        ASSERT_FALSE(plan) << "PostgreSQL " << conn->ServerVersion() << " has no GENERIC_PLAN";
        EXPECT_EQ(plan.error().sqlstate, "42P02") << plan.error().ToString();
        EXPECT_TRUE(conn->Execute("BEGIN")) << "the failed EXPLAIN must have ended its transaction";
        EXPECT_TRUE(conn->Execute("ROLLBACK"));
        return;
    }
    ASSERT_TRUE(plan) << plan.error().ToString();
    EXPECT_NE(plan->find("\"Index Cond\": \"(id = $1)\""), std::string::npos) << *plan;
    EXPECT_NE(plan->find("(v > $2)"), std::string::npos) << *plan;

    // The simple protocol would run a second statement: refused, and the transaction undoes it.
    auto two = ExplainJson(*conn, "GENERIC_PLAN", "SELECT v FROM t WHERE id = $1; INSERT INTO t VALUES (1, 1)",
                           ExplainTransaction::kRolledBack);
    ASSERT_FALSE(two);
    EXPECT_NE(two.error().message.find("2 statements"), std::string::npos) << two.error().ToString();
    auto count = conn->Query("SELECT count(*) FROM t");
    ASSERT_TRUE(count);
    EXPECT_EQ(count->Scalar<std::int64_t>(), 0);
}

}  // namespace
}  // namespace optischema::pg
