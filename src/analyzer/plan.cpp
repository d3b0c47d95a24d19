#include "analyzer/plan.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <unordered_map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace optischema::analyzer {
namespace {

using model::PlanNode;
using nlohmann::json;

double Number(const json& v) {
    if (v.is_number()) return v.get<double>();
    // PostgreSQL prints some numbers as strings in JSON (e.g. "Settings" values); be lenient: the
    // decimal number the text starts with ("64MB" is 64), after blanks and a "+"; 0 when there is none.
    if (v.is_string()) {
        std::string_view text = v.get_ref<const std::string&>();
        while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
        if (text.starts_with('+')) {
            text.remove_prefix(1);
            if (text.starts_with('-')) return 0;
        }
        double out = 0;
        if (std::from_chars(text.data(), text.data() + text.size(), out).ec != std::errc()) return 0;
        return out;
    }
    return 0;
}

// Saturates: converting a double beyond int64 (a corrupt or hostile plan's 6.7e111 blocks) is undefined.
std::int64_t Integer(const json& v) {
    const double d = Number(v);
    if (std::isnan(d)) return 0;
    constexpr double kBound = 9223372036854775808.0;  // 2^63
    if (d >= kBound) return std::numeric_limits<std::int64_t>::max();
    if (d < -kBound) return std::numeric_limits<std::int64_t>::min();
    return static_cast<std::int64_t>(d);
}

std::string Text(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

std::vector<std::string> TextList(const json& v) {
    std::vector<std::string> out;
    if (v.is_array()) {
        for (const auto& item : v) out.push_back(Text(item));
    } else {
        out.push_back(Text(v));
    }
    return out;
}

using Setter = std::function<void(PlanNode&, const json&)>;

#define OPTISCHEMA_TEXT(field) [](PlanNode& n, const json& v) { n.field = Text(v); }
#define OPTISCHEMA_NUM(field) [](PlanNode& n, const json& v) { n.field = Number(v); }
#define OPTISCHEMA_INT(field) [](PlanNode& n, const json& v) { n.field = Integer(v); }
#define OPTISCHEMA_BUF(field)         \
    [](PlanNode& n, const json& v) {  \
        n.buffers.field = Integer(v); \
        n.has_buffers = true;         \
    }
#define OPTISCHEMA_BUF_MS(field)     \
    [](PlanNode& n, const json& v) { \
        n.buffers.field = Number(v); \
        n.has_buffers = true;        \
    }

// Property name -> field. Names are PostgreSQL's (explain.c), 13 to 17.
const std::unordered_map<std::string, Setter>& NodeSetters() {
    static const std::unordered_map<std::string, Setter> setters = {
        {"Node Type", OPTISCHEMA_TEXT(node_type)},
        {"Parent Relationship", OPTISCHEMA_TEXT(parent_relationship)},
        {"Subplan Name", OPTISCHEMA_TEXT(subplan_name)},
        {"Relation Name", OPTISCHEMA_TEXT(relation)},
        {"Schema", OPTISCHEMA_TEXT(schema)},
        {"Alias", OPTISCHEMA_TEXT(alias)},
        {"Index Name", OPTISCHEMA_TEXT(index_name)},
        {"CTE Name", OPTISCHEMA_TEXT(cte_name)},
        {"Function Name", OPTISCHEMA_TEXT(function_name)},
        {"Join Type", OPTISCHEMA_TEXT(join_type)},
        {"Strategy", OPTISCHEMA_TEXT(strategy)},
        {"Operation", OPTISCHEMA_TEXT(operation)},
        {"Scan Direction", OPTISCHEMA_TEXT(scan_direction)},
        {"Parallel Aware", [](PlanNode& n, const json& v) { n.parallel_aware = v.is_boolean() && v.get<bool>(); }},
        {"Inner Unique", [](PlanNode& n, const json& v) { n.inner_unique = v.is_boolean() && v.get<bool>(); }},
        {"Startup Cost", OPTISCHEMA_NUM(startup_cost)},
        {"Total Cost", OPTISCHEMA_NUM(total_cost)},
        {"Plan Rows", OPTISCHEMA_NUM(plan_rows)},
        {"Plan Width", [](PlanNode& n, const json& v) { n.plan_width = static_cast<int>(Integer(v)); }},
        {"Actual Startup Time", OPTISCHEMA_NUM(actual_startup_ms)},
        {"Actual Total Time", OPTISCHEMA_NUM(actual_total_ms)},
        {"Actual Rows", OPTISCHEMA_NUM(actual_rows)},
        {"Actual Loops", OPTISCHEMA_NUM(actual_loops)},
        {"Filter", OPTISCHEMA_TEXT(filter)},
        {"Join Filter", OPTISCHEMA_TEXT(join_filter)},
        {"Index Cond", OPTISCHEMA_TEXT(index_cond)},
        {"Recheck Cond", OPTISCHEMA_TEXT(recheck_cond)},
        {"Hash Cond", OPTISCHEMA_TEXT(hash_cond)},
        {"Merge Cond", OPTISCHEMA_TEXT(merge_cond)},
        {"Output", [](PlanNode& n, const json& v) { n.output = TextList(v); }},
        {"Sort Key", [](PlanNode& n, const json& v) { n.sort_key = TextList(v); }},
        {"Group Key", [](PlanNode& n, const json& v) { n.group_key = TextList(v); }},
        {"Rows Removed by Filter", OPTISCHEMA_NUM(rows_removed_by_filter)},
        {"Rows Removed by Join Filter", OPTISCHEMA_NUM(rows_removed_by_join_filter)},
        {"Rows Removed by Index Recheck", OPTISCHEMA_NUM(rows_removed_by_index_recheck)},
        {"Heap Fetches", OPTISCHEMA_NUM(heap_fetches)},
        {"Exact Heap Blocks", OPTISCHEMA_NUM(exact_heap_blocks)},
        {"Lossy Heap Blocks", OPTISCHEMA_NUM(lossy_heap_blocks)},
        {"Sort Method", OPTISCHEMA_TEXT(sort_method)},
        {"Sort Space Type", OPTISCHEMA_TEXT(sort_space_type)},
        {"Sort Space Used", OPTISCHEMA_INT(sort_space_kb)},
        {"Hash Buckets", OPTISCHEMA_INT(hash_buckets)},
        {"Original Hash Buckets", OPTISCHEMA_INT(original_hash_buckets)},
        {"Hash Batches", OPTISCHEMA_INT(hash_batches)},
        {"Original Hash Batches", OPTISCHEMA_INT(original_hash_batches)},
        {"Peak Memory Usage", OPTISCHEMA_INT(peak_memory_kb)},
        {"HashAgg Batches", OPTISCHEMA_INT(hashagg_batches)},
        {"Disk Usage", OPTISCHEMA_INT(disk_usage_kb)},
        {"Workers Planned", [](PlanNode& n, const json& v) { n.workers_planned = static_cast<int>(Integer(v)); }},
        {"Workers Launched", [](PlanNode& n, const json& v) { n.workers_launched = static_cast<int>(Integer(v)); }},
        {"Shared Hit Blocks", OPTISCHEMA_BUF(shared_hit)},
        {"Shared Read Blocks", OPTISCHEMA_BUF(shared_read)},
        {"Shared Dirtied Blocks", OPTISCHEMA_BUF(shared_dirtied)},
        {"Shared Written Blocks", OPTISCHEMA_BUF(shared_written)},
        {"Local Hit Blocks", OPTISCHEMA_BUF(local_hit)},
        {"Local Read Blocks", OPTISCHEMA_BUF(local_read)},
        {"Local Dirtied Blocks", OPTISCHEMA_BUF(local_dirtied)},
        {"Local Written Blocks", OPTISCHEMA_BUF(local_written)},
        {"Temp Read Blocks", OPTISCHEMA_BUF(temp_read)},
        {"Temp Written Blocks", OPTISCHEMA_BUF(temp_written)},
        // Until PostgreSQL 16 "I/O Read Time" covers shared and local blocks; 17 splits them.
        {"I/O Read Time", OPTISCHEMA_BUF_MS(io_read_ms)},
        {"I/O Write Time", OPTISCHEMA_BUF_MS(io_write_ms)},
        {"Shared I/O Read Time", OPTISCHEMA_BUF_MS(io_read_ms)},
        {"Shared I/O Write Time", OPTISCHEMA_BUF_MS(io_write_ms)},
        {"Temp I/O Read Time", OPTISCHEMA_BUF_MS(temp_io_read_ms)},
        {"Temp I/O Write Time", OPTISCHEMA_BUF_MS(temp_io_write_ms)},
        {"WAL Records", OPTISCHEMA_INT(wal_records)},
        {"WAL FPI", OPTISCHEMA_INT(wal_fpi)},
        {"WAL Bytes", OPTISCHEMA_INT(wal_bytes)},
    };
    return setters;
}

#undef OPTISCHEMA_TEXT
#undef OPTISCHEMA_NUM
#undef OPTISCHEMA_INT
#undef OPTISCHEMA_BUF
#undef OPTISCHEMA_BUF_MS

constexpr std::size_t kMaxDepth = 500;  // PostgreSQL plans are far shallower; this bounds recursion

Result<void> ParseNode(const json& body, PlanNode& node, std::size_t depth) {
    if (!body.is_object()) return MakeError(ErrorCode::kParseError, "EXPLAIN JSON: a plan node is not an object");
    if (depth > kMaxDepth) return MakeError(ErrorCode::kParseError, "EXPLAIN JSON: plan nested too deeply");
    const auto& setters = NodeSetters();
    for (const auto& [key, value] : body.items()) {
        if (key == "Plans") {
            if (!value.is_array()) return MakeError(ErrorCode::kParseError, "EXPLAIN JSON: \"Plans\" is not a list");
            node.children.resize(value.size());
            for (std::size_t i = 0; i < value.size(); ++i) {
                if (auto ok = ParseNode(value[i], node.children[i], depth + 1); !ok) return ok;
            }
        } else if (auto it = setters.find(key); it != setters.end()) {
            it->second(node, value);
        } else {
            node.extra.emplace_back(key, value.dump());
        }
    }
    if (node.node_type.empty())
        return MakeError(ErrorCode::kParseError, "EXPLAIN JSON: a plan node has no \"Node Type\"");
    return {};
}

// JIT "Timing" values are numbers up to PostgreSQL 16; 17 makes "Generation" an object with "Total".
double TimingValue(const json& timing, const char* key) {
    auto it = timing.find(key);
    if (it == timing.end()) return 0;
    if (it->is_object()) return it->contains("Total") ? Number((*it)["Total"]) : 0;
    return Number(*it);
}

model::JitSummary ParseJit(const json& j) {
    model::JitSummary jit;
    if (j.contains("Functions")) jit.functions = static_cast<int>(Integer(j["Functions"]));
    if (j.contains("Timing") && j["Timing"].is_object()) {
        const json& t = j["Timing"];
        jit.generation_ms = TimingValue(t, "Generation");
        jit.inlining_ms = TimingValue(t, "Inlining");
        jit.optimization_ms = TimingValue(t, "Optimization");
        jit.emission_ms = TimingValue(t, "Emission");
        jit.total_ms = TimingValue(t, "Total");
    }
    return jit;
}

void AssignIds(PlanNode& node, std::size_t& next) {
    node.id = next++;
    for (auto& c : node.children) AssignIds(c, next);
}

bool IsCteDefinition(const PlanNode& n) {
    return n.parent_relationship == "InitPlan" && n.subplan_name.starts_with("CTE ");
}

// Inclusive time of every node, all loops, as wall-clock time: below a Gather the loops are shared
// by `workers` processes running at once.
void Inclusive(PlanNode& node, int workers) {
    node.worker_count = workers;
    const double loops = node.actual_loops.value_or(0);
    node.inclusive_ms = node.actual_total_ms ? *node.actual_total_ms * loops / workers : 0;
    int child_workers = workers;
    if (node.node_type == "Gather" || node.node_type == "Gather Merge") {
        child_workers = node.workers_launched.value_or(node.workers_planned.value_or(0)) + 1;
    }
    for (auto& c : node.children) Inclusive(c, child_workers);
}

void CollectCtes(PlanNode& node, std::map<std::string, PlanNode*>& ctes, std::vector<PlanNode*>& scans) {
    if (IsCteDefinition(node)) ctes[node.subplan_name.substr(4)] = &node;
    if (node.node_type == "CTE Scan") scans.push_back(&node);
    for (auto& c : node.children) CollectCtes(c, ctes, scans);
}

void Exclusive(PlanNode& node) {
    double children_ms = 0;
    for (auto& c : node.children) {
        Exclusive(c);
        // A CTE runs when a CTE Scan first reads it, so its time is inside that scan, not here.
        if (!IsCteDefinition(c)) children_ms += c.inclusive_ms;
    }
    node.exclusive_ms = std::max(0.0, node.inclusive_ms - children_ms);
}

}  // namespace

Result<model::Plan> ParsePlan(std::string_view json_text) {
    json doc = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) {
        return MakeError(ErrorCode::kParseError,
                         "not valid JSON: pass the output of EXPLAIN (FORMAT JSON), e.g. EXPLAIN (ANALYZE, BUFFERS, "
                         "FORMAT JSON) SELECT ...");
    }
    // EXPLAIN prints a one-element array; accept the bare object too.
    if (doc.is_array()) {
        if (doc.empty()) return MakeError(ErrorCode::kParseError, "EXPLAIN JSON is an empty list");
        doc = doc[0];
    }
    if (!doc.is_object() || !doc.contains("Plan")) {
        return MakeError(ErrorCode::kParseError,
                         "EXPLAIN JSON has no \"Plan\": pass the output of EXPLAIN (FORMAT JSON)");
    }
    model::Plan plan;
    for (const auto& [key, value] : doc.items()) {
        if (key == "Plan") {
            if (auto ok = ParseNode(value, plan.root, 0); !ok) return tl::unexpected(ok.error());
        } else if (key == "Planning Time") {
            plan.planning_ms = Number(value);
        } else if (key == "Execution Time") {
            plan.execution_ms = Number(value);
        } else if (key == "JIT" && value.is_object()) {
            plan.jit = ParseJit(value);
        } else if (key == "Settings" && value.is_object()) {
            for (const auto& [name, setting] : value.items()) plan.settings.emplace_back(name, Text(setting));
        } else if (key == "Triggers" && value.is_array()) {
            for (const auto& t : value) {
                // EXPLAIN writes an object per trigger; anything else (or a name that is no string) is not
                // one, and nlohmann's value() would throw on it.
                if (!t.is_object()) continue;
                model::TriggerTime trigger;
                if (t.contains("Trigger Name")) trigger.name = Text(t["Trigger Name"]);
                if (t.contains("Relation")) trigger.relation = Text(t["Relation"]);
                if (t.contains("Time")) trigger.time_ms = Number(t["Time"]);
                if (t.contains("Calls")) trigger.calls = Number(t["Calls"]);
                plan.triggers.push_back(std::move(trigger));
            }
        } else {
            plan.extra.emplace_back(key, value.dump());
        }
    }
    plan.analyzed = plan.root.actual_loops.has_value();
    DeriveTimes(plan);
    return plan;
}

void DeriveTimes(model::Plan& plan) {
    std::size_t next = 0;
    AssignIds(plan.root, next);
    if (!plan.analyzed) return;
    Inclusive(plan.root, 1);
    std::map<std::string, PlanNode*> ctes;
    std::vector<PlanNode*> scans;
    CollectCtes(plan.root, ctes, scans);
    Exclusive(plan.root);
    // Charge each CTE's time to the scans that read it, the first scans first (they ran it).
    for (auto& [name, cte] : ctes) {
        double remaining = cte->inclusive_ms;
        for (PlanNode* scan : scans) {
            if (scan->cte_name != name || remaining <= 0) continue;
            const double taken = std::min(remaining, scan->exclusive_ms);
            scan->exclusive_ms -= taken;
            remaining -= taken;
        }
    }
}

std::vector<const model::PlanNode*> Flatten(const model::Plan& plan) {
    std::vector<const PlanNode*> out;
    std::vector<const PlanNode*> stack{&plan.root};
    while (!stack.empty()) {
        const PlanNode* n = stack.back();
        stack.pop_back();
        out.push_back(n);
        for (auto it = n->children.rbegin(); it != n->children.rend(); ++it) stack.push_back(&*it);
    }
    return out;
}

}  // namespace optischema::analyzer
