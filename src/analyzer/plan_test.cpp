#include "analyzer/plan.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <numeric>

#include <limits>

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
// Found by plan_fuzzer under UBSan: a block count of 6.67e111 was converted to int64 unchecked.
TEST(PlanTest, CountsBeyondInt64Saturate) {
    const auto plan = ParsePlan(R"([{"Plan": {"Node Type": "Seq Scan", "Total Cost": 1,
                                              "Shared Hit Blocks": 6.66667e111, "Shared Read Blocks": -1e30}}])");
    ASSERT_TRUE(plan.has_value()) << plan.error().message;
    EXPECT_EQ(plan->root.buffers.shared_hit, std::numeric_limits<std::int64_t>::max());
    EXPECT_EQ(plan->root.buffers.shared_read, std::numeric_limits<std::int64_t>::min());
}

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

// Plans recorded from a real server of each supported major (testdata/versions/record.sh).
std::string VersionFixture(int major, const std::string& name) {
    return ReadFile(fs::path(OPTISCHEMA_TESTDATA_DIR) / "versions" / ("pg" + std::to_string(major) + "_" + name));
}

// A scan right after a restart: shared reads with I/O timings, which PostgreSQL 17 renamed from
// "I/O Read Time" to "Shared I/O Read Time" (adding "Local I/O ..."); 18 prints Actual Rows with two
// decimals and a "Disabled" flag on every node.
TEST(PlanTest, EachMajorsColdScanReadsItsIoTimings) {
    for (int major = 13; major <= 18; ++major) {
        SCOPED_TRACE("PostgreSQL " + std::to_string(major));
        const std::string text = VersionFixture(major, "cold_scan.json");
        auto plan = ParsePlan(text);
        ASSERT_TRUE(plan) << plan.error().ToString();
        EXPECT_TRUE(plan->analyzed);
        const auto raw = nlohmann::json::parse(text)[0]["Plan"];
        const char* read_key = major >= 17 ? "Shared I/O Read Time" : "I/O Read Time";
        ASSERT_TRUE(raw.contains(read_key)) << raw.dump();
        EXPECT_TRUE(plan->root.has_buffers);
        EXPECT_GT(plan->root.buffers.shared_read, 0);
        EXPECT_DOUBLE_EQ(plan->root.buffers.io_read_ms, raw[read_key].get<double>());
        EXPECT_GT(plan->root.buffers.io_read_ms, 0) << "track_io_timing is on and every block was read";
        const PlanNode* scan = FindNode(*plan, "Seq Scan");
        ASSERT_NE(scan, nullptr);
        ASSERT_TRUE(scan->actual_rows.has_value());
        EXPECT_DOUBLE_EQ(*scan->actual_rows, 200);
        EXPECT_EQ(scan->rows_removed_by_filter, 19800);
        EXPECT_GT(scan->buffers.io_read_ms, 0);
        EXPECT_EQ(major >= 17, std::any_of(scan->extra.begin(), scan->extra.end(), [](const auto& kv) {
                      return kv.first == "Local I/O Read Time";
                  }));
    }
}

// EXPLAIN (GENERIC_PLAN) (16+): estimates only, with the placeholders in the conditions.
TEST(PlanTest, GenericPlansOfEachMajorParse) {
    for (int major = 16; major <= 18; ++major) {
        SCOPED_TRACE("PostgreSQL " + std::to_string(major));
        auto plan = ParsePlan(VersionFixture(major, "generic_plan.json"));
        ASSERT_TRUE(plan) << plan.error().ToString();
        EXPECT_FALSE(plan->analyzed);
        EXPECT_EQ(plan->root.node_type, "Index Scan");
        EXPECT_EQ(plan->root.index_cond, "(items.id = $1)");
        EXPECT_EQ(plan->root.filter, "(items.kind > $2)");
    }
}

// PostgreSQL 17's SERIALIZE and MEMORY options: kept as they are, not lost and not in the way.
TEST(PlanTest, SerializeAndMemoryOfEachMajorAreKept) {
    for (int major = 17; major <= 18; ++major) {
        SCOPED_TRACE("PostgreSQL " + std::to_string(major));
        auto plan = ParsePlan(VersionFixture(major, "serialize_memory.json"));
        ASSERT_TRUE(plan) << plan.error().ToString();
        EXPECT_TRUE(plan->analyzed);
        EXPECT_GT(plan->execution_ms.value_or(0), 0);
        std::map<std::string, std::string> extra(plan->extra.begin(), plan->extra.end());
        ASSERT_TRUE(extra.contains("Serialization"));
        EXPECT_GT(nlohmann::json::parse(extra["Serialization"])["Output Volume"].get<double>(), 0);
        ASSERT_TRUE(extra.contains("Planning"));
        EXPECT_TRUE(nlohmann::json::parse(extra["Planning"]).contains("Memory Used"));
    }
}

// PostgreSQL 17 made JIT "Generation" an object with "Deform" and "Total". Transcribed from 17's
// explain.c: the packaged servers of testdata/versions are built without LLVM, so none records JIT.
TEST(PlanTest, Pg17JitGenerationObject) {
    auto plan = ParsePlan(R"([{"Plan": {"Node Type": "Result"}, "JIT": {"Functions": 2, "Options": {"Inlining": false},
        "Timing": {"Generation": {"Deform": 0.1, "Total": 0.4}, "Inlining": 0.0, "Optimization": 0.3,
        "Emission": 1.2, "Total": 1.9}}}])");
    ASSERT_TRUE(plan) << plan.error().ToString();
    ASSERT_TRUE(plan->jit.has_value());
    EXPECT_DOUBLE_EQ(plan->jit->generation_ms, 0.4);
    EXPECT_DOUBLE_EQ(plan->jit->total_ms, 1.9);
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
