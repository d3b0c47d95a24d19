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

TEST(IndexColumnsTest, KeyAndIncludeColumnsAsPostgreSqlReadsThem) {
    using V = std::vector<std::string>;
    auto columns = IndexColumns(
        "CREATE INDEX orders_customer_idx ON public.orders (customer_id, created_at DESC NULLS LAST) "
        "INCLUDE (total, \"Net \"\"Amount\"\"\")");
    ASSERT_TRUE(columns) << columns.error().message;
    EXPECT_EQ(*columns, (V{"customer_id", "created_at", "total", "Net \"Amount\""}));
    columns = IndexColumns(
        "create index on \"Odd (Name)\" using btree (\"MixedCase\" text_pattern_ops, (lower(email)), "
        "coalesce(a, b), Status COLLATE \"C\" NULLS FIRST) where total > 0");
    ASSERT_TRUE(columns) << columns.error().message;
    EXPECT_EQ(*columns, (V{"MixedCase", "status"})) << "expressions are left to PostgreSQL";
    columns = IndexColumns("CREATE INDEX ON events USING gin ((payload -> 'k'))");
    ASSERT_TRUE(columns) << columns.error().message;
    EXPECT_TRUE(columns->empty());
    EXPECT_FALSE(IndexColumns("DROP INDEX orders_customer_idx"));
    EXPECT_FALSE(IndexColumns("CREATE INDEX ON t (a"));
}

TEST(WithIndexNameTest, NamesAnUnnamedCreateIndexBeforeOn) {
    auto named = WithIndexName("create unique index concurrently on public.orders (id)", "ai_index_idea_1");
    ASSERT_TRUE(named) << named.error().message;
    EXPECT_EQ(*named, "create unique index concurrently ai_index_idea_1 on public.orders (id)");
    named = WithIndexName("CREATE INDEX -- on what?\n  ON ONLY \"On\" (\"on\")", "Idea 2");
    ASSERT_TRUE(named) << named.error().message;
    EXPECT_EQ(*named, "CREATE INDEX -- on what?\n  \"Idea 2\" ON ONLY \"On\" (\"on\")");
    auto ddl = ParseIndexDdl(*named);
    ASSERT_TRUE(ddl) << ddl.error().message;
    EXPECT_EQ(ddl->name, "Idea 2");
    EXPECT_EQ(ddl->table, "On");
}

TEST(WithIndexNameTest, LeavesEverythingElseAsItIs) {
    for (const char* sql : {"CREATE INDEX named ON t (a)", "DROP INDEX x", "SELECT 'CREATE INDEX ON t (a)'",
                            "CREATE INDEX ON t (a); CREATE INDEX ON t (b)"}) {
        auto same = WithIndexName(sql, "n");
        ASSERT_TRUE(same) << sql << ": " << same.error().message;
        EXPECT_EQ(*same, sql);
    }
    auto garbage = WithIndexName("CREATE INDEX ON", "n");
    ASSERT_FALSE(garbage);
    EXPECT_EQ(garbage.error().code, ErrorCode::kParseError);
}

}  // namespace
}  // namespace optischema::sqlparse
