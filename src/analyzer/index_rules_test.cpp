#include <algorithm>

#include <gtest/gtest.h>

#include "analyzer/findings.hpp"
#include "analyzer/internal/test_plans.hpp"

namespace optischema::analyzer {
namespace {

using namespace test_plans;

// --- 1. seq_scan_few_rows

TEST(FindingsTest, SeqScanKeepingFewRowsSuggestsIndexOnFilterColumn) {
    const Case c("seq_scan_few_rows");
    const Finding& f = c.One("seq_scan_few_rows");
    const PlanNode& scan = c.Node(f.node_id);
    EXPECT_EQ(scan.node_type, "Seq Scan");
    EXPECT_EQ(f.relation, "public.orders");
    EXPECT_EQ(f.severity, Severity::kHigh);
    EXPECT_EQ(Num(f, "rows_kept"), scan.actual_rows.value());
    EXPECT_EQ(Num(f, "rows_scanned"), scan.actual_rows.value() + scan.rows_removed_by_filter);
    EXPECT_GE(Num(f, "rows_scanned"), 10'000);
    EXPECT_EQ(Text(f, "filter"), scan.filter);
    EXPECT_DOUBLE_EQ(f.impact_ms, scan.exclusive_ms);
    EXPECT_EQ(f.suggestion, "CREATE INDEX CONCURRENTLY ON public.orders (customer_id);");
    EXPECT_FALSE(c.Has("rows_removed_by_filter")) << "the same scan is reported once";

    // Without the SQL the plan's filter gives the column.
    const auto no_sql = Analyze(c.plan, nullptr);
    const auto it =
        std::find_if(no_sql.begin(), no_sql.end(), [](const Finding& x) { return x.rule == "seq_scan_few_rows"; });
    ASSERT_NE(it, no_sql.end());
    EXPECT_EQ(it->suggestion, "CREATE INDEX CONCURRENTLY ON public.orders (customer_id);");
}

TEST(FindingsTest, SeqScanKeepingManyRowsIsNotFewRows) {
    EXPECT_FALSE(Case("hash_batches").Has("seq_scan_few_rows"));  // keeps 20% of orders
    EXPECT_FALSE(Case("cold_reads").Has("seq_scan_few_rows"));    // no filter at all
}

// --- 2. rows_removed_by_filter

TEST(FindingsTest, IndexScanDiscardingRowsByFilterIsReportedWithTotalsOverLoops) {
    const Case c("correlated_subquery");
    const Finding& f = c.One("rows_removed_by_filter");
    const PlanNode& scan = c.Node(f.node_id);
    EXPECT_EQ(scan.node_type, "Index Scan");
    EXPECT_EQ(f.relation, "public.orders");
    EXPECT_EQ(f.severity, Severity::kHigh);
    // PostgreSQL prints rows removed per loop; the evidence is the total.
    EXPECT_EQ(Num(f, "rows_removed_by_filter"), scan.rows_removed_by_filter * Loops(scan));
    EXPECT_EQ(Num(f, "loops"), Loops(scan));
    EXPECT_EQ(Text(f, "filter"), "(o.customer_id = c.id)");
    EXPECT_TRUE(Contains(f.suggestion, "CREATE INDEX CONCURRENTLY ON public.orders (customer_id);")) << f.suggestion;
}

TEST(FindingsTest, ModestFilterRemovalIsNotReported) {
    EXPECT_FALSE(Case("hash_batches").Has("rows_removed_by_filter"));  // removes 4x what it keeps
    EXPECT_FALSE(Case("jit_heavy").Has("rows_removed_by_filter"));     // 6,779 removed, under 10k
}

// --- 5. nested_loop_inner_scan

TEST(FindingsTest, NestedLoopRescanningInnerTableSuggestsIndexOnJoinKey) {
    const Case c("nested_loop_inner_scan");
    const Finding& f = c.One("nested_loop_inner_scan");
    EXPECT_EQ(c.Node(f.node_id).node_type, "Nested Loop");
    EXPECT_EQ(f.relation, "public.products");
    EXPECT_EQ(f.severity, Severity::kHigh);
    EXPECT_EQ(Num(f, "inner_loops"), Loops(c.First("Seq Scan")));
    EXPECT_GE(Num(f, "inner_loops"), 100);
    EXPECT_EQ(Text(f, "join_filter"), c.Node(f.node_id).join_filter);
    EXPECT_EQ(f.suggestion, "CREATE INDEX CONCURRENTLY ON public.products (supplier_id);");
    EXPECT_FALSE(c.Has("rows_removed_by_filter")) << "the join filter is part of the same problem";
}

TEST(FindingsTest, NestedLoopWithIndexedInnerIsFine) {
    EXPECT_FALSE(Case("memoize").Has("nested_loop_inner_scan"));
    EXPECT_FALSE(Case("no_analyze_join").Has("nested_loop_inner_scan"));
    EXPECT_FALSE(Case("diff_after_index").Has("nested_loop_inner_scan"));
}

// --- 14. non_sargable

TEST(FindingsTest, FunctionOnFilteredColumnSuggestsExpressionIndex) {
    const Case c("function_on_column");
    const Finding& f = c.One("non_sargable");
    EXPECT_EQ(c.Node(f.node_id).node_type, "Seq Scan");
    EXPECT_EQ(f.relation, "public.customers");
    EXPECT_EQ(f.severity, Severity::kHigh);
    EXPECT_EQ(Text(f, "expression"), "lower(email)");
    EXPECT_EQ(Num(f, "rows_kept"), c.Node(f.node_id).actual_rows.value());
    EXPECT_TRUE(Contains(f.suggestion, "CREATE INDEX CONCURRENTLY ON public.customers ((lower(email)));"))
        << f.suggestion;
    EXPECT_FALSE(c.Has("seq_scan_few_rows")) << "the wrapped column explains the scan";
}

TEST(FindingsTest, CastOnFilteredColumnSuggestsRange) {
    const Case c("function_on_column_cast");
    const Finding& f = c.One("non_sargable");
    EXPECT_EQ(f.relation, "public.orders");
    EXPECT_EQ(f.severity, Severity::kHigh);
    EXPECT_EQ(Text(f, "expression"), "created_at::date");
    EXPECT_TRUE(
        Contains(f.suggestion, "WHERE created_at >= '2024-01-01'::date AND created_at < '2024-01-01'::date + 1"))
        << f.suggestion;
}

TEST(FindingsTest, BareOrUnselectiveOrIndexedExpressionsAreNotNonSargable) {
    EXPECT_FALSE(Case("seq_scan_few_rows").Has("non_sargable"));       // bare column
    EXPECT_FALSE(Case("jit_heavy").Has("non_sargable"));               // supplier_id % 3 keeps a third
    EXPECT_FALSE(Case("nested_loop_inner_scan").Has("non_sargable"));  // c.id + 0, customers read by index
    EXPECT_FALSE(Case("hash_aggregate").Has("non_sargable"));          // expression in GROUP BY only
}

}  // namespace
}  // namespace optischema::analyzer
