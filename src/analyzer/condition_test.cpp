#include "analyzer/internal/condition.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace optischema::analyzer::internal {
namespace {

// Conditions below are copied from the recorded plans in testdata/plans.

std::vector<std::string> Columns(const std::vector<CondRef>& refs) {
    std::vector<std::string> out;
    for (const CondRef& r : refs) out.push_back(r.qualifier.empty() ? r.column : r.qualifier + "." + r.column);
    return out;
}

TEST(ConditionTest, RefsSkipLiteralsCastsKeywordsAndFunctionNames) {
    // or_across_relations: the string literals and their ::text casts are not columns.
    EXPECT_EQ(Columns(ConditionRefs("((c.country = 'DE'::text) OR (o.status = 'pending'::text))")),
              (std::vector<std::string>{"c.country", "o.status"}));
    // function_on_column: lower( is a function, not a column.
    EXPECT_EQ(Columns(ConditionRefs("(lower(customers.email) = 'user4242@example.com'::text)")),
              (std::vector<std::string>{"customers.email"}));
    // not_in_subquery: NOT, hashed and SubPlan are words of EXPLAIN, not columns.
    EXPECT_TRUE(ConditionRefs("(NOT (hashed SubPlan 1))").empty());
}

TEST(ConditionTest, RefsTellWhatSurroundsTheColumn) {
    // estimate_off: two equality comparisons, each right after "(".
    const auto refs = ConditionRefs("((orders.warehouse_id = 7) AND (orders.carrier_id = 7))");
    ASSERT_EQ(refs.size(), 2u);
    EXPECT_EQ(refs[0].column, "warehouse_id");
    EXPECT_EQ(refs[0].before, '(');
    EXPECT_EQ(refs[0].op_after, "=");
    // nested_loop_inner_scan: c.id sits inside an expression, p.supplier_id on the right of "=".
    const auto join = ConditionRefs("((c.id + 0) = p.supplier_id)");
    ASSERT_EQ(join.size(), 2u);
    EXPECT_EQ(join[0].op_after, "");
    EXPECT_EQ(join[1].qualifier, "p");
    EXPECT_EQ(join[1].before, '=');
}

TEST(ConditionTest, QuotedIdentifiersKeepTheirCase) {
    const auto refs = ConditionRefs(R"(("Order"."Total" >= 10) AND ("weird ""name"" col" IS NOT NULL))");
    ASSERT_EQ(refs.size(), 2u);
    EXPECT_EQ(refs[0].qualifier, "Order");
    EXPECT_EQ(refs[0].column, "Total");
    EXPECT_EQ(refs[0].op_after, ">=");
    EXPECT_EQ(refs[1].column, "weird \"name\" col");
    EXPECT_EQ(refs[1].op_after, "IS");
}

TEST(ConditionTest, OrBranchesSplitOnlyTopLevelOr) {
    EXPECT_EQ(OrBranches("((c.country = 'DE'::text) OR (o.status = 'pending'::text))"),
              (std::vector<std::string>{"(c.country = 'DE'::text)", "(o.status = 'pending'::text)"}));
    // An OR inside a literal or inside parentheses is not a branch.
    EXPECT_TRUE(OrBranches("(c.note = 'this OR that'::text)").empty());
    EXPECT_TRUE(OrBranches("((a = 1) AND ((b = 2) OR (c = 3)))").empty());
    EXPECT_TRUE(OrBranches("((orders.warehouse_id = 7) AND (orders.carrier_id = 7))").empty());
}

TEST(ConditionTest, ContainsWordMatchesWholeIdentifiers) {
    EXPECT_TRUE(ContainsWord("(orders.customer_id = 4242)", "customer_id"));
    EXPECT_FALSE(ContainsWord("(orders.customer_id = 4242)", "customer"));
    EXPECT_FALSE(ContainsWord("(orders.customer_id = 4242)", "id"));
    EXPECT_FALSE(ContainsWord("(orders.customer_id = 4242)", ""));
}

}  // namespace
}  // namespace optischema::analyzer::internal
