#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace optischema::model {

/// Buffer and I/O counters of a plan node (EXPLAIN BUFFERS); inclusive of the node's children, as
/// PostgreSQL reports them. Block counts are 8 kB pages.
struct PlanBuffers {
    std::int64_t shared_hit = 0;
    std::int64_t shared_read = 0;
    std::int64_t shared_dirtied = 0;
    std::int64_t shared_written = 0;
    std::int64_t local_hit = 0;
    std::int64_t local_read = 0;
    std::int64_t local_dirtied = 0;
    std::int64_t local_written = 0;
    std::int64_t temp_read = 0;
    std::int64_t temp_written = 0;
    double io_read_ms = 0;  // "I/O Read Time" (shared + local before PostgreSQL 17, shared only from 17)
    double io_write_ms = 0;
    double temp_io_read_ms = 0;
    double temp_io_write_ms = 0;
};

/// One node of an EXPLAIN (FORMAT JSON) plan. Times in milliseconds; per-loop values as PostgreSQL
/// reports them unless the name says otherwise. Fields absent from the JSON keep their defaults.
struct PlanNode {
    // What the node is.
    std::string node_type;            // "Seq Scan", "Hash Join", "Aggregate", ...
    std::string parent_relationship;  // "Outer", "Inner", "Member", "InitPlan", "SubPlan", "Subquery"
    std::string subplan_name;         // "SubPlan 1", "InitPlan 1 (returns $0)", "CTE recent"
    std::string relation;             // "Relation Name"
    std::string schema;
    std::string alias;
    std::string index_name;
    std::string cte_name;
    std::string function_name;
    std::string join_type;  // "Inner", "Left", "Semi", "Anti", ...
    std::string strategy;   // aggregates: "Plain", "Sorted", "Hashed", "Mixed"
    std::string operation;  // ModifyTable: "Insert", "Update", "Delete"
    std::string scan_direction;
    bool parallel_aware = false;
    bool inner_unique = false;

    // Planner estimates.
    double startup_cost = 0;
    double total_cost = 0;
    double plan_rows = 0;
    int plan_width = 0;

    // Actuals (EXPLAIN ANALYZE); empty without ANALYZE. A node that never ran has loops == 0.
    std::optional<double> actual_startup_ms;
    std::optional<double> actual_total_ms;
    std::optional<double> actual_rows;  // per loop
    std::optional<double> actual_loops;

    // Conditions as text.
    std::string filter;
    std::string join_filter;
    std::string index_cond;
    std::string recheck_cond;
    std::string hash_cond;
    std::string merge_cond;
    std::vector<std::string> output;
    std::vector<std::string> sort_key;
    std::vector<std::string> group_key;

    // Work done as PostgreSQL reports it: the three "Rows Removed" are per loop (like Actual Rows);
    // heap fetches and heap blocks are totals over all loops.
    double rows_removed_by_filter = 0;
    double rows_removed_by_join_filter = 0;
    double rows_removed_by_index_recheck = 0;
    std::optional<double> heap_fetches;
    double exact_heap_blocks = 0;
    double lossy_heap_blocks = 0;
    std::string sort_method;      // "quicksort", "top-N heapsort", "external merge", ...
    std::string sort_space_type;  // "Memory" or "Disk"
    std::int64_t sort_space_kb = 0;
    std::int64_t hash_buckets = 0;
    std::int64_t original_hash_buckets = 0;
    std::int64_t hash_batches = 0;
    std::int64_t original_hash_batches = 0;
    std::int64_t peak_memory_kb = 0;
    std::int64_t hashagg_batches = 0;  // "HashAgg Batches" (PostgreSQL 13+)
    std::int64_t disk_usage_kb = 0;    // "Disk Usage" of a spilling HashAggregate
    std::optional<int> workers_planned;
    std::optional<int> workers_launched;
    PlanBuffers buffers;
    bool has_buffers = false;
    std::int64_t wal_records = 0;
    std::int64_t wal_fpi = 0;
    std::int64_t wal_bytes = 0;

    /// Every property not mapped to a field above, as (name, JSON text): nothing a newer or older
    /// PostgreSQL emits is lost.
    std::vector<std::pair<std::string, std::string>> extra;

    std::vector<PlanNode> children;

    // Derived by the analyzer after parsing (see analyzer/plan.hpp).
    std::size_t id = 0;       // pre-order index, 0 for the root
    double inclusive_ms = 0;  // wall-clock time of this node and its children, all loops
    double exclusive_ms = 0;  // inclusive_ms minus the children's, never negative
    int worker_count = 1;     // processes sharing the node's loops (leader + launched workers)
};

/// JIT compilation summary (EXPLAIN ANALYZE with JIT).
struct JitSummary {
    int functions = 0;
    double generation_ms = 0;
    double inlining_ms = 0;
    double optimization_ms = 0;
    double emission_ms = 0;
    double total_ms = 0;
};

/// Time spent in one trigger (EXPLAIN ANALYZE of a write, e.g. foreign key checks).
struct TriggerTime {
    std::string name;
    std::string relation;
    double time_ms = 0;
    double calls = 0;
};

/// A whole EXPLAIN (FORMAT JSON) result.
struct Plan {
    PlanNode root;
    bool analyzed = false;  // actual times and rows present
    std::optional<double> planning_ms;
    std::optional<double> execution_ms;
    std::optional<JitSummary> jit;
    std::vector<TriggerTime> triggers;
    std::vector<std::pair<std::string, std::string>> settings;  // EXPLAIN SETTINGS: non-default planner settings
    std::vector<std::pair<std::string, std::string>> extra;     // other top-level properties, as JSON text
};

/// A short label for a node, as EXPLAIN's text format names it: "Seq Scan on public.orders o",
/// "Hash Left Join", "Index Scan using x on t".
[[nodiscard]] std::string NodeLabel(const PlanNode& node);

/// The node's relation as "schema.table" (or "table" when the plan has no schema); empty when none.
[[nodiscard]] std::string QualifiedRelation(const PlanNode& node);

}  // namespace optischema::model
