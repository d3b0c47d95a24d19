#include "analyzer/plan.hpp"

#include <cmath>
#include <filesystem>
#include <numeric>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "analyzer/internal/test_plans.hpp"

namespace optischema::analyzer {
namespace {

namespace fs = std::filesystem;
using model::Plan;
using model::PlanNode;

using test_plans::ReadFile;

const fs::path kPlans = test_plans::PlansDir();

Plan Load(const std::string& name) { return test_plans::LoadPlan(name); }

const PlanNode* FindNode(const Plan& plan, std::string_view type) {
    for (const PlanNode* n : Flatten(plan)) {
        if (n->node_type == type) return n;
    }
    return nullptr;
}

std::vector<fs::path> AllPlans() {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(kPlans)) {
        if (e.path().extension() == ".json") out.push_back(e.path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

// Counts the properties of every node object in the raw JSON (without "Plans").
std::size_t RawPropertyCount(const nlohmann::json& node) {
    std::size_t n = 0;
    for (const auto& [key, value] : node.items()) {
        if (key == "Plans") {
            for (const auto& child : value) n += RawPropertyCount(child);
        } else {
            ++n;
        }
    }
    return n;
}

TEST(PlanTest, EveryRecordedPlanParsesWithConsistentTimes) {
    const auto files = AllPlans();
    ASSERT_GE(files.size(), 20u) << "recorded plans missing from " << kPlans;
    for (const auto& file : files) {
        SCOPED_TRACE(file.filename().string());
        auto plan = ParsePlan(ReadFile(file));
        ASSERT_TRUE(plan) << plan.error().ToString();
        const auto nodes = Flatten(*plan);
        for (std::size_t i = 0; i < nodes.size(); ++i) {
            EXPECT_EQ(nodes[i]->id, i) << "ids are the pre-order index";
            EXPECT_FALSE(nodes[i]->node_type.empty());
            EXPECT_GE(nodes[i]->exclusive_ms, 0);
        }
        if (!plan->analyzed) continue;
        ASSERT_TRUE(plan->execution_ms.has_value());
        const double sum = std::accumulate(nodes.begin(), nodes.end(), 0.0,
                                           [](double acc, const PlanNode* n) { return acc + n->exclusive_ms; });
        // Exclusive times partition the root's time (clamping at zero can only add a little).
        EXPECT_NEAR(sum, plan->root.inclusive_ms, 0.05 * plan->root.inclusive_ms + 0.05);
        EXPECT_LE(plan->root.inclusive_ms, *plan->execution_ms + 0.05);
    }
}

// Found by fuzz/plan_fuzzer: a "Triggers" list holding a number (or a trigger whose name is a number)
// threw nlohmann's type_error out of ParsePlan and ended the process.
TEST(PlanTest, TriggersThatAreNotObjectsAreSkippedNotThrown) {
    const auto plan = ParsePlan(R"([{"Plan": {"Node Type": "Result", "Total Cost": 1},
                                    "Triggers": [1, "x", {"Trigger Name": 5, "Relation": "t", "Time": 2.5}]}])");
    ASSERT_TRUE(plan.has_value()) << plan.error().message;
    ASSERT_EQ(plan->triggers.size(), 1u);
    EXPECT_EQ(plan->triggers[0].name, "5");
    EXPECT_EQ(plan->triggers[0].relation, "t");
    EXPECT_DOUBLE_EQ(plan->triggers[0].time_ms, 2.5);
}

TEST(PlanTest, NothingIsLost) {
    // Every property of every node is either mapped to a field or kept verbatim in `extra`.
    for (const auto& file : AllPlans()) {
        SCOPED_TRACE(file.filename().string());
        const auto raw = nlohmann::json::parse(ReadFile(file));
        auto plan = ParsePlan(ReadFile(file));
        ASSERT_TRUE(plan);
        std::size_t extra = 0;
        for (const PlanNode* n : Flatten(*plan)) {
            extra += n->extra.size();
            for (const auto& [key, value] : n->extra) {
                EXPECT_NE(key, "Node Type");
                EXPECT_NE(key, "Actual Total Time");
                EXPECT_FALSE(nlohmann::json::parse(value).is_discarded());
            }
        }
        EXPECT_LE(extra, RawPropertyCount(raw[0]["Plan"]));
    }
}

TEST(PlanTest, ParallelNodesShareTheirLoopsAmongWorkers) {
    const Plan plan = Load("parallel_seq_scan");
    const PlanNode* gather = FindNode(plan, "Gather");
    ASSERT_NE(gather, nullptr);
    ASSERT_TRUE(gather->workers_launched.has_value());
    EXPECT_GT(*gather->workers_launched, 0);
    const PlanNode* scan = FindNode(plan, "Seq Scan");
    ASSERT_NE(scan, nullptr);
    EXPECT_TRUE(scan->parallel_aware);
    EXPECT_EQ(scan->worker_count, *gather->workers_launched + 1);
    // Below Gather, inclusive time is wall-clock: no more than the Gather's own.
    EXPECT_LE(scan->inclusive_ms, gather->inclusive_ms + 0.01);
}

TEST(PlanTest, WorkersPlannedButNotLaunched) {
    const Plan plan = Load("parallel_not_launched");
    const PlanNode* gather = FindNode(plan, "Gather");
    ASSERT_NE(gather, nullptr);
    EXPECT_GT(gather->workers_planned.value_or(0), 0);
    EXPECT_EQ(gather->workers_launched.value_or(-1), 0);
}

TEST(PlanTest, LoopsMultiplyPerLoopTimes) {
    const Plan plan = Load("correlated_subquery");
    const PlanNode* sub = nullptr;
    for (const PlanNode* n : Flatten(plan)) {
        if (n->parent_relationship == "SubPlan") sub = n;
    }
    ASSERT_NE(sub, nullptr);
    ASSERT_TRUE(sub->actual_loops && sub->actual_total_ms);
    EXPECT_GT(*sub->actual_loops, 100);
    EXPECT_NEAR(sub->inclusive_ms, *sub->actual_total_ms * *sub->actual_loops, 1e-6);
}

TEST(PlanTest, CteTimeIsChargedToItsScans) {
    const Plan plan = Load("cte_materialized");
    const PlanNode* cte = nullptr;
    for (const PlanNode* n : Flatten(plan)) {
        if (n->subplan_name.starts_with("CTE ")) cte = n;
    }
    ASSERT_NE(cte, nullptr);
    double scans_inclusive = 0, scans_exclusive = 0;
    for (const PlanNode* n : Flatten(plan)) {
        if (n->node_type == "CTE Scan") {
            scans_inclusive += n->inclusive_ms;
            scans_exclusive += n->exclusive_ms;
        }
    }
    EXPECT_GT(scans_inclusive, 0);
    // The scans' own time excludes the CTE's work they triggered.
    EXPECT_LE(scans_exclusive, scans_inclusive - std::min(cte->inclusive_ms, scans_inclusive) + 0.01);
}

TEST(PlanTest, DetailsOfScansSortsAndHashes) {
    const Plan bitmap = Load("bitmap_lossy");
    const PlanNode* heap = FindNode(bitmap, "Bitmap Heap Scan");
    ASSERT_NE(heap, nullptr);
    EXPECT_GT(heap->lossy_heap_blocks, 0);
    EXPECT_FALSE(heap->recheck_cond.empty());

    const Plan sort = Load("sort_spill");
    const PlanNode* s = FindNode(sort, "Sort");
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->sort_space_type, "Disk");
    EXPECT_GT(s->sort_space_kb, 0);
    EXPECT_FALSE(s->sort_key.empty());
    EXPECT_TRUE(s->has_buffers);
    EXPECT_GT(s->buffers.temp_written, 0);

    const Plan hash = Load("hash_batches");
    const PlanNode* h = FindNode(hash, "Hash");
    ASSERT_NE(h, nullptr);
    EXPECT_GT(h->hash_batches, 1);
    EXPECT_GT(h->peak_memory_kb, 0);

    const Plan ios = Load("index_only_heap_fetches");
    const PlanNode* io = FindNode(ios, "Index Only Scan");
    ASSERT_NE(io, nullptr);
    ASSERT_TRUE(io->heap_fetches.has_value());
    EXPECT_GT(*io->heap_fetches, 0);

    const Plan seq = Load("seq_scan_few_rows");
    const PlanNode* scan = FindNode(seq, "Seq Scan");
    ASSERT_NE(scan, nullptr);
    EXPECT_GT(scan->rows_removed_by_filter, 1000);
    EXPECT_FALSE(scan->filter.empty());
    EXPECT_FALSE(scan->relation.empty());
    EXPECT_FALSE(QualifiedRelation(*scan).empty());
    EXPECT_NE(NodeLabel(*scan).find("Seq Scan on "), std::string::npos);
    EXPECT_FALSE(seq.settings.empty() && seq.extra.empty() && !seq.planning_ms);
}

TEST(PlanTest, PlanWithoutAnalyzeHasEstimatesOnly) {
    const Plan plan = Load("no_analyze_join");
    EXPECT_FALSE(plan.analyzed);
    EXPECT_FALSE(plan.execution_ms.has_value());
    for (const PlanNode* n : Flatten(plan)) {
        EXPECT_FALSE(n->actual_total_ms.has_value());
        EXPECT_EQ(n->exclusive_ms, 0);
        EXPECT_GT(n->total_cost, 0);
    }
}

// PostgreSQL 17 renamed block I/O timings and made JIT "Generation" an object; 13 has neither
// "Async Capable" nor WAL. Written from those versions' explain.c output formats.
TEST(PlanTest, OtherVersionsParseWithoutLoss) {
    const char* pg17 = R"([{"Plan": {"Node Type": "Seq Scan", "Parallel Aware": false, "Async Capable": false,
        "Relation Name": "t", "Schema": "public", "Alias": "t", "Startup Cost": 0.0, "Total Cost": 35.5,
        "Plan Rows": 2550, "Plan Width": 4, "Actual Startup Time": 0.01, "Actual Total Time": 2.5,
        "Actual Rows": 1000, "Actual Loops": 1, "Shared Hit Blocks": 5, "Shared Read Blocks": 7,
        "Shared I/O Read Time": 0.75, "Shared I/O Write Time": 0.0, "Local I/O Read Time": 0.0,
        "Local I/O Write Time": 0.0, "Temp I/O Read Time": 0.0, "Temp I/O Write Time": 0.0},
      "Planning": {"Shared Hit Blocks": 3, "Memory Used": 20, "Memory Allocated": 32},
      "Planning Time": 0.1, "Serialization": {"Time": 0.02, "Output Volume": 9, "Format": "text"},
      "JIT": {"Functions": 2, "Options": {"Inlining": false}, "Timing": {"Generation": {"Deform": 0.1,
        "Total": 0.4}, "Inlining": 0.0, "Optimization": 0.3, "Emission": 1.2, "Total": 1.9}},
      "Execution Time": 3.0}])";
    auto plan = ParsePlan(pg17);
    ASSERT_TRUE(plan) << plan.error().ToString();
    EXPECT_DOUBLE_EQ(plan->root.buffers.io_read_ms, 0.75);
    ASSERT_TRUE(plan->jit.has_value());
    EXPECT_DOUBLE_EQ(plan->jit->generation_ms, 0.4);
    EXPECT_DOUBLE_EQ(plan->jit->total_ms, 1.9);
    bool kept_serialization = false, kept_async = false;
    for (const auto& [k, v] : plan->extra) kept_serialization |= k == "Serialization";
    for (const auto& [k, v] : plan->root.extra) kept_async |= k == "Async Capable";
    EXPECT_TRUE(kept_serialization);
    EXPECT_TRUE(kept_async);
    EXPECT_DOUBLE_EQ(plan->root.exclusive_ms, 2.5);
}

TEST(PlanTest, RejectsWhatIsNotAPlan) {
    EXPECT_FALSE(ParsePlan("not json"));
    EXPECT_FALSE(ParsePlan("[]"));
    EXPECT_FALSE(ParsePlan(R"([{"Query": 1}])"));
    EXPECT_FALSE(ParsePlan(R"([{"Plan": {"Total Cost": 1}}])"));
    auto err = ParsePlan("{");
    ASSERT_FALSE(err);
    EXPECT_EQ(err.error().code, ErrorCode::kParseError);
    EXPECT_NE(err.error().message.find("EXPLAIN (FORMAT JSON)"), std::string::npos);
    // A bare object (no surrounding list) is accepted.
    EXPECT_TRUE(ParsePlan(R"({"Plan": {"Node Type": "Result"}})"));
}

TEST(PlanTest, LabelsReadLikeExplainText) {
    PlanNode n;
    n.node_type = "Hash Join";
    n.join_type = "Left";
    EXPECT_EQ(NodeLabel(n), "Hash Left Join");
    n.node_type = "Nested Loop";
    n.join_type = "Anti";
    EXPECT_EQ(NodeLabel(n), "Nested Loop Anti Join");
    PlanNode agg;
    agg.node_type = "Aggregate";
    agg.strategy = "Hashed";
    EXPECT_EQ(NodeLabel(agg), "HashAggregate");
    PlanNode idx;
    idx.node_type = "Index Scan";
    idx.index_name = "orders_pkey";
    idx.relation = "orders";
    idx.schema = "public";
    idx.alias = "o";
    EXPECT_EQ(NodeLabel(idx), "Index Scan using orders_pkey on public.orders o");
}

}  // namespace
}  // namespace optischema::analyzer
