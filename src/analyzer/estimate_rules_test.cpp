#include <gtest/gtest.h>

#include "analyzer/findings.hpp"
#include "analyzer/internal/test_plans.hpp"

namespace optischema::analyzer {
namespace {

using namespace test_plans;

// --- 3. row_estimate_off

TEST(FindingsTest, CorrelatedColumnsUnderestimateSuggestsExtendedStatistics) {
    const Case c("estimate_off");
    const Finding& f = c.One("row_estimate_off");
    const PlanNode& scan = c.Node(f.node_id);
    EXPECT_EQ(f.node_id, 0u);
    EXPECT_EQ(f.relation, "public.orders");
    EXPECT_EQ(f.severity, Severity::kMedium);
    EXPECT_EQ(Num(f, "plan_rows"), scan.plan_rows);
    EXPECT_EQ(Num(f, "actual_rows"), scan.actual_rows.value());
    EXPECT_GE(Num(f, "factor"), 10);
    EXPECT_EQ(Text(f, "direction"), "underestimate");
    EXPECT_TRUE(Contains(f.suggestion, "CREATE STATISTICS")) << f.suggestion;
    EXPECT_TRUE(Contains(f.suggestion, "(dependencies, mcv) ON warehouse_id, carrier_id FROM public.orders;"))
        << f.suggestion;
}

TEST(FindingsTest, GroupByExpressionOverestimateSuggestsExpressionStatistics) {
    const Case c("hash_aggregate");
    const Finding& f = c.One("row_estimate_off");
    EXPECT_EQ(c.Node(f.node_id).node_type, "Aggregate");
    EXPECT_EQ(Text(f, "direction"), "overestimate");
    EXPECT_TRUE(Contains(f.suggestion, "ON (customer_id % 1000) FROM public.orders;")) << f.suggestion;
}

TEST(FindingsTest, RowsCutShortByLimitOrMergeAreNotMisestimates) {
    // The Index Scans under Limit / Merge Join stop early: their actual rows are far below the
    // planned ones without any estimation error.
    for (const char* name : {"large_offset", "incremental_sort", "limit_top_n", "merge_join", "index_scan_good"}) {
        SCOPED_TRACE(name);
        EXPECT_FALSE(Case(name).Has("row_estimate_off"));
    }
}

}  // namespace
}  // namespace optischema::analyzer
