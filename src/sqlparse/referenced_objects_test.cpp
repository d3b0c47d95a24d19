#include <gtest/gtest.h>

#include <algorithm>

#include "sqlparse/sqlparse.hpp"

namespace optischema::sqlparse {
namespace {

bool Has(const std::vector<QualifiedName>& list, const std::string& schema, const std::string& name) {
    return std::find(list.begin(), list.end(), QualifiedName{schema, name}) != list.end();
}

TEST(ReferencedObjectsTest, FunctionsInEveryPlaceAStatementCanCallThem) {
    auto r = FindReferencedObjects(
        "SELECT lower(c.email), p.lo_export(c.o, c.path), count(*) OVER (), max(x) "
        "FROM p.cfg c, generate_series(1, 3) g, LATERAL (SELECT pg_catalog.pg_terminate_backend(1) AS x) s "
        "WHERE c.id IN (SELECT evil() FROM t) ORDER BY now()");
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->statement_count, 1);
    for (const auto& [schema, name] : std::vector<std::pair<std::string, std::string>>{
             {"", "lower"}, {"p", "lo_export"}, {"", "count"}, {"", "max"}, {"", "generate_series"},
             {"pg_catalog", "pg_terminate_backend"}, {"", "evil"}, {"", "now"}}) {
        EXPECT_TRUE(Has(r->functions, schema, name)) << schema << "." << name;
    }
    EXPECT_TRUE(Has(r->relations, "p", "cfg"));
    EXPECT_TRUE(Has(r->relations, "", "t"));
    EXPECT_TRUE(Has(r->operators, "", "="));  // IN (subquery)
}

TEST(ReferencedObjectsTest, OperatorsWrittenAndImplied) {
    auto r = FindReferencedObjects(
        "SELECT a OPERATOR(evil.+) b, CASE a WHEN 1 THEN 2 END FROM t JOIN u USING (id) "
        "WHERE a BETWEEN 1 AND 2 AND b LIKE 'x%' AND c IS DISTINCT FROM d AND e = ANY($1) ORDER BY a USING <<<");
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_TRUE(Has(r->operators, "evil", "+"));
    EXPECT_TRUE(Has(r->operators, "", "~~"));
    EXPECT_TRUE(Has(r->operators, "", ">="));
    EXPECT_TRUE(Has(r->operators, "", "<="));
    EXPECT_TRUE(Has(r->operators, "", "="));
    EXPECT_TRUE(Has(r->operators, "", "<<<"));
    EXPECT_FALSE(Has(r->operators, "", "BETWEEN"));
}

TEST(ReferencedObjectsTest, TypesRelationsAndStatementKinds) {
    auto r = FindReferencedObjects(
        "WITH d AS (DELETE FROM audit.log RETURNING id) SELECT id::evil.dom, CAST(1 AS int) INTO newt FROM d "
        "FOR UPDATE");
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_TRUE(Has(r->types, "evil", "dom"));
    EXPECT_TRUE(Has(r->types, "pg_catalog", "int4"));  // SQL-standard type names are qualified by the parser
    EXPECT_TRUE(Has(r->relations, "audit", "log"));
    EXPECT_NE(std::find(r->statement_kinds.begin(), r->statement_kinds.end(), "DeleteStmt"), r->statement_kinds.end());
    EXPECT_TRUE(r->creates_table);
    EXPECT_TRUE(r->locks_rows);
}

TEST(ReferencedObjectsTest, CountsStatementsAndRefusesWhatDoesNotParse) {
    auto two = FindReferencedObjects("SELECT 1; DO $$ BEGIN PERFORM 1; END $$");
    ASSERT_TRUE(two);
    EXPECT_EQ(two->statement_count, 2);
    EXPECT_NE(std::find(two->statement_kinds.begin(), two->statement_kinds.end(), "DoStmt"), two->statement_kinds.end());
    EXPECT_FALSE(FindReferencedObjects("SELECT FROM WHERE ("));
}

TEST(ReferencedObjectsTest, TablesampleMethodIsAFunction) {
    auto r = FindReferencedObjects("SELECT * FROM t TABLESAMPLE bernoulli (10)");
    ASSERT_TRUE(r);
    EXPECT_TRUE(Has(r->functions, "", "bernoulli"));
}

}  // namespace
}  // namespace optischema::sqlparse
