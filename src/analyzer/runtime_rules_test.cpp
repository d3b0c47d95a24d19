#include <algorithm>
#include <vector>

#include <gtest/gtest.h>

#include "analyzer/findings.hpp"
#include "analyzer/internal/test_plans.hpp"

namespace optischema::analyzer {
namespace {

using namespace test_plans;

// --- 6. heap_fetches

TEST(FindingsTest, IndexOnlyScanWithHeapFetchesSuggestsVacuum) {
    const Case c("index_only_heap_fetches");
    const Finding& f = c.One("heap_fetches");
    const PlanNode& scan = c.Node(f.node_id);
    EXPECT_EQ(scan.node_type, "Index Only Scan");
    EXPECT_EQ(f.relation, "public.accounts");
    EXPECT_EQ(f.severity, Severity::kHigh);
    EXPECT_EQ(Num(f, "heap_fetches"), scan.heap_fetches.value());
    EXPECT_EQ(Num(f, "rows"), scan.actual_rows.value());
    EXPECT_TRUE(Contains(f.suggestion, "VACUUM (ANALYZE) public.accounts;")) << f.suggestion;
}

TEST(FindingsTest, VacuumedIndexOnlyScanHasNoHeapFetchFinding) {
    EXPECT_FALSE(Case("index_only_clean").Has("heap_fetches"));
    EXPECT_FALSE(Case("correlated_subquery").Has("heap_fetches"));
}

// --- 8. cold_reads

TEST(FindingsTest, ColdCacheScanReportsBlocksReadAndIoTime) {
    const Case c("cold_reads");
    const Finding& f = c.One("cold_reads");
    const PlanNode& scan = c.Node(f.node_id);
    EXPECT_EQ(scan.node_type, "Seq Scan");
    EXPECT_EQ(f.relation, "public.order_items");
    EXPECT_EQ(Num(f, "shared_read_blocks"), static_cast<double>(scan.buffers.shared_read));
    EXPECT_GE(Num(f, "shared_read_blocks"), 1000);
    EXPECT_EQ(Num(f, "io_read_ms"), scan.buffers.io_read_ms);
    // The reads took a small part of this run (the OS cache served them): informative, not urgent.
    EXPECT_EQ(f.severity, Severity::kLow);
    EXPECT_DOUBLE_EQ(f.impact_ms, scan.buffers.io_read_ms);
    EXPECT_TRUE(Contains(f.suggestion, "pg_prewarm('public.order_items')")) << f.suggestion;
}

TEST(FindingsTest, ColdReadsAreNeverHigh) {
    // The recorded cold scan, as if waiting for reads had taken 90% of the run (as it does on a
    // server without an OS cache): still a condition of the run, reported as medium, not high.
    Case c("cold_reads");
    model::PlanNode* scan = nullptr;
    std::vector<model::PlanNode*> stack{&c.plan.root};
    while (!stack.empty()) {
        model::PlanNode* n = stack.back();
        stack.pop_back();
        if (n->node_type == "Seq Scan") scan = n;
        for (auto& child : n->children) stack.push_back(&child);
    }
    ASSERT_NE(scan, nullptr);
    scan->buffers.io_read_ms = 0.9 * c.plan.execution_ms.value_or(0) * scan->worker_count;
    const auto findings = Analyze(c.plan, &c.query);
    const auto cold =
        std::find_if(findings.begin(), findings.end(), [](const Finding& f) { return f.rule == "cold_reads"; });
    ASSERT_NE(cold, findings.end());
    EXPECT_GT(cold->impact_ms, 0.5 * c.plan.execution_ms.value_or(0));
    EXPECT_EQ(cold->severity, Severity::kMedium);
}

TEST(FindingsTest, WarmCacheHasNoColdReads) {
    EXPECT_FALSE(Case("hash_aggregate").Has("cold_reads"));   // every block a hit
    EXPECT_FALSE(Case("index_scan_good").Has("cold_reads"));  // 4 blocks read
}

// --- 9. workers_not_launched

TEST(FindingsTest, GatherWithoutItsWorkersIsReported) {
    const Case c("parallel_not_launched");
    const Finding& f = c.One("workers_not_launched");
    const PlanNode& gather = c.Node(f.node_id);
    EXPECT_TRUE(gather.node_type == "Gather" || gather.node_type == "Gather Merge") << gather.node_type;
    EXPECT_EQ(f.severity, Severity::kHigh);
    EXPECT_EQ(Num(f, "workers_planned"), gather.workers_planned.value());
    EXPECT_EQ(Num(f, "workers_launched"), 0);
    EXPECT_EQ(Text(f, "max_parallel_workers"), "0");
    EXPECT_TRUE(Contains(f.suggestion, "max_parallel_workers")) << f.suggestion;
}

TEST(FindingsTest, GatherWithAllWorkersIsFine) {
    EXPECT_FALSE(Case("parallel_seq_scan").Has("workers_not_launched"));
    EXPECT_FALSE(Case("limit_top_n").Has("workers_not_launched"));
}

// --- 10. jit_overhead

TEST(FindingsTest, JitDominatingAShortQueryIsReported) {
    const Case c("jit_heavy");
    const Finding& f = c.One("jit_overhead");
    ASSERT_TRUE(c.plan.jit.has_value());
    EXPECT_EQ(f.node_id, 0u);
    EXPECT_EQ(f.severity, Severity::kHigh);
    EXPECT_EQ(Num(f, "jit_total_ms"), c.plan.jit->total_ms);
    EXPECT_EQ(Num(f, "execution_ms"), c.plan.execution_ms.value());
    EXPECT_DOUBLE_EQ(f.impact_ms, c.plan.jit->total_ms);
    EXPECT_TRUE(Contains(f.suggestion, "SET jit = off;")) << f.suggestion;
    EXPECT_TRUE(Contains(f.suggestion, "jit_above_cost")) << f.suggestion;
}

TEST(FindingsTest, PlansWithoutJitHaveNoJitFinding) {
    EXPECT_FALSE(Case("sort_in_memory").Has("jit_overhead"));
    EXPECT_FALSE(Case("hash_aggregate_spill").Has("jit_overhead"));
}

}  // namespace
}  // namespace optischema::analyzer
