#include <algorithm>
#include <cctype>
#include <cmath>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "analyzer/internal/condition.hpp"
#include "analyzer/internal/index_columns.hpp"
#include "analyzer/internal/rules.hpp"
#include "analyzer/plan.hpp"
#include "common/format.hpp"
#include "common/quote.hpp"

namespace optischema::analyzer::internal {
namespace {

// An estimate is "off" when actual and planned rows differ by this factor, and either reaches kEstimateMinRows.
constexpr double kEstimateFactor = 10;
constexpr double kEstimateMinRows = 100;

bool UnderLimitOrEarlyStop(const Context& ctx, const PlanNode& n) {
    const PlanNode* child = &n;
    for (const PlanNode* p = ctx.Parent(n); p != nullptr; child = p, p = ctx.Parent(*p)) {
        if (p->node_type == "Limit") return true;
        if (p->node_type == "Merge Join" && child == &n) return true;
        if (p->node_type == "Nested Loop" && (p->join_type == "Semi" || p->join_type == "Anti") &&
            child->parent_relationship == "Inner") {
            return true;
        }
        // An EXISTS subplan stops at its first row.
        if (child->parent_relationship == "SubPlan" || child->parent_relationship == "InitPlan") return false;
    }
    return false;
}

double EstimateRatio(const PlanNode& n) {
    const double actual = n.actual_rows.value_or(0);
    const double planned = n.plan_rows;
    if (actual < kEstimateMinRows && planned < kEstimateMinRows) return 1;
    return std::max(actual, 1.0) >= std::max(planned, 1.0) ? std::max(actual, 1.0) / std::max(planned, 1.0)
                                                           : std::max(planned, 1.0) / std::max(actual, 1.0);
}

bool EstimateOff(const Context& ctx, const PlanNode& n) {
    return Loops(n) > 0 && EstimateRatio(n) >= kEstimateFactor && !UnderLimitOrEarlyStop(ctx, n);
}

// What would give the planner the statistics it lacked for `n`.
std::string StatisticsSuggestion(const Context& ctx, const PlanNode& n) {
    const PlanNode* scan = n.relation.empty() ? FirstScan(n) : &n;
    if (scan == nullptr) return "ANALYZE the tables this node reads so the planner has current statistics.";
    const std::string rel = QuotedRelation(*scan);
    const std::string condition = !n.filter.empty() ? n.filter : !n.index_cond.empty() ? n.index_cond : n.recheck_cond;
    const bool grouping = !n.group_key.empty();
    // Expressions (filtered on, or grouped by) have no statistics unless asked for (PostgreSQL 14+).
    std::vector<std::string> expressions;
    std::vector<std::string> group_columns;
    if (ctx.query != nullptr) {
        for (const ColumnUse& use : ctx.query->columns) {
            if (use.relation != scan->relation) continue;
            const bool filtered = (use.clause == ClauseKind::kWhere || use.clause == ClauseKind::kJoin) && scan == &n &&
                                  ContainsWord(condition, use.column);
            const bool grouped = grouping && use.clause == ClauseKind::kGroupBy;
            if (!filtered && !grouped) continue;
            if (!use.expression.empty()) {
                const std::string e = BareExpression(use);
                if (std::find(expressions.begin(), expressions.end(), e) == expressions.end()) expressions.push_back(e);
            } else if (grouped &&
                       std::find(group_columns.begin(), group_columns.end(), use.column) == group_columns.end()) {
                group_columns.push_back(use.column);
            }
        }
    }
    auto stats_name = [&](const std::vector<std::string>& parts) {
        std::string name = scan->relation;
        for (const auto& p : parts) {
            for (char c : "_" + p) {
                const char keep =
                    IsIdentChar(c) && c != '$' ? static_cast<char>(std::tolower(static_cast<unsigned char>(c))) : '_';
                if (keep != '_' || name.back() != '_') name += keep;
            }
            while (name.back() == '_') name.pop_back();
        }
        return QuoteIdent(name.substr(0, 50) + "_stats");
    };
    if (!expressions.empty()) {
        std::string list;
        for (const auto& e : expressions) list += (list.empty() ? "(" : ", (") + e + ")";
        return fmt::format(
            "PostgreSQL keeps no statistics on {} unless asked to (PostgreSQL 14+):\n"
            "CREATE STATISTICS {} ON {} FROM {};\nANALYZE {};",
            list, stats_name(expressions), list, rel, rel);
    }
    if (group_columns.size() >= 2) {
        return fmt::format(
            "The planner multiplies the distinct counts of the grouped columns; teach it how they combine:\n"
            "CREATE STATISTICS {} (ndistinct) ON {} FROM {};\nANALYZE {};",
            stats_name(group_columns), JoinQuoted(group_columns), rel, rel);
    }
    const auto cols = scan == &n ? FilterColumns(*scan, condition, ctx.query) : std::vector<std::string>{};
    if (cols.size() >= 2) {
        return fmt::format(
            "The filter combines {} columns that are probably correlated; the planner multiplies their "
            "selectivities. Teach it the dependency:\nCREATE STATISTICS {} (dependencies, mcv) ON {} FROM {};\n"
            "ANALYZE {};",
            cols.size(), stats_name(cols), JoinQuoted(cols), rel, rel);
    }
    if (cols.size() == 1) {
        return fmt::format(
            "ANALYZE {rel}; and if the estimate stays off, collect a finer histogram:\n"
            "ALTER TABLE {rel} ALTER COLUMN {col} SET STATISTICS 1000;\nANALYZE {rel};",
            fmt::arg("rel", rel), fmt::arg("col", QuoteIdent(cols.front())));
    }
    return fmt::format(
        "ANALYZE {rel}; if the estimate stays off, raise the statistics target of the columns involved "
        "(ALTER TABLE {rel} ALTER COLUMN ... SET STATISTICS 1000) or add CREATE STATISTICS for "
        "correlated columns or expressions.",
        fmt::arg("rel", rel));
}

}  // namespace

void RowEstimateOff(Context& ctx) {
    if (!ctx.Analyzed()) return;
    for (const PlanNode* n : ctx.nodes) {
        if (!EstimateOff(ctx, *n)) continue;
        // A misestimate inherited from a child is reported once, at the child.
        const bool under = n->actual_rows.value_or(0) > n->plan_rows;
        bool inherited = false;
        for (const PlanNode& c : n->children) {
            if (c.parent_relationship == "InitPlan" || c.parent_relationship == "SubPlan") continue;
            if (EstimateOff(ctx, c) && (c.actual_rows.value_or(0) > c.plan_rows) == under) inherited = true;
        }
        if (inherited) continue;
        const double ratio = EstimateRatio(*n);
        const double actual = n->actual_rows.value_or(0);
        Finding f = Make("row_estimate_off", *n);
        const PlanNode* consumer = ctx.Parent(*n);
        f.impact_ms = consumer != nullptr ? consumer->exclusive_ms : n->inclusive_ms;
        f.severity = ratio >= 100 || (under && RowsOut(*n) >= 1000) ? Severity::kMedium : Severity::kLow;
        f.evidence.emplace_back("plan_rows", n->plan_rows);
        f.evidence.emplace_back("actual_rows", actual);
        f.evidence.emplace_back("loops", Loops(*n));
        f.evidence.emplace_back("factor", std::round(ratio * 10) / 10);
        f.evidence.emplace_back("direction", under ? "underestimate" : "overestimate");
        if (!n->filter.empty()) f.evidence.emplace_back("filter", n->filter);
        f.message = fmt::format(
            "The planner expected {} rows from {} but got {} ({}x {}). Plan choices above it (join method, "
            "memory, parallelism) were made for the wrong row count.",
            ThousandsSeparated(n->plan_rows), NodeLabel(*n), ThousandsSeparated(actual), fmt::format("{:.0f}", ratio),
            under ? "more" : "fewer");
        f.suggestion = StatisticsSuggestion(ctx, *n);
        ctx.out.push_back(std::move(f));
    }
}

}  // namespace optischema::analyzer::internal
