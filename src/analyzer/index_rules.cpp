#include <algorithm>
#include <set>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "analyzer/internal/condition.hpp"
#include "analyzer/internal/index_columns.hpp"
#include "analyzer/internal/rules.hpp"
#include "analyzer/plan.hpp"
#include "common/format.hpp"
#include "common/quote.hpp"

namespace optischema::analyzer::internal {
namespace {

// A scan "keeps few rows" when it returns at most this share of the rows it reads.
constexpr double kFewRowsShare = 0.02;
constexpr double kRemovedMin = 10'000;
constexpr double kRemovedFactor = 10;
constexpr double kNonSargableKeptShare = 0.1;
constexpr double kNonSargableMinRows = 1'000;

}  // namespace

// 14. non_sargable, before seq_scan_few_rows: a scan whose filter wraps the column is explained by it.
void NonSargable(Context& ctx) {
    if (ctx.query == nullptr) return;
    std::set<std::pair<std::size_t, std::string>> seen;
    for (const ColumnUse& use : ctx.query->columns) {
        if (use.expression.empty() || use.op.empty() || use.relation.empty()) continue;
        if (use.clause != ClauseKind::kWhere && use.clause != ClauseKind::kJoin) continue;
        for (const PlanNode* scan : ctx.nodes) {
            if (scan->relation != use.relation || scan->filter.empty()) continue;
            if (!ContainsWord(scan->filter, use.column)) continue;
            if (!seen.emplace(scan->id, use.expression).second) continue;
            const double kept = RowsOut(*scan);
            const double scanned = RowsScanned(*scan);
            Severity severity;
            double impact = 0;
            if (ctx.Analyzed()) {
                // Only a selective predicate would gain from an index.
                if (scanned < kNonSargableMinRows || kept > kNonSargableKeptShare * scanned) continue;
                impact = scan->exclusive_ms;
                severity = ctx.TimeSeverity(impact);
            } else {
                if (!IsSeqScan(*scan)) continue;
                severity = ctx.CostSeverity(scan->total_cost);
            }
            ctx.claimed.insert(scan->id);
            Finding f = Make("non_sargable", *scan);
            f.severity = severity;
            f.impact_ms = impact;
            f.evidence.emplace_back("expression", use.expression);
            f.evidence.emplace_back("filter", scan->filter);
            if (ctx.Analyzed()) {
                f.evidence.emplace_back("rows_scanned", scanned);
                f.evidence.emplace_back("rows_kept", kept);
                AddTime(f, *scan, ctx);
            }
            const std::string bare = BareExpression(use);
            const bool is_cast = bare.find("::") != std::string::npos;
            f.message = fmt::format(
                "The predicate wraps {}.{} in `{}`, so a plain index on {} cannot be used and {} evaluates the "
                "expression on every row{}.",
                use.relation, use.column, use.expression, use.column, NodeLabel(*scan),
                ctx.Analyzed() ? fmt::format(" ({} rows read to keep {}, {})", ThousandsSeparated(scanned),
                                             ThousandsSeparated(kept), Ms(scan->exclusive_ms))
                               : "");
            const bool date_cast =
                is_cast && bare.ends_with("::date") && use.op == "=" && use.operand.kind == Operand::Kind::kConstant;
            if (date_cast) {
                const std::string lit = QuoteLiteral(use.operand.text) + "::date";
                f.suggestion = fmt::format(
                    "Compare the bare column with a range so the index on {col} is usable (same result):\n"
                    "WHERE {col} >= {lit} AND {col} < {lit} + 1\n"
                    "and, if {rel} has no index on {col} yet:\n"
                    "CREATE INDEX CONCURRENTLY ON {rel} ({col});",
                    fmt::arg("col", QuoteIdent(use.column)), fmt::arg("lit", lit),
                    fmt::arg("rel", QuotedRelation(*scan)));
            } else if (is_cast) {
                f.suggestion = fmt::format(
                    "Compare the bare column with a value of its own type (cast the other side instead), or, if the "
                    "cast is immutable, index the expression:\nCREATE INDEX CONCURRENTLY ON {} (({}));",
                    QuotedRelation(*scan), bare);
            } else {
                f.suggestion = fmt::format(
                    "Index the expression exactly as the query writes it:\nCREATE INDEX CONCURRENTLY ON {} (({}));\n"
                    "(or store the normalised value in its own column and index that).",
                    QuotedRelation(*scan), bare);
            }
            ctx.out.push_back(std::move(f));
        }
    }
}

// 1. seq_scan_few_rows
void SeqScanFewRows(Context& ctx) {
    if (!ctx.Analyzed()) return;
    for (const PlanNode* n : ctx.nodes) {
        if (!IsSeqScan(*n) || n->filter.empty() || Loops(*n) <= 0 || ctx.claimed.contains(n->id)) continue;
        const double kept = RowsOut(*n);
        const double removed = RemovedByFilter(*n);
        const double scanned = kept + removed;
        if (scanned < kLargeScanRows || kept > kFewRowsShare * scanned) continue;
        ctx.claimed.insert(n->id);
        Finding f = Make("seq_scan_few_rows", *n);
        ctx.Charge(f, n->exclusive_ms);
        f.evidence.emplace_back("rows_scanned", scanned);
        f.evidence.emplace_back("rows_kept", kept);
        f.evidence.emplace_back("rows_removed_by_filter", removed);
        f.evidence.emplace_back("loops", Loops(*n));
        f.evidence.emplace_back("filter", n->filter);
        AddTime(f, *n, ctx);
        f.message = fmt::format(
            "{} reads {} rows to keep {} ({}): the table is read in full because no index matches the filter {}. "
            "It takes {} ({} of the query).",
            NodeLabel(*n), ThousandsSeparated(scanned), ThousandsSeparated(kept), Pct(scanned > 0 ? kept / scanned : 0),
            n->filter, Ms(n->exclusive_ms), Pct(ctx.Share(n->exclusive_ms)));
        const auto cols = FilterColumns(*n, n->filter, ctx.query);
        f.suggestion = cols.empty()
                           ? fmt::format("Add an index on {} matching the filter {}.", QuotedRelation(*n), n->filter)
                           : CreateIndexSql(*n, cols);
        ctx.out.push_back(std::move(f));
    }
}

// 5. nested_loop_inner_scan
void NestedLoopInnerScan(Context& ctx) {
    for (const PlanNode* nl : ctx.nodes) {
        if (nl->node_type != "Nested Loop") continue;
        const PlanNode* outer = nullptr;
        const PlanNode* inner = nullptr;
        for (const PlanNode& c : nl->children) {
            if (c.parent_relationship == "Outer" && outer == nullptr) outer = &c;
            if (c.parent_relationship == "Inner" && inner == nullptr) inner = &c;
        }
        if (outer == nullptr || inner == nullptr || inner->relation.empty()) continue;
        const bool unindexed_scan =
            IsSeqScan(*inner) || (inner->node_type.ends_with("Scan") && !inner->filter.empty() &&
                                  inner->index_cond.empty() && inner->recheck_cond.empty());
        if (!unindexed_scan) continue;
        double loops = 0;
        double scanned = 0;
        Severity severity;
        double impact = 0;
        if (ctx.Analyzed()) {
            loops = Loops(*inner);
            scanned = RowsScanned(*inner);
            if (loops < 2 || scanned < kLargeScanRows || (loops < kManyLoops && scanned < 10 * kLargeScanRows))
                continue;
            // With an index on the inner key, the repeated scans and the join filter both go away.
            impact = std::max(0.0, nl->inclusive_ms - outer->inclusive_ms);
            severity = ctx.TimeSeverity(impact);
        } else {
            loops = outer->plan_rows;
            if (loops < kManyLoops) continue;
            severity = ctx.CostSeverity(nl->total_cost - outer->total_cost);
        }
        ctx.claimed.insert(nl->id);
        ctx.claimed.insert(inner->id);
        Finding f = Make("nested_loop_inner_scan", *nl);
        f.relation = QualifiedRelation(*inner);
        f.severity = severity;
        f.impact_ms = impact;
        f.evidence.emplace_back("inner_node", NodeLabel(*inner));
        f.evidence.emplace_back(ctx.Analyzed() ? "inner_loops" : "estimated_inner_loops", loops);
        if (ctx.Analyzed()) {
            f.evidence.emplace_back("inner_rows_scanned", scanned);
            f.evidence.emplace_back("rows_removed_by_join_filter", RemovedByJoinFilter(*nl));
            f.evidence.emplace_back("inner_ms", inner->inclusive_ms);
        }
        if (!nl->join_filter.empty()) f.evidence.emplace_back("join_filter", nl->join_filter);
        if (!inner->filter.empty()) f.evidence.emplace_back("inner_filter", inner->filter);
        f.message = fmt::format(
            "The nested loop runs {} once per outer row: {} times{}. Each run reads the table again because "
            "no index matches the join condition.",
            NodeLabel(*inner), ThousandsSeparated(loops),
            ctx.Analyzed()
                ? fmt::format(", {} rows read in all, {} for the join", ThousandsSeparated(scanned), Ms(impact))
                : "");
        // The inner join key: ParsedQuery join uses of the inner relation, else its columns in the conditions.
        IndexColumns cols;
        const std::string conditions = nl->join_filter + " " + inner->filter;
        if (ctx.query != nullptr) {
            for (const ColumnUse& use : ctx.query->columns) {
                if (use.relation != inner->relation || !use.expression.empty() || use.op != "=") continue;
                if (use.operand.kind != Operand::Kind::kColumn || !ContainsWord(conditions, use.column)) continue;
                cols.Add(use.column, true);
            }
        }
        if (cols.Empty()) {
            for (const CondRef& ref : ConditionRefs(conditions)) {
                if (ref.qualifier.empty() ? ref.before == '(' && !ref.op_after.empty()
                                          : QualifierMatches(ref, *inner)) {
                    cols.Add(ref.column, true);
                }
            }
        }
        f.suggestion = cols.Empty() ? fmt::format("Add an index on the join column of {}.", QuotedRelation(*inner))
                                    : CreateIndexSql(*inner, cols.Columns());
        ctx.out.push_back(std::move(f));
    }
}

// 2. rows_removed_by_filter
void RowsRemovedByFilter(Context& ctx) {
    if (!ctx.Analyzed()) return;
    for (const PlanNode* n : ctx.nodes) {
        if (ctx.claimed.contains(n->id) || Loops(*n) <= 0) continue;
        const double removed_filter = RemovedByFilter(*n);
        const double removed_join = RemovedByJoinFilter(*n);
        const double removed = removed_filter + removed_join;
        const double kept = RowsOut(*n);
        if (removed < kRemovedMin || removed < kRemovedFactor * kept) continue;
        const bool by_join = removed_join > removed_filter;
        const std::string& condition = by_join ? n->join_filter : n->filter;
        Finding f = Make("rows_removed_by_filter", *n);
        ctx.Charge(f, n->exclusive_ms * removed / (removed + kept));
        f.evidence.emplace_back(by_join ? "rows_removed_by_join_filter" : "rows_removed_by_filter",
                                by_join ? removed_join : removed_filter);
        f.evidence.emplace_back("rows_kept", kept);
        f.evidence.emplace_back("loops", Loops(*n));
        f.evidence.emplace_back(by_join ? "join_filter" : "filter", condition);
        AddTime(f, *n, ctx);
        f.message = fmt::format(
            "{} discards {} rows with the {} {} and keeps {}{}: the rows are produced only to be thrown away ({}).",
            NodeLabel(*n), ThousandsSeparated(removed), by_join ? "join filter" : "filter", condition,
            ThousandsSeparated(kept), Loops(*n) > 1 ? fmt::format(" over {} loops", ThousandsSeparated(Loops(*n))) : "",
            Ms(n->exclusive_ms));
        if (!by_join && !n->relation.empty()) {
            // The index should serve the filter together with the existing index condition.
            std::vector<std::string> cols = FilterColumns(*n, n->filter, ctx.query);
            f.suggestion = cols.empty() ? fmt::format("Add an index on {} that covers the filter {}.",
                                                      QuotedRelation(*n), n->filter)
                                        : CreateIndexSql(*n, cols);
            if (!n->index_name.empty() && !cols.empty()) {
                f.suggestion += fmt::format(" -- {} does not cover {}", n->index_name, n->filter);
            }
        } else if (by_join) {
            f.suggestion = fmt::format(
                "Turn the join filter {} into an equality the planner can hash, merge or look up by index (e.g. "
                "compare bare columns, index the inner join column), or pre-filter each side before joining.",
                condition);
        } else {
            f.suggestion =
                fmt::format("Apply the condition {} earlier (before this node) so fewer rows reach it.", condition);
        }
        ctx.out.push_back(std::move(f));
    }
}

}  // namespace optischema::analyzer::internal
