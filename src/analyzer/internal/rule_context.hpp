#pragma once

#include <cstddef>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "model/finding.hpp"
#include "model/parsed_query.hpp"
#include "model/plan.hpp"

/// What every plan rule shares: the analysis context, the plan's numbers summed over loops, and the
/// wording of times, shares and sizes. For the analyzer's rules only.
namespace optischema::analyzer::internal {

using model::ClauseKind;
using model::ColumnUse;
using model::Finding;
using model::Operand;
using model::PlanNode;
using model::Severity;

// A "large" scan reads at least this many rows.
inline constexpr double kLargeScanRows = 10'000;
// A node run at least this many times runs "once per row" of something.
inline constexpr double kManyLoops = 100;

/// One plan (and its query, when known) under analysis, and the findings so far. Not thread-safe;
/// refers to `plan` and `query`, which must outlive it.
struct Context {
    const model::Plan& plan;
    const model::ParsedQuery* query;
    std::vector<const PlanNode*> nodes;   // pre-order, index == id
    std::vector<const PlanNode*> parent;  // by id; null for the root
    double total_ms = 0;
    std::set<std::size_t> claimed;  // nodes whose filter problem a more specific rule already reported
    std::vector<Finding> out;

    /// Indexes the nodes of `p`; `q` may be null.
    Context(const model::Plan& p, const model::ParsedQuery* q);

    /// True when the plan was run (EXPLAIN ANALYZE): actual rows and times are known.
    [[nodiscard]] bool Analyzed() const { return plan.analyzed; }

    /// The node `n` hangs under; null for the root.
    [[nodiscard]] const PlanNode* Parent(const PlanNode& n) const;

    /// Severity from the time attributable: high when it is >= 30% of the query and >= 10 ms.
    [[nodiscard]] Severity TimeSeverity(double impact_ms) const;

    /// Sets the finding's impact_ms and the severity that much time earns (TimeSeverity).
    void Charge(Finding& f, double impact_ms) const;

    /// Without ANALYZE only costs are known: at most medium, when the cost is a large share.
    [[nodiscard]] Severity CostSeverity(double cost) const;

    /// `ms` as a share (0..1) of the query's time; 0 when that is unknown.
    [[nodiscard]] double Share(double ms) const { return total_ms > 0 ? ms / total_ms : 0; }

    /// `ms` as a percentage of the query's time, to one decimal, for evidence.
    [[nodiscard]] double SharePct(double ms) const;

    /// The value of a setting EXPLAIN (SETTINGS) reported; empty when it did not.
    [[nodiscard]] std::string SettingValue(std::string_view name) const;
};

// --- a node's numbers (PostgreSQL reports rows and "Rows Removed by ..." per loop)

inline double Loops(const PlanNode& n) { return n.actual_loops.value_or(0); }
inline double RowsOut(const PlanNode& n) { return n.actual_rows.value_or(0) * Loops(n); }
inline double RemovedByFilter(const PlanNode& n) { return n.rows_removed_by_filter * Loops(n); }
inline double RemovedByJoinFilter(const PlanNode& n) { return n.rows_removed_by_join_filter * Loops(n); }
/// Rows a scan read over all loops: those it kept and those its filter removed.
inline double RowsScanned(const PlanNode& n) { return RowsOut(n) + RemovedByFilter(n); }

inline bool IsSeqScan(const PlanNode& n) { return n.node_type == "Seq Scan" || n.node_type == "Parallel Seq Scan"; }
inline bool IsJoin(const PlanNode& n) {
    return n.node_type == "Nested Loop" || n.node_type == "Hash Join" || n.node_type == "Merge Join";
}

/// The first node at or below `node` that reads a relation, for a relation to name; null if none.
[[nodiscard]] const PlanNode* FirstScan(const PlanNode& node);

// --- findings

/// A finding of `rule` at `node`, with the node's label and relation filled in.
[[nodiscard]] Finding Make(std::string_view rule, const PlanNode& node);

/// Adds the node's own time and its share of the query to the evidence.
void AddTime(Finding& f, const PlanNode& node, const Context& ctx);

// --- wording

/// "3.2 ms", "45 ms".
[[nodiscard]] std::string Ms(double ms);

/// A share (0..1) as a percentage: "45%", "2.5%", "0.031%".
[[nodiscard]] std::string Pct(double share);

/// Memory in kB as whole MB rounded up, at least 1.
[[nodiscard]] long long RoundUpMb(double kb);

/// Memory in kB as MB: "1.5 MB", "120 MB".
[[nodiscard]] std::string Mb(double kb);

/// The node's relation, quoted for SQL: public."Order".
[[nodiscard]] std::string QuotedRelation(const PlanNode& n);

/// The column as the query writes it: "c.id", or "id" when unqualified.
[[nodiscard]] std::string QualifiedColumn(const ColumnUse& use);

/// The use's expression without its table qualifier, as an index or statistics definition writes it:
/// "lower(c.email)" -> "lower(email)".
[[nodiscard]] std::string BareExpression(const ColumnUse& use);

}  // namespace optischema::analyzer::internal
