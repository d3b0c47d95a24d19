#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace optischema::model {

enum class Severity { kLow, kMedium, kHigh };

/// One number or fact backing a finding, e.g. {"rows_removed_by_filter", 998734.0}.
using EvidenceValue = std::variant<double, std::string>;

/// A bottleneck found in a plan: which rule, where, the plan's own numbers, and what to do.
struct Finding {
    std::string rule;  // stable id, e.g. "seq_scan_few_rows"
    Severity severity = Severity::kLow;
    std::size_t node_id = 0;  // PlanNode::id the finding points at
    std::string node;         // the node's label, e.g. "Seq Scan on public.orders"
    std::string relation;     // "schema.table" when the node reads one; empty otherwise
    std::vector<std::pair<std::string, EvidenceValue>> evidence;
    std::string message;     // what is wrong, in words a developer understands
    std::string suggestion;  // the concrete fix (SQL where possible)
    double impact_ms = 0;    // time attributable to the problem, for ranking (0 without ANALYZE)
};

/// "high", "medium" or "low".
[[nodiscard]] inline const char* SeverityName(Severity s) {
    switch (s) {
        case Severity::kHigh:
            return "high";
        case Severity::kMedium:
            return "medium";
        case Severity::kLow:
            return "low";
    }
    return "low";
}

}  // namespace optischema::model
