#include <cmath>
#include <string>

#include <gtest/gtest.h>

#include "analyzer/findings.hpp"
#include "analyzer/internal/test_plans.hpp"

namespace optischema::analyzer {
namespace {

using namespace test_plans;

// --- 4. sort_spill, hash_spill

TEST(FindingsTest, SortSpillingToDiskSuggestsWorkMemAndIndex) {
    const Case c("sort_spill");
    const Finding& f = c.One("sort_spill");
    const PlanNode& sort = c.Node(f.node_id);
    EXPECT_EQ(sort.node_type, "Sort");
    EXPECT_EQ(f.severity, Severity::kHigh);
    EXPECT_EQ(Text(f, "sort_method"), "external merge");
    EXPECT_EQ(Num(f, "sort_space_used_kb"), static_cast<double>(sort.sort_space_kb));
    const long long mb = static_cast<long long>(std::ceil(static_cast<double>(sort.sort_space_kb) * 2 / 1024));
    EXPECT_TRUE(Contains(f.suggestion, "SET work_mem = '" + std::to_string(mb) + "MB'")) << f.suggestion;
    EXPECT_TRUE(Contains(f.suggestion, "CREATE INDEX CONCURRENTLY ON public.customers (created_at DESC);"))
        << f.suggestion;
}

TEST(FindingsTest, InMemorySortIsNotASpill) {
    EXPECT_FALSE(Case("sort_in_memory").Has("sort_spill"));
    EXPECT_FALSE(Case("window_function").Has("sort_spill"));
}

TEST(FindingsTest, HashJoinInBatchesIsAHashSpill) {
    const Case c("hash_batches");
    const Finding& f = c.One("hash_spill");
    const PlanNode& hash = c.Node(f.node_id);
    EXPECT_EQ(hash.node_type, "Hash");
    EXPECT_NE(f.severity, Severity::kHigh);
    EXPECT_EQ(Num(f, "hash_batches"), static_cast<double>(hash.hash_batches));
    EXPECT_GT(Num(f, "hash_batches"), 1);
    EXPECT_EQ(Num(f, "memory_needed_kb"), static_cast<double>(hash.peak_memory_kb * hash.hash_batches));
    EXPECT_TRUE(Contains(f.suggestion, "SET work_mem = '")) << f.suggestion;
}

TEST(FindingsTest, SpillingHashAggregateIsAHashSpill) {
    const Case c("hash_aggregate_spill");
    const Finding& f = c.One("hash_spill");
    const PlanNode& agg = c.Node(f.node_id);
    EXPECT_EQ(agg.node_type, "Aggregate");
    EXPECT_EQ(f.severity, Severity::kHigh);
    EXPECT_EQ(Num(f, "hashagg_batches"), static_cast<double>(agg.hashagg_batches));
    EXPECT_EQ(Num(f, "disk_usage_kb"), static_cast<double>(agg.disk_usage_kb));
    EXPECT_GT(Num(f, "disk_usage_kb"), 0);
}

TEST(FindingsTest, HashAggregateInMemoryIsNotASpill) {
    EXPECT_FALSE(Case("hash_aggregate").Has("hash_spill"));
    EXPECT_FALSE(Case("memoize").Has("hash_spill"));
}

// --- 7. lossy_bitmap

TEST(FindingsTest, LossyBitmapSuggestsWorkMem) {
    const Case c("bitmap_lossy");
    const Finding& f = c.One("lossy_bitmap");
    const PlanNode& scan = c.Node(f.node_id);
    EXPECT_EQ(scan.node_type, "Bitmap Heap Scan");
    EXPECT_EQ(f.relation, "public.orders");
    EXPECT_EQ(f.severity, Severity::kHigh);
    EXPECT_EQ(Num(f, "lossy_heap_blocks"), scan.lossy_heap_blocks);
    EXPECT_GT(Num(f, "lossy_heap_blocks"), 0);
    EXPECT_EQ(Num(f, "exact_heap_blocks"), scan.exact_heap_blocks);
    EXPECT_EQ(Text(f, "work_mem"), "64kB");
    EXPECT_TRUE(Contains(f.suggestion, "SET work_mem = '")) << f.suggestion;
}

TEST(FindingsTest, ExactBitmapIsNotLossy) { EXPECT_FALSE(Case("bitmap_exact").Has("lossy_bitmap")); }

}  // namespace
}  // namespace optischema::analyzer
