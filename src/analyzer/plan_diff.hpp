#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/plan.hpp"

namespace optischema::analyzer {

/// How one node changed between two plans of the same query.
struct NodeChange {
    enum class Kind { kSame, kChanged, kAdded, kRemoved };
    Kind kind = Kind::kSame;
    std::optional<std::size_t> before_id;
    std::optional<std::size_t> after_id;
    std::string before_label;  // NodeLabel in the old plan; empty when added
    std::string after_label;   // NodeLabel in the new plan; empty when removed
    double before_cost = 0;
    double after_cost = 0;
    double before_ms = 0;  // inclusive time, all loops (0 without ANALYZE)
    double after_ms = 0;
    double before_rows = 0;  // actual rows × loops with ANALYZE, else estimated rows
    double after_rows = 0;
    std::int64_t before_blocks = 0;  // shared hit + read
    std::int64_t after_blocks = 0;
};

/// "same", "changed", "added" or "removed".
[[nodiscard]] const char* NodeChangeName(NodeChange::Kind kind);

/// Two plans of one query compared: before/after an index or a rewrite.
struct PlanDiff {
    std::vector<NodeChange> nodes;  // in the new plan's order, then the removed nodes
    bool join_order_changed = false;
    std::vector<std::string> before_scan_order;  // relations in the order they are read
    std::vector<std::string> after_scan_order;
    double before_cost = 0;
    double after_cost = 0;
    std::optional<double> before_ms;  // execution time when both were analyzed
    std::optional<double> after_ms;
    std::int64_t before_blocks = 0;  // shared hit + read of the root
    std::int64_t after_blocks = 0;
};

/// Matches the nodes of two plans — scans by relation and alias, the other nodes by the set of
/// relations below them — and reports type changes, added and removed nodes, join order, and cost,
/// time, rows and buffer deltas. Pure.
[[nodiscard]] PlanDiff DiffPlans(const model::Plan& before, const model::Plan& after);

}  // namespace optischema::analyzer
