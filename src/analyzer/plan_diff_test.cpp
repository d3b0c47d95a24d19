#include "analyzer/plan_diff.hpp"

#include <gtest/gtest.h>

#include "analyzer/internal/test_plans.hpp"
#include "analyzer/plan.hpp"

namespace optischema::analyzer {
namespace {

model::Plan Load(const std::string& name) { return test_plans::LoadPlan(name); }

const NodeChange* Find(const PlanDiff& d, std::string_view label_part, NodeChange::Kind kind) {
    for (const auto& c : d.nodes) {
        const std::string& label = kind == NodeChange::Kind::kRemoved ? c.before_label : c.after_label;
        if (c.kind == kind && label.find(label_part) != std::string::npos) return &c;
    }
    return nullptr;
}

// Recorded before and after CREATE INDEX ON orders (customer_id): a parallel hash join over a
// sequential scan becomes a nested loop over a bitmap index scan.
TEST(PlanDiffTest, IndexTurnsSeqScanIntoBitmapScan) {
    const auto before = Load("diff_before_index");
    const auto after = Load("diff_after_index");
    const PlanDiff d = DiffPlans(before, after);

    const NodeChange* scan = Find(d, "Bitmap Heap Scan on public.orders", NodeChange::Kind::kChanged);
    ASSERT_NE(scan, nullptr);
    EXPECT_NE(scan->before_label.find("Seq Scan on public.orders"), std::string::npos) << scan->before_label;
    EXPECT_GT(scan->before_ms, 10 * scan->after_ms);
    EXPECT_GT(scan->before_blocks, scan->after_blocks);

    EXPECT_NE(Find(d, "Bitmap Index Scan using orders_customer_id_idx", NodeChange::Kind::kAdded), nullptr);
    const NodeChange* join = Find(d, "Nested Loop", NodeChange::Kind::kChanged);
    ASSERT_NE(join, nullptr);
    EXPECT_EQ(join->before_label, "Hash Join");
    EXPECT_NE(Find(d, "Gather Merge", NodeChange::Kind::kRemoved), nullptr);
    EXPECT_NE(Find(d, "Hash", NodeChange::Kind::kRemoved), nullptr);
    const NodeChange* customers = Find(d, "Index Scan using customers_pkey", NodeChange::Kind::kSame);
    ASSERT_NE(customers, nullptr);

    EXPECT_TRUE(d.join_order_changed);
    ASSERT_EQ(d.before_scan_order.size(), 2u);
    EXPECT_NE(d.before_scan_order[0].find("orders"), std::string::npos);
    EXPECT_NE(d.after_scan_order[0].find("customers"), std::string::npos);
    ASSERT_TRUE(d.before_ms && d.after_ms);
    EXPECT_GT(*d.before_ms, 10 * *d.after_ms);
    EXPECT_GT(d.before_cost, d.after_cost);

    // Every node of both plans is accounted for exactly once.
    std::size_t from_after = 0, from_before = 0;
    for (const auto& c : d.nodes) {
        from_after += c.after_id.has_value();
        from_before += c.before_id.has_value();
    }
    EXPECT_EQ(from_after, Flatten(after).size());
    EXPECT_EQ(from_before, Flatten(before).size());
}

TEST(PlanDiffTest, APlanComparedWithItselfIsUnchanged) {
    for (const char* name : {"diff_after_index", "cte_materialized", "correlated_subquery"}) {
        SCOPED_TRACE(name);
        const auto plan = Load(name);
        const PlanDiff d = DiffPlans(plan, plan);
        EXPECT_FALSE(d.join_order_changed);
        for (const auto& c : d.nodes) {
            EXPECT_EQ(c.kind, NodeChange::Kind::kSame) << c.after_label;
            EXPECT_EQ(c.before_id, c.after_id);
        }
    }
}

TEST(PlanDiffTest, EstimatesOnlyPlansCompareByCostAndRows) {
    const auto plan = Load("no_analyze_join");
    const PlanDiff d = DiffPlans(plan, plan);
    EXPECT_FALSE(d.before_ms.has_value());
    ASSERT_FALSE(d.nodes.empty());
    EXPECT_GT(d.nodes.front().after_rows, 0);
    EXPECT_EQ(d.nodes.front().after_ms, 0);
}

}  // namespace
}  // namespace optischema::analyzer
