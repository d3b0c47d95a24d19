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
    auto plan = ExplainJson(*conn, "", "SELECT * FROM public.t WHERE id = 1");
    ASSERT_TRUE(plan) << plan.error().ToString();
    EXPECT_EQ(plan->front(), '[');
    EXPECT_NE(plan->find("\"Plan\""), std::string::npos);
    auto analyzed = ExplainJson(*conn, "ANALYZE, BUFFERS", "SELECT * FROM public.t");
    ASSERT_TRUE(analyzed) << analyzed.error().ToString();
    EXPECT_NE(analyzed->find("\"Execution Time\""), std::string::npos);
    auto bad = ExplainJson(*conn, "", "SELECT * FROM no_such_table");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().sqlstate, "42P01");
}

// EXPLAIN (GENERIC_PLAN) (PostgreSQL 16+) plans a text with unbound $n placeholders; sent through the
// extended protocol it failed with "bind message supplies 0 parameters" on every server that has it.
// (guard::ExplainJson clears the text, one statement, and runs it in a transaction rolled back.)
TEST(ExplainJsonPgTest, GenericPlanOfPlaceholders) {
    const std::string dsn = FreshDatabase("explain_json_generic");
    RunSql(dsn, "CREATE TABLE t (id int PRIMARY KEY, v int)");
    auto conn = Connection::Open(dsn);
    ASSERT_TRUE(conn);
    auto plan = ExplainJson(*conn, "GENERIC_PLAN", "SELECT v FROM public.t WHERE id = $1 AND v > $2");
    if (conn->ServerVersionNum() < 160000) {
        // Parse analysis meets the unbound $1 before the unknown option.
        ASSERT_FALSE(plan) << "PostgreSQL " << conn->ServerVersion() << " has no GENERIC_PLAN";
        EXPECT_EQ(plan.error().sqlstate, "42P02") << plan.error().ToString();
        return;
    }
    ASSERT_TRUE(plan) << plan.error().ToString();
    EXPECT_NE(plan->find("\"Index Cond\": \"(id = $1)\""), std::string::npos) << *plan;
    EXPECT_NE(plan->find("(v > $2)"), std::string::npos) << *plan;

    // The simple protocol would run a second statement: refused, and a transaction undoes it.
    ASSERT_TRUE(conn->Execute("BEGIN READ ONLY"));
    auto two = ExplainJson(*conn, "GENERIC_PLAN", "SELECT v FROM public.t WHERE id = $1; INSERT INTO public.t VALUES (1, 1)");
    ASSERT_TRUE(conn->Execute("ROLLBACK"));
    ASSERT_FALSE(two);
    auto count = conn->Query("SELECT count(*) FROM public.t");
    ASSERT_TRUE(count);
    EXPECT_EQ(count->Scalar<std::int64_t>(), 0);
}

}  // namespace
}  // namespace optischema::pg
