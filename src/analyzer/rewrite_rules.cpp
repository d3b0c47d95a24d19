#include <algorithm>
#include <charconv>
#include <optional>
#include <set>
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

constexpr double kLargeOffset = 1'000;

std::optional<double> ConstantNumber(const std::optional<Operand>& operand) {
    if (!operand || operand->kind != Operand::Kind::kConstant) return std::nullopt;
    double value = 0;
    const std::string& t = operand->text;
    const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
    if (ec != std::errc() || ptr != t.data() + t.size()) return std::nullopt;
    return value;
}

}  // namespace

// 11. large_offset
void LargeOffset(Context& ctx) {
    const std::optional<double> query_offset = ctx.query != nullptr ? ConstantNumber(ctx.query->offset) : std::nullopt;
    if (query_offset && *query_offset < kLargeOffset) return;
    // The Limit node that discards the most rows (OFFSET makes it read rows it then drops).
    const PlanNode* limit = nullptr;
    double discarded = 0;
    for (const PlanNode* n : ctx.nodes) {
        if (n->node_type != "Limit" || n->children.empty()) continue;
        const double d = ctx.Analyzed() ? RowsOut(n->children.front()) - RowsOut(*n) : 0;
        if (limit == nullptr || d > discarded) {
            limit = n;
            discarded = d;
        }
    }
    if (!query_offset && discarded < kLargeOffset) return;
    const PlanNode& at = limit != nullptr ? *limit : ctx.plan.root;
    Finding f = Make("large_offset", at);
    const double offset = query_offset.value_or(discarded);
    if (ctx.Analyzed() && limit != nullptr) {
        const double child_rows = RowsOut(limit->children.front());
        ctx.Charge(f, child_rows > 0 ? limit->inclusive_ms * std::min(1.0, discarded / child_rows) : 0);
        f.evidence.emplace_back("rows_read", child_rows);
        f.evidence.emplace_back("rows_returned", RowsOut(*limit));
        f.evidence.emplace_back("rows_discarded", discarded);
    } else {
        f.severity = Severity::kMedium;
    }
    if (query_offset) f.evidence.emplace_back("offset", *query_offset);
    f.message = fmt::format(
        "OFFSET {} makes the server produce and throw away {} rows before returning the page{}; each later page "
        "costs more than the one before.",
        ThousandsSeparated(offset), ThousandsSeparated(ctx.Analyzed() && limit != nullptr ? discarded : offset),
        f.impact_ms > 0 ? fmt::format(" ({})", Ms(f.impact_ms)) : "");
    // Keyset pagination on the ORDER BY columns.
    std::vector<const ColumnUse*> order;
    if (ctx.query != nullptr) {
        for (const ColumnUse& use : ctx.query->columns) {
            if (use.clause == ClauseKind::kOrderBy && use.expression.empty()) order.push_back(&use);
        }
    }
    const std::string limit_text = ctx.query != nullptr && ctx.query->limit ? ctx.query->limit->text : "n";
    if (order.empty()) {
        f.suggestion = fmt::format(
            "Use keyset pagination: remember the sort key of the last row shown and ask for the rows after it, e.g.\n"
            "WHERE id > $last_seen_id ORDER BY id LIMIT {}",
            limit_text);
    } else {
        std::string cols;
        std::string params;
        std::string order_by;
        bool mixed = false;
        for (const ColumnUse* use : order) {
            if (!cols.empty()) {
                cols += ", ";
                params += ", ";
                order_by += ", ";
            }
            cols += QualifiedColumn(*use);
            params += "$last_" + use->column;
            order_by += QualifiedColumn(*use) + (use->descending ? " DESC" : "");
            mixed = mixed || use->descending != order.front()->descending;
        }
        const bool desc = order.front()->descending;
        const std::string cmp = desc ? "<" : ">";
        f.suggestion = fmt::format(
            "Use keyset pagination instead of OFFSET: pass the sort key of the last row of the previous page and "
            "start after it (an index on the ORDER BY columns makes each page as cheap as the first):\n"
            "WHERE {} {} {} ORDER BY {} LIMIT {}{}",
            order.size() == 1 ? cols : "(" + cols + ")", cmp, order.size() == 1 ? params : "(" + params + ")", order_by,
            limit_text, mixed ? "\n(the ORDER BY mixes directions: write the comparison column by column)" : "");
        if (order.size() > 1 || order.front()->column != "id") {
            f.suggestion +=
                "\n(add a unique column such as the primary key as the last sort key if the others can tie)";
        }
    }
    ctx.out.push_back(std::move(f));
}

// 12. not_in_subquery
void NotInSubquery(Context& ctx) {
    if (ctx.query == nullptr) return;
    for (const ColumnUse& use : ctx.query->columns) {
        if (use.op != "IN" || !use.negated || use.operand.kind != Operand::Kind::kSubquery) continue;
        // The plan node that evaluates the NOT IN: its filter mentions a SubPlan.
        const PlanNode* at = nullptr;
        for (const PlanNode* n : ctx.nodes) {
            if (n->filter.find("SubPlan") != std::string::npos && n->filter.find("NOT") != std::string::npos) {
                at = n;
                break;
            }
        }
        const PlanNode* subplan = nullptr;
        if (at != nullptr) {
            for (const PlanNode& c : at->children) {
                if (c.parent_relationship == "SubPlan") subplan = &c;
            }
        }
        const bool hashed = at != nullptr && at->filter.find("hashed SubPlan") != std::string::npos;
        Finding f = Make("not_in_subquery", at != nullptr ? *at : ctx.plan.root);
        if (subplan != nullptr) ctx.claimed.insert(subplan->id);
        if (!hashed && subplan != nullptr && ctx.Analyzed()) {
            f.impact_ms = subplan->inclusive_ms;
            f.severity = std::max(Severity::kMedium, ctx.TimeSeverity(f.impact_ms));
        } else {
            f.severity = Severity::kMedium;
        }
        const std::string column = QualifiedColumn(use);
        f.evidence.emplace_back("column", column);
        if (at != nullptr) f.evidence.emplace_back("filter", at->filter);
        f.evidence.emplace_back("hashed_subplan", hashed ? "yes" : "no");
        if (subplan != nullptr && ctx.Analyzed()) {
            f.evidence.emplace_back("subplan_loops", Loops(*subplan));
            f.evidence.emplace_back("subplan_rows", subplan->actual_rows.value_or(0));
            f.evidence.emplace_back("subplan_ms", subplan->inclusive_ms);
        }
        f.message = fmt::format(
            "`{} NOT IN (SELECT ...)` returns no rows at all as soon as the subquery yields one NULL, and the planner "
            "cannot turn it into an anti-join: it runs as a {}.",
            column,
            hashed ? "hashed SubPlan, which is fine only while the subquery's result fits in work_mem (beyond that "
                     "it is re-scanned for every row)"
                   : "SubPlan re-executed for every outer row");
        // The subquery's selected column, when EXPLAIN VERBOSE shows it.
        std::string inner = "<subquery column>";
        std::string inner_rel = "<subquery table>";
        if (subplan != nullptr) {
            if (!subplan->output.empty()) inner = subplan->output.front();
            if (const PlanNode* s = FirstScan(*subplan)) inner_rel = QualifiedRelation(*s);
        }
        f.suggestion = fmt::format(
            "Rewrite as NOT EXISTS, which has the intended NULL semantics and plans as an anti-join:\n"
            "WHERE NOT EXISTS (SELECT 1 FROM {} WHERE {} = {} AND <the subquery's conditions>)",
            inner_rel, inner, column);
        ctx.out.push_back(std::move(f));
    }
}

// 13. or_across_relations (the ParsedQuery has no OR groups, so the plan's join conditions tell)
void OrAcrossRelations(Context& ctx) {
    for (const PlanNode* n : ctx.nodes) {
        if (!IsJoin(*n)) continue;
        for (const std::string* cond : {&n->join_filter, &n->filter}) {
            const auto branches = OrBranches(*cond);
            if (branches.size() < 2) continue;
            std::vector<std::set<std::string>> qualifiers;
            std::set<std::string> all;
            for (const auto& b : branches) {
                std::set<std::string> q;
                for (const CondRef& ref : ConditionRefs(b)) {
                    if (!ref.qualifier.empty()) q.insert(ref.qualifier);
                }
                all.insert(q.begin(), q.end());
                qualifiers.push_back(std::move(q));
            }
            const bool differ = std::any_of(qualifiers.begin(), qualifiers.end(),
                                            [&](const auto& q) { return q != qualifiers.front(); });
            if (all.size() < 2 || !differ) continue;
            Finding f = Make("or_across_relations", *n);
            f.relation.clear();
            const bool join_filter = cond == &n->join_filter;
            const double removed = join_filter ? RemovedByJoinFilter(*n) : RemovedByFilter(*n);
            if (ctx.Analyzed()) {
                ctx.Charge(f, n->exclusive_ms);
                f.evidence.emplace_back(join_filter ? "rows_removed_by_join_filter" : "rows_removed_by_filter",
                                        removed);
                f.evidence.emplace_back("rows_kept", RowsOut(*n));
                AddTime(f, *n, ctx);
            } else {
                f.severity = ctx.CostSeverity(n->total_cost);
            }
            f.evidence.emplace_back(join_filter ? "join_filter" : "filter", *cond);
            std::string aliases;
            for (const auto& a : all) aliases += (aliases.empty() ? "" : ", ") + a;
            f.evidence.emplace_back("relations", aliases);
            ctx.claimed.insert(n->id);
            f.message = fmt::format(
                "The condition {} ORs columns of different tables ({}), so no single index can serve it: both "
                "tables are read in full and joined, and the OR is checked on every joined row{}.",
                *cond, aliases,
                ctx.Analyzed()
                    ? fmt::format(" ({} rows discarded, {})", ThousandsSeparated(removed), Ms(n->exclusive_ms))
                    : "");
            std::string split;
            for (std::size_t i = 0; i < branches.size(); ++i) {
                split += fmt::format("{}SELECT ... WHERE {}", i == 0 ? "" : "\nUNION\n", branches[i]);
            }
            f.suggestion = fmt::format(
                "Split the query into one SELECT per OR branch so each can use an index on its own table, and combine "
                "them with UNION (it removes duplicates; use UNION ALL with `AND NOT (<earlier branches>)` to keep "
                "them):\n{}",
                split);
            ctx.out.push_back(std::move(f));
            break;
        }
    }
}

// 15. correlated_subquery
void CorrelatedSubquery(Context& ctx) {
    if (!ctx.Analyzed()) return;
    for (const PlanNode* n : ctx.nodes) {
        if (n->parent_relationship != "SubPlan" || Loops(*n) < kManyLoops || ctx.claimed.contains(n->id)) continue;
        Finding f = Make("correlated_subquery", *n);
        if (f.relation.empty()) {
            if (const PlanNode* s = FirstScan(*n)) f.relation = QualifiedRelation(*s);
        }
        ctx.Charge(f, n->inclusive_ms);
        const double loops = Loops(*n);
        f.evidence.emplace_back("loops", loops);
        f.evidence.emplace_back("ms_per_loop", n->actual_total_ms.value_or(0));
        f.evidence.emplace_back("total_ms", n->inclusive_ms);
        f.evidence.emplace_back("share_of_query_pct", ctx.SharePct(n->inclusive_ms));
        f.message = fmt::format(
            "{} is a correlated subquery: it ran {} times, once per outer row, {} each, {} in all ({} of the "
            "query).",
            n->subplan_name.empty() ? "This SubPlan" : n->subplan_name, ThousandsSeparated(loops),
            Ms(n->actual_total_ms.value_or(0)), Ms(n->inclusive_ms), Pct(ctx.Share(n->inclusive_ms)));
        // The correlation: a condition inside the subplan comparing one of its columns with an outer one.
        const PlanNode* scan = nullptr;
        std::string inner_col;
        std::string outer_ref;
        bool in_index_cond = false;
        for (const PlanNode* d : ctx.nodes) {
            if (d->id <= n->id || d->relation.empty() || !inner_col.empty()) continue;
            bool below = false;
            for (const PlanNode* p = d; p != nullptr; p = ctx.Parent(*p)) below = below || p == n;
            if (!below) continue;
            for (const std::string* cond : {&d->index_cond, &d->filter}) {
                std::string own;
                std::string other;
                for (const CondRef& ref : ConditionRefs(*cond)) {
                    if (ref.qualifier.empty() || QualifierMatches(ref, *d)) {
                        if (own.empty()) own = ref.column;
                    } else if (other.empty()) {
                        other = ref.qualifier + "." + ref.column;
                    }
                }
                if (!own.empty() && !other.empty()) {
                    scan = d;
                    inner_col = own;
                    outer_ref = other;
                    in_index_cond = cond == &d->index_cond;
                    break;
                }
            }
        }
        if (scan != nullptr) {
            f.suggestion = fmt::format(
                "Compute it for all outer rows at once instead of once per row: join a grouped subquery, e.g.\n"
                "LEFT JOIN (SELECT {col}, ... FROM {rel} GROUP BY {col}) s ON s.{col} = {outer}\n"
                "or use LEFT JOIN LATERAL (...) ON true or a window function.",
                fmt::arg("col", QuoteIdent(inner_col)), fmt::arg("rel", QuotedRelation(*scan)),
                fmt::arg("outer", outer_ref));
            if (!in_index_cond) {
                f.suggestion +=
                    fmt::format("\nEach execution also filters {} without an index on the correlated column:\n{}",
                                QualifiedRelation(*scan), CreateIndexSql(*scan, {inner_col}));
            }
        } else {
            f.suggestion =
                "Compute it for all outer rows at once instead of once per row: rewrite it as a JOIN to a grouped "
                "subquery, a LEFT JOIN LATERAL (...) ON true, or a window function.";
        }
        ctx.out.push_back(std::move(f));
    }
}

}  // namespace optischema::analyzer::internal
