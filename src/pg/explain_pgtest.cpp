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

}  // namespace
}  // namespace optischema::pg
