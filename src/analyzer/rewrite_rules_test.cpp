#include <algorithm>

#include <gtest/gtest.h>

#include "analyzer/findings.hpp"
#include "analyzer/internal/test_plans.hpp"

namespace optischema::analyzer {
namespace {

using namespace test_plans;

// --- 11. large_offset

TEST(FindingsTest, LargeOffsetSuggestsKeysetPagination) {
    const Case c("large_offset");
    const Finding& f = c.One("large_offset");
    const PlanNode& limit = c.Node(f.node_id);
    EXPECT_EQ(limit.node_type, "Limit");
    EXPECT_EQ(f.severity, Severity::kHigh);
    EXPECT_EQ(Num(f, "offset"), 100000);
    EXPECT_EQ(Num(f, "rows_discarded"), 100000);
    EXPECT_EQ(Num(f, "rows_returned"), 20);
    EXPECT_TRUE(Contains(f.suggestion, "WHERE id > $last_id ORDER BY id LIMIT 20")) << f.suggestion;

    // Without the SQL the Limit node's discarded rows show the offset.
    const auto no_sql = Analyze(c.plan, nullptr);
    EXPECT_TRUE(std::any_of(no_sql.begin(), no_sql.end(), [](const Finding& x) { return x.rule == "large_offset"; }));
}

TEST(FindingsTest, LimitWithoutOffsetIsNotPagination) {
    EXPECT_FALSE(Case("limit_top_n").Has("large_offset"));
    EXPECT_FALSE(Case("incremental_sort").Has("large_offset"));
}

// --- 12. not_in_subquery

TEST(FindingsTest, NotInSubquerySuggestsNotExists) {
    const Case c("not_in_subquery");
    const Finding& f = c.One("not_in_subquery");
    const PlanNode& scan = c.Node(f.node_id);
    EXPECT_EQ(scan.node_type, "Seq Scan");
    EXPECT_EQ(f.relation, "public.customers");
    EXPECT_EQ(f.severity, Severity::kMedium);
    EXPECT_EQ(Text(f, "column"), "c.id");
    EXPECT_EQ(Text(f, "hashed_subplan"), "yes");
    EXPECT_TRUE(Contains(f.suggestion, "NOT EXISTS (SELECT 1 FROM public.orders WHERE orders.customer_id = c.id"))
        << f.suggestion;
}

TEST(FindingsTest, ScalarSubqueryIsNotNotIn) {
    EXPECT_FALSE(Case("initplan").Has("not_in_subquery"));
    EXPECT_FALSE(Case("correlated_subquery").Has("not_in_subquery"));
}

// --- 13. or_across_relations

TEST(FindingsTest, OrAcrossJoinedTablesSuggestsUnion) {
    const Case c("or_across_relations");
    const Finding& f = c.One("or_across_relations");
    const PlanNode& join = c.Node(f.node_id);
    EXPECT_EQ(join.node_type, "Hash Join");
    EXPECT_EQ(f.severity, Severity::kHigh);
    EXPECT_EQ(Text(f, "join_filter"), join.join_filter);
    EXPECT_EQ(Text(f, "relations"), "c, o");
    EXPECT_EQ(Num(f, "rows_removed_by_join_filter"), join.rows_removed_by_join_filter);
    EXPECT_TRUE(
        Contains(f.suggestion, "WHERE (c.country = 'DE'::text)\nUNION\nSELECT ... WHERE (o.status = 'pending'::text)"))
        << f.suggestion;
    EXPECT_FALSE(c.Has("rows_removed_by_filter")) << "the join filter is this finding's evidence";
}

TEST(FindingsTest, JoinsWithoutOrAreFine) {
    EXPECT_FALSE(Case("hash_batches").Has("or_across_relations"));
    EXPECT_FALSE(Case("nested_loop_inner_scan").Has("or_across_relations"));  // join filter without OR
}

// --- 15. correlated_subquery

TEST(FindingsTest, SubPlanRunPerRowSuggestsJoin) {
    const Case c("correlated_subquery");
    const Finding& f = c.One("correlated_subquery");
    const PlanNode& sub = c.Node(f.node_id);
    EXPECT_EQ(sub.parent_relationship, "SubPlan");
    EXPECT_EQ(f.relation, "public.orders");
    EXPECT_EQ(f.severity, Severity::kHigh);
    EXPECT_EQ(Num(f, "loops"), Loops(sub));
    EXPECT_GE(Num(f, "loops"), 100);
    EXPECT_DOUBLE_EQ(f.impact_ms, sub.inclusive_ms);
    EXPECT_TRUE(Contains(f.suggestion, "GROUP BY customer_id) s ON s.customer_id = c.id")) << f.suggestion;
    EXPECT_TRUE(Contains(f.suggestion, "CREATE INDEX CONCURRENTLY ON public.orders (customer_id);")) << f.suggestion;
}

TEST(FindingsTest, SubPlansRunOnceAreNotCorrelated) {
    EXPECT_FALSE(Case("initplan").Has("correlated_subquery"));
    EXPECT_FALSE(Case("not_in_subquery").Has("correlated_subquery"));  // hashed, one loop
}

}  // namespace
}  // namespace optischema::analyzer
