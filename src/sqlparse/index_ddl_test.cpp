#include <gtest/gtest.h>

#include "sqlparse/sqlparse.hpp"

namespace optischema::sqlparse {
namespace {

TEST(ParseIndexDdlTest, ReadsCreateIndex) {
    auto ddl = ParseIndexDdl(
        "CREATE UNIQUE INDEX CONCURRENTLY orders_customer_idx ON shop.orders USING btree (customer_id) "
        "INCLUDE (total) WHERE status <> 'done'");
    ASSERT_TRUE(ddl) << ddl.error().message;
    EXPECT_TRUE(ddl->create);
    EXPECT_EQ(ddl->schema, "shop");
    EXPECT_EQ(ddl->table, "orders");
    EXPECT_EQ(ddl->name, "orders_customer_idx");
    EXPECT_TRUE(ddl->unique);
    EXPECT_TRUE(ddl->concurrently);

    auto plain = ParseIndexDdl("create index i on t ((lower(email)))");
    ASSERT_TRUE(plain);
    EXPECT_FALSE(plain->concurrently);
    EXPECT_EQ(plain->schema, "");
    EXPECT_EQ(plain->table, "t");
}

TEST(ParseIndexDdlTest, ReadsDropIndex) {
    auto ddl = ParseIndexDdl("DROP INDEX CONCURRENTLY IF EXISTS shop.orders_customer_idx");
    ASSERT_TRUE(ddl) << ddl.error().message;
    EXPECT_FALSE(ddl->create);
    EXPECT_EQ(ddl->schema, "shop");
    EXPECT_EQ(ddl->name, "orders_customer_idx");
    EXPECT_TRUE(ddl->concurrently);
    EXPECT_TRUE(ddl->if_exists);
}

TEST(ParseIndexDdlTest, RefusesAnythingElse) {
    for (const char* sql : {"DROP TABLE orders", "CREATE TABLE t (a int)", "SELECT 1",
                            "CREATE INDEX a ON t (x); DROP TABLE t", "DROP INDEX a, b"}) {
        auto ddl = ParseIndexDdl(sql);
        ASSERT_FALSE(ddl) << sql;
        EXPECT_EQ(ddl.error().code, ErrorCode::kInvalidArgument) << sql;
    }
    auto unnamed = ParseIndexDdl("CREATE INDEX ON t (x)");
    ASSERT_FALSE(unnamed);
    EXPECT_NE(unnamed.error().message.find("name the index"), std::string::npos);
    auto garbage = ParseIndexDdl("CREATE INDEX oops ON");
    ASSERT_FALSE(garbage);
    EXPECT_EQ(garbage.error().code, ErrorCode::kParseError);
}

TEST(OrderedTest, OnlyTopLevelOrderByCounts) {
    auto top = Parse("SELECT id FROM orders ORDER BY created_at DESC LIMIT 10");
    ASSERT_TRUE(top);
    EXPECT_TRUE(top->ordered);
    auto inner = Parse("SELECT * FROM (SELECT id FROM orders ORDER BY id LIMIT 5) s");
    ASSERT_TRUE(inner);
    EXPECT_FALSE(inner->ordered) << "an ORDER BY in a subquery does not order the result";
    auto set_op = Parse("SELECT a FROM t UNION SELECT b FROM u ORDER BY 1");
    ASSERT_TRUE(set_op);
    EXPECT_TRUE(set_op->ordered);
    auto none = Parse("SELECT id FROM orders WHERE id = 1");
    ASSERT_TRUE(none);
    EXPECT_FALSE(none->ordered);
}

}  // namespace
}  // namespace optischema::sqlparse
