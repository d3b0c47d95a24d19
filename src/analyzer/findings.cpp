#include "analyzer/findings.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "analyzer/plan.hpp"
#include "common/format.hpp"
#include "common/quote.hpp"

namespace optischema::analyzer {
namespace {

using model::ClauseKind;
using model::ColumnUse;
using model::EvidenceValue;
using model::Finding;
using model::Operand;
using model::ParsedQuery;
using model::Plan;
using model::PlanNode;
using model::Severity;

constexpr std::array kRules = {
    RuleInfo{"seq_scan_few_rows", "Sequential scan of a large table keeps few rows"},
    RuleInfo{"rows_removed_by_filter", "Many rows read and then discarded by a filter"},
    RuleInfo{"row_estimate_off", "Planner row estimate off by 10x or more"},
    RuleInfo{"sort_spill", "Sort spilled to disk"},
    RuleInfo{"hash_spill", "Hash or hash aggregate spilled to disk in batches"},
    RuleInfo{"nested_loop_inner_scan", "Nested loop repeats a scan of its inner side"},
    RuleInfo{"heap_fetches", "Index-only scan fetches rows from the heap"},
    RuleInfo{"lossy_bitmap", "Bitmap heap scan went lossy"},
    RuleInfo{"cold_reads", "Data read from disk rather than shared buffers"},
    RuleInfo{"workers_not_launched", "Parallel workers planned but not launched"},
    RuleInfo{"jit_overhead", "JIT compilation takes a large share of the execution"},
    RuleInfo{"large_offset", "Pagination with a large OFFSET"},
    RuleInfo{"not_in_subquery", "NOT IN (subquery)"},
    RuleInfo{"or_across_relations", "OR across columns of different tables"},
    RuleInfo{"non_sargable", "Function or cast around a filtered column"},
    RuleInfo{"correlated_subquery", "Correlated subquery executed once per row"},
};

// Thresholds. A "large" scan reads at least kLargeScanRows rows; a scan "keeps few rows" when it
// returns at most kFewRowsShare of them.
constexpr double kLargeScanRows = 10'000;
constexpr double kFewRowsShare = 0.02;
constexpr double kRemovedMin = 10'000;
constexpr double kRemovedFactor = 10;
constexpr double kEstimateFactor = 10;
constexpr double kEstimateMinRows = 100;
constexpr double kManyLoops = 100;
constexpr double kHeapFetchShare = 0.1;
constexpr double kHeapFetchMin = 1'000;
constexpr std::int64_t kColdReadBlocks = 1'000;
constexpr double kJitShare = 0.2;
constexpr double kJitMinMs = 10;
constexpr double kLargeOffset = 1'000;
constexpr double kNonSargableKeptShare = 0.1;
constexpr double kNonSargableMinRows = 1'000;
constexpr double kBlockKb = 8;

// --- formatting

std::string Ms(double ms) { return ms >= 10 ? fmt::format("{:.0f} ms", ms) : fmt::format("{:.2g} ms", ms); }

std::string Pct(double share) {
    const double pct = share * 100;
    if (pct >= 10) return fmt::format("{:.0f}%", pct);
    if (pct >= 1) return fmt::format("{:.1f}%", pct);
    return fmt::format("{:.2g}%", pct);
}

// Memory in MB rounded up, at least 1.
long long RoundUpMb(double kb) { return std::max(1LL, static_cast<long long>(std::ceil(kb / 1024.0))); }

std::string Mb(double kb) {
    return kb >= 10 * 1024 ? fmt::format("{:.0f} MB", kb / 1024) : fmt::format("{:.1f} MB", kb / 1024);
}

// --- node arithmetic (PostgreSQL reports rows and "Rows Removed by ..." per loop)

double Loops(const PlanNode& n) { return n.actual_loops.value_or(0); }
double RowsOut(const PlanNode& n) { return n.actual_rows.value_or(0) * Loops(n); }
double RemovedByFilter(const PlanNode& n) { return n.rows_removed_by_filter * Loops(n); }
double RemovedByJoinFilter(const PlanNode& n) { return n.rows_removed_by_join_filter * Loops(n); }

bool IsSeqScan(const PlanNode& n) { return n.node_type == "Seq Scan" || n.node_type == "Parallel Seq Scan"; }
bool IsJoin(const PlanNode& n) {
    return n.node_type == "Nested Loop" || n.node_type == "Hash Join" || n.node_type == "Merge Join";
}

std::string QuotedRelation(const PlanNode& n) {
    return n.schema.empty() ? QuoteIdent(n.relation) : QuoteIdent(n.schema) + "." + QuoteIdent(n.relation);
}

// --- condition text (the plan's Filter / Join Filter, used as evidence and to find its columns)

bool IsIdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_'; }
bool IsIdentChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '$'; }

/// A column reference in a plan condition, with what surrounds it.
struct CondRef {
    std::string qualifier;  // empty when unqualified
    std::string column;
    char before = 0;       // previous non-space character
    std::string op_after;  // comparison operator right after it ("=", "<=", "~~", "IS"), empty otherwise
};

// Reads an identifier (plain or double-quoted) at `i`; returns false when there is none.
bool ReadIdent(std::string_view text, std::size_t& i, std::string& out) {
    out.clear();
    if (i < text.size() && text[i] == '"') {
        for (++i; i < text.size(); ++i) {
            if (text[i] == '"') {
                if (i + 1 < text.size() && text[i + 1] == '"') {
                    out += '"';
                    ++i;
                    continue;
                }
                ++i;
                return true;
            }
            out += text[i];
        }
        return true;
    }
    if (i >= text.size() || !IsIdentStart(text[i])) return false;
    while (i < text.size() && IsIdentChar(text[i])) out += text[i++];
    return true;
}

// Words of a plan condition that are not column names.
constexpr std::array<std::string_view, 23> kConditionKeywords = {
    "AND",  "OR",   "NOT",  "IS",  "NULL", "ANY",  "ALL",      "TRUE", "FALSE", "SubPlan", "hashed",  "CASE",
    "WHEN", "THEN", "ELSE", "END", "IN",   "LIKE", "DISTINCT", "FROM", "ARRAY", "returns", "InitPlan"};

// Column references of a condition: identifiers not followed by "(" (functions) and not preceded by
// "::" (type names), outside string literals.
std::vector<CondRef> ConditionRefs(std::string_view text) {
    std::vector<CondRef> out;
    char prev = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        const char c = text[i];
        if (c == '\'') {
            for (++i; i < text.size(); ++i) {
                if (text[i] == '\'') {
                    if (i + 1 < text.size() && text[i + 1] == '\'') {
                        ++i;
                        continue;
                    }
                    break;
                }
            }
            ++i;
            prev = '\'';
            continue;
        }
        if (std::isdigit(static_cast<unsigned char>(c)) != 0) {
            while (i < text.size() && (IsIdentChar(text[i]) || text[i] == '.')) ++i;
            prev = '0';
            continue;
        }
        if (!IsIdentStart(c) && c != '"') {
            if (std::isspace(static_cast<unsigned char>(c)) == 0) prev = c;
            ++i;
            continue;
        }
        const bool after_cast = prev == ':';
        const char before = prev;
        std::string first;
        std::string second;
        ReadIdent(text, i, first);
        if (i + 1 < text.size() && text[i] == '.' && (IsIdentStart(text[i + 1]) || text[i + 1] == '"')) {
            ++i;
            ReadIdent(text, i, second);
        }
        prev = 'a';
        std::size_t j = i;
        while (j < text.size() && text[j] == ' ') ++j;
        if (j < text.size() && text[j] == '(') continue;  // a function name
        if (after_cast) continue;
        if (second.empty() &&
            std::find(kConditionKeywords.begin(), kConditionKeywords.end(), first) != kConditionKeywords.end())
            continue;
        CondRef ref;
        if (second.empty()) {
            ref.column = first;
        } else {
            ref.qualifier = first;
            ref.column = second;
        }
        ref.before = before;
        std::size_t k = j;
        while (k < text.size() && std::string_view("=<>!~*").find(text[k]) != std::string_view::npos) ++k;
        if (k > j) {
            ref.op_after = std::string(text.substr(j, k - j));
        } else if (text.substr(j).starts_with("IS ")) {
            ref.op_after = "IS";
        }
        out.push_back(std::move(ref));
    }
    return out;
}

bool QualifierMatches(const CondRef& ref, const PlanNode& scan) {
    return ref.qualifier.empty() || ref.qualifier == scan.alias || ref.qualifier == scan.relation;
}

bool IsEqualityOp(std::string_view op) { return op == "=" || op == "IN" || op == "IS NULL" || op == "IS"; }

bool IsIndexableOp(std::string_view op) {
    return op == "=" || op == "<" || op == "<=" || op == ">" || op == ">=" || op == "IN" || op == "BETWEEN" ||
           op == "IS NULL" || op == "IS" || op == "~~";
}

bool ContainsWord(std::string_view text, std::string_view word) {
    if (word.empty()) return false;
    for (std::size_t pos = text.find(word); pos != std::string_view::npos; pos = text.find(word, pos + 1)) {
        const bool left = pos == 0 || !IsIdentChar(text[pos - 1]);
        const bool right = pos + word.size() >= text.size() || !IsIdentChar(text[pos + word.size()]);
        if (left && right) return true;
    }
    return false;
}

/// Columns to index, equality columns first, then at most one range column (a btree uses only the
/// first range column efficiently).
class IndexColumns {
public:
    void Add(const std::string& column, bool equality) {
        if (std::find(equality_.begin(), equality_.end(), column) != equality_.end()) return;
        if (equality) {
            std::erase(range_, column);
            equality_.push_back(column);
        } else if (std::find(range_.begin(), range_.end(), column) == range_.end()) {
            range_.push_back(column);
        }
    }
    [[nodiscard]] bool Empty() const { return equality_.empty() && range_.empty(); }
    [[nodiscard]] std::vector<std::string> Columns() const {
        std::vector<std::string> out = equality_;
        if (!range_.empty()) out.push_back(range_.front());
        return out;
    }

private:
    std::vector<std::string> equality_;
    std::vector<std::string> range_;
};

// The columns of `scan` compared in `condition`: the ParsedQuery's bare column uses of that relation
// mentioned in the condition when the SQL is known, else the columns the condition compares directly.
std::vector<std::string> FilterColumns(const PlanNode& scan, std::string_view condition, const ParsedQuery* query) {
    IndexColumns cols;
    if (query != nullptr) {
        for (const ColumnUse& use : query->columns) {
            if (use.relation != scan.relation || !use.expression.empty() || use.negated) continue;
            if (use.clause != ClauseKind::kWhere && use.clause != ClauseKind::kJoin) continue;
            if (!IsIndexableOp(use.op) || !ContainsWord(condition, use.column)) continue;
            cols.Add(use.column, IsEqualityOp(use.op));
        }
    }
    if (cols.Empty()) {
        for (const CondRef& ref : ConditionRefs(condition)) {
            if (ref.before != '(' || ref.op_after.empty() || !QualifierMatches(ref, scan)) continue;
            if (ref.op_after == "<>" || ref.op_after == "!=") continue;
            cols.Add(ref.column, ref.op_after == "=" || ref.op_after == "IS");
        }
    }
    return cols.Columns();
}

std::string JoinQuoted(const std::vector<std::string>& columns) {
    std::string out;
    for (const auto& c : columns) {
        if (!out.empty()) out += ", ";
        out += QuoteIdent(c);
    }
    return out;
}

std::string CreateIndexSql(const PlanNode& scan, const std::vector<std::string>& columns) {
    return fmt::format("CREATE INDEX CONCURRENTLY ON {} ({});", QuotedRelation(scan), JoinQuoted(columns));
}

// The top-level OR branches of a condition: "((a) OR (b))" -> {"(a)", "(b)"}.
std::vector<std::string> OrBranches(std::string_view cond) {
    auto strip = [](std::string_view s) {
        while (s.size() >= 2 && s.front() == '(' && s.back() == ')') {
            int depth = 0;
            bool wraps = true;
            bool quoted = false;
            for (std::size_t i = 0; i < s.size(); ++i) {
                if (s[i] == '\'') quoted = !quoted;
                if (quoted) continue;
                if (s[i] == '(') ++depth;
                if (s[i] == ')') --depth;
                if (depth == 0 && i + 1 < s.size()) {
                    wraps = false;
                    break;
                }
            }
            if (!wraps) break;
            s = s.substr(1, s.size() - 2);
        }
        return s;
    };
    const std::string_view body = strip(cond);
    std::vector<std::string> out;
    int depth = 0;
    bool quoted = false;
    std::size_t start = 0;
    for (std::size_t i = 0; i < body.size(); ++i) {
        const char c = body[i];
        if (c == '\'') quoted = !quoted;
        if (quoted) continue;
        if (c == '(') ++depth;
        if (c == ')') --depth;
        if (depth == 0 && body.substr(i).starts_with(" OR ")) {
            out.emplace_back(body.substr(start, i - start));
            start = i + 4;
            i += 3;
        }
    }
    if (out.empty()) return {};
    out.emplace_back(body.substr(start));
    return out;
}

// The use's expression without its table qualifier, as an index or statistics definition writes it:
// "lower(c.email)" -> "lower(email)".
std::string BareExpression(const ColumnUse& use) {
    std::string bare = use.expression;
    if (use.qualifier.empty()) return bare;
    const std::string prefix = use.qualifier + ".";
    for (std::size_t pos = bare.find(prefix); pos != std::string::npos; pos = bare.find(prefix, pos)) {
        if (pos > 0 && IsIdentChar(bare[pos - 1])) {
            pos += prefix.size();
            continue;
        }
        bare.erase(pos, prefix.size());
    }
    return bare;
}

// --- the analysis context

struct Context {
    const Plan& plan;
    const ParsedQuery* query;
    std::vector<const PlanNode*> nodes;   // pre-order, index == id
    std::vector<const PlanNode*> parent;  // by id; null for the root
    double total_ms = 0;
    std::set<std::size_t> claimed;  // nodes whose filter problem a more specific rule already reported
    std::vector<Finding> out;

    Context(const Plan& p, const ParsedQuery* q) : plan(p), query(q), nodes(Flatten(p)) {
        parent.assign(nodes.size(), nullptr);
        for (const PlanNode* n : nodes) {
            for (const PlanNode& child : n->children) {
                if (child.id < parent.size()) parent[child.id] = n;
            }
        }
        total_ms = p.execution_ms.value_or(p.root.inclusive_ms);
    }

    [[nodiscard]] bool Analyzed() const { return plan.analyzed; }

    [[nodiscard]] const PlanNode* Parent(const PlanNode& n) const {
        return n.id < parent.size() ? parent[n.id] : nullptr;
    }

    /// Severity from the time attributable: high when it is >= 30% of the query and >= 10 ms.
    [[nodiscard]] Severity TimeSeverity(double impact_ms) const {
        if (total_ms <= 0) return Severity::kLow;
        const double share = impact_ms / total_ms;
        if (share >= 0.3 && impact_ms >= 10) return Severity::kHigh;
        if ((share >= 0.1 && impact_ms >= 1) || impact_ms >= 100) return Severity::kMedium;
        return Severity::kLow;
    }

    /// Without ANALYZE only costs are known: at most medium, when the cost is a large share.
    [[nodiscard]] Severity CostSeverity(double cost) const {
        const double root_cost = plan.root.total_cost;
        return root_cost > 0 && cost / root_cost >= 0.3 ? Severity::kMedium : Severity::kLow;
    }

    [[nodiscard]] double Share(double ms) const { return total_ms > 0 ? ms / total_ms : 0; }

    [[nodiscard]] std::string SettingValue(std::string_view name) const {
        for (const auto& [key, value] : plan.settings) {
            if (key == name) return value;
        }
        return "";
    }
};

Finding Make(std::string_view rule, const PlanNode& node) {
    Finding f;
    f.rule = std::string(rule);
    f.node_id = node.id;
    f.node = NodeLabel(node);
    f.relation = QualifiedRelation(node);
    return f;
}

void AddTime(Finding& f, const PlanNode& node, const Context& ctx) {
    f.evidence.emplace_back("exclusive_ms", node.exclusive_ms);
    f.evidence.emplace_back("share_of_query_pct", std::round(ctx.Share(node.exclusive_ms) * 1000) / 10);
}

// The first scan below (or at) a node, for a relation to name.
const PlanNode* FirstScan(const PlanNode& node) {
    if (!node.relation.empty()) return &node;
    for (const PlanNode& child : node.children) {
        if (const PlanNode* s = FirstScan(child)) return s;
    }
    return nullptr;
}

// --- rules

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
            const double scanned = kept + RemovedByFilter(*scan);
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
        f.impact_ms = n->exclusive_ms;
        f.severity = ctx.TimeSeverity(f.impact_ms);
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
            scanned = RowsOut(*inner) + RemovedByFilter(*inner);
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
        f.impact_ms = n->exclusive_ms * removed / (removed + kept);
        f.severity = ctx.TimeSeverity(f.impact_ms);
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

// 3. row_estimate_off
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

// 4. sort_spill and hash_spill
void Spills(Context& ctx) {
    if (!ctx.Analyzed()) return;
    const std::string work_mem = ctx.SettingValue("work_mem");
    const std::string current = work_mem.empty() ? "" : fmt::format(" (work_mem is {} for this plan)", work_mem);
    for (const PlanNode* n : ctx.nodes) {
        if (n->node_type == "Sort" && (n->sort_space_type == "Disk" || n->sort_method.starts_with("external"))) {
            Finding f = Make("sort_spill", *n);
            f.impact_ms = n->exclusive_ms;
            f.severity = ctx.TimeSeverity(f.impact_ms);
            f.evidence.emplace_back("sort_method", n->sort_method);
            f.evidence.emplace_back("sort_space_used_kb", static_cast<double>(n->sort_space_kb));
            f.evidence.emplace_back("rows", RowsOut(*n));
            if (n->has_buffers)
                f.evidence.emplace_back("temp_written_blocks", static_cast<double>(n->buffers.temp_written));
            AddTime(f, *n, ctx);
            const long long mb = RoundUpMb(static_cast<double>(n->sort_space_kb) * 2);
            f.message = fmt::format(
                "The sort of {} rows did not fit in work_mem{} and used an {} with {} of temporary files; it takes {}.",
                ThousandsSeparated(RowsOut(*n)), current, n->sort_method, Mb(static_cast<double>(n->sort_space_kb)),
                Ms(n->exclusive_ms));
            f.suggestion = fmt::format(
                "Give this query more sort memory (an in-memory sort needs about twice the disk space):\n"
                "SET work_mem = '{}MB';  -- for the session, or ALTER ROLE ... SET work_mem for the role that runs it",
                mb);
            // An index in sort-key order avoids the sort when the sort reads one table directly.
            if (n->children.size() == 1 && !n->children.front().relation.empty()) {
                const PlanNode& scan = n->children.front();
                std::string keys;
                bool plain = !n->sort_key.empty();
                for (std::string_view key : n->sort_key) {
                    const bool desc = key.ends_with(" DESC");
                    if (desc) key.remove_suffix(5);
                    const auto refs = ConditionRefs(key);
                    if (refs.size() != 1 || !QualifierMatches(refs.front(), scan)) {
                        plain = false;
                        break;
                    }
                    if (!keys.empty()) keys += ", ";
                    keys += QuoteIdent(refs.front().column) + (desc ? " DESC" : "");
                }
                if (plain) {
                    f.suggestion +=
                        fmt::format("\nor read the rows in order from an index:\nCREATE INDEX CONCURRENTLY ON {} ({});",
                                    QuotedRelation(scan), keys);
                }
            }
            ctx.out.push_back(std::move(f));
        }
        const bool hash_batches = n->node_type == "Hash" && n->hash_batches > 1;
        const bool agg_spill = n->node_type == "Aggregate" && (n->strategy == "Hashed" || n->strategy == "Mixed") &&
                               (n->hashagg_batches > 1 || n->disk_usage_kb > 0);
        if (hash_batches || agg_spill) {
            Finding f = Make("hash_spill", *n);
            f.impact_ms = n->exclusive_ms;
            f.severity = ctx.TimeSeverity(f.impact_ms);
            double needed_kb = 0;
            if (hash_batches) {
                needed_kb = static_cast<double>(n->peak_memory_kb * n->hash_batches);
                f.evidence.emplace_back("hash_batches", static_cast<double>(n->hash_batches));
                f.evidence.emplace_back("original_hash_batches", static_cast<double>(n->original_hash_batches));
            } else {
                needed_kb = static_cast<double>(n->peak_memory_kb + n->disk_usage_kb);
                f.evidence.emplace_back("hashagg_batches", static_cast<double>(n->hashagg_batches));
                f.evidence.emplace_back("disk_usage_kb", static_cast<double>(n->disk_usage_kb));
            }
            f.evidence.emplace_back("peak_memory_kb", static_cast<double>(n->peak_memory_kb));
            f.evidence.emplace_back("memory_needed_kb", needed_kb);
            if (n->has_buffers)
                f.evidence.emplace_back("temp_written_blocks", static_cast<double>(n->buffers.temp_written));
            AddTime(f, *n, ctx);
            f.message =
                hash_batches
                    ? fmt::format(
                          "The hash table of {} rows did not fit in memory{} and was split into {} batches "
                          "written to disk (about {} needed, {} used at a time).",
                          ThousandsSeparated(RowsOut(*n)), current, n->hash_batches, Mb(needed_kb),
                          Mb(static_cast<double>(n->peak_memory_kb)))
                    : fmt::format(
                          "The hash aggregate did not fit in memory{} and spilled {} to disk in {} "
                          "batches; it takes {}.",
                          current, Mb(static_cast<double>(n->disk_usage_kb)), n->hashagg_batches, Ms(n->exclusive_ms));
            f.suggestion = fmt::format(
                "Give this query enough memory for the hash table (hash nodes may use work_mem × "
                "hash_mem_multiplier):\n"
                "SET work_mem = '{}MB';  -- for the session, or ALTER ROLE ... SET work_mem for the role that runs it",
                RoundUpMb(needed_kb));
            if (hash_batches && n->original_hash_batches > 0 && n->hash_batches > n->original_hash_batches) {
                f.suggestion +=
                    "\nThe batch count grew at run time: the row estimate of the hashed side is too low (ANALYZE it).";
            }
            ctx.out.push_back(std::move(f));
        }
    }
}

// 6. heap_fetches
void HeapFetches(Context& ctx) {
    if (!ctx.Analyzed()) return;
    for (const PlanNode* n : ctx.nodes) {
        if (n->node_type != "Index Only Scan" || !n->heap_fetches) continue;
        const double fetches = *n->heap_fetches;
        const double rows = RowsOut(*n);
        if (fetches < kHeapFetchMin || fetches < kHeapFetchShare * rows) continue;
        Finding f = Make("heap_fetches", *n);
        f.impact_ms = n->exclusive_ms * std::min(1.0, rows > 0 ? fetches / rows : 1.0);
        f.severity = ctx.TimeSeverity(f.impact_ms);
        f.evidence.emplace_back("heap_fetches", fetches);
        f.evidence.emplace_back("rows", rows);
        f.evidence.emplace_back("fetch_share_pct", rows > 0 ? std::round(fetches / rows * 1000) / 10 : 100.0);
        AddTime(f, *n, ctx);
        const std::string rel = QuotedRelation(*n);
        f.message = fmt::format(
            "The index-only scan had to visit the table {} times for {} rows: the visibility map of {} is out "
            "of date (recent writes not yet vacuumed), so the scan is no longer index-only.",
            ThousandsSeparated(fetches), ThousandsSeparated(rows), QualifiedRelation(*n));
        f.suggestion = fmt::format(
            "VACUUM (ANALYZE) {rel};\nand let autovacuum keep up on this table, e.g.\n"
            "ALTER TABLE {rel} SET (autovacuum_enabled = on, autovacuum_vacuum_scale_factor = 0.05, "
            "autovacuum_vacuum_insert_scale_factor = 0.05);",
            fmt::arg("rel", rel));
        ctx.out.push_back(std::move(f));
    }
}

// 7. lossy_bitmap
void LossyBitmap(Context& ctx) {
    if (!ctx.Analyzed()) return;
    const std::string work_mem = ctx.SettingValue("work_mem");
    for (const PlanNode* n : ctx.nodes) {
        if (n->node_type != "Bitmap Heap Scan" || n->lossy_heap_blocks <= 0) continue;
        const double pages = n->lossy_heap_blocks + n->exact_heap_blocks;
        Finding f = Make("lossy_bitmap", *n);
        f.impact_ms = n->exclusive_ms * n->lossy_heap_blocks / pages;
        f.severity = ctx.TimeSeverity(f.impact_ms);
        f.evidence.emplace_back("lossy_heap_blocks", n->lossy_heap_blocks);
        f.evidence.emplace_back("exact_heap_blocks", n->exact_heap_blocks);
        f.evidence.emplace_back("rows_removed_by_index_recheck", n->rows_removed_by_index_recheck * Loops(*n));
        if (!work_mem.empty()) f.evidence.emplace_back("work_mem", work_mem);
        AddTime(f, *n, ctx);
        f.message = fmt::format(
            "The bitmap did not fit in work_mem{}: {} of {} heap pages were tracked only as whole pages (lossy), "
            "so every row on them was rechecked against {} ({} rows removed by the recheck).",
            work_mem.empty() ? "" : " (" + work_mem + ")", ThousandsSeparated(n->lossy_heap_blocks),
            ThousandsSeparated(pages), n->recheck_cond.empty() ? "the index condition" : n->recheck_cond,
            ThousandsSeparated(n->rows_removed_by_index_recheck * Loops(*n)));
        // An exact bitmap needs roughly 64 bytes per heap page; double it for headroom.
        f.suggestion = fmt::format(
            "SET work_mem = '{}MB';  -- enough for an exact bitmap of {} pages (for the session or the role)",
            std::max(4LL, RoundUpMb(pages * 64 * 2 / 1024)), ThousandsSeparated(pages));
        ctx.out.push_back(std::move(f));
    }
}

// 8. cold_reads
void ColdReads(Context& ctx) {
    if (!ctx.Analyzed()) return;
    bool any = false;
    auto report = [&](const PlanNode& n, std::int64_t read, std::int64_t hit, double io_ms, bool plan_wide) {
        Finding f = Make("cold_reads", n);
        // Parallel workers' I/O time adds up across processes; the wall-clock share is smaller.
        const double io_wall = io_ms / std::max(1, n.worker_count);
        f.impact_ms = io_wall > 0 ? io_wall
                                  : (plan_wide ? ctx.total_ms : n.exclusive_ms) * static_cast<double>(read) /
                                        static_cast<double>(read + hit);
        // A cold cache is a condition of this run (a restart, a rarely read table), not a defect of
        // the query: never more than medium, so it does not outrank the query's own problems.
        f.severity = std::min(ctx.TimeSeverity(f.impact_ms), Severity::kMedium);
        f.evidence.emplace_back("shared_read_blocks", static_cast<double>(read));
        f.evidence.emplace_back("shared_hit_blocks", static_cast<double>(hit));
        f.evidence.emplace_back("read_mb", std::round(static_cast<double>(read) * kBlockKb / 1024 * 10) / 10);
        if (io_ms > 0) f.evidence.emplace_back("io_read_ms", io_ms);
        f.message = fmt::format(
            "{} read {} ({} blocks) from outside shared buffers and found only {} blocks cached{}. Timings of "
            "this run include that I/O; a repeated run may be faster if the data stays cached.",
            plan_wide ? "The query" : NodeLabel(n), Mb(static_cast<double>(read) * kBlockKb),
            ThousandsSeparated(static_cast<double>(read)), ThousandsSeparated(static_cast<double>(hit)),
            io_ms <= 0 ? std::string()
            : n.worker_count > 1
                ? fmt::format("; waiting for reads took {} across {} processes", Ms(io_ms), n.worker_count)
                : fmt::format("; waiting for reads took {}", Ms(io_ms)));
        const std::string rel = plan_wide ? "" : QuotedRelation(n);
        f.suggestion = fmt::format(
            "If this is typical (not just after a restart): read less (a more selective index, fewer columns), give "
            "shared_buffers more of the server's memory, or warm the table after restarts{}",
            rel.empty() ? "."
                        : fmt::format(":\nCREATE EXTENSION IF NOT EXISTS pg_prewarm;\nSELECT pg_prewarm('{}');", rel));
        ctx.out.push_back(std::move(f));
        any = true;
    };
    for (const PlanNode* n : ctx.nodes) {
        if (!n->has_buffers) continue;
        std::int64_t read = n->buffers.shared_read;
        std::int64_t hit = n->buffers.shared_hit;
        double io_ms = n->buffers.io_read_ms;
        for (const PlanNode& c : n->children) {
            read -= c.buffers.shared_read;
            hit -= c.buffers.shared_hit;
            io_ms -= c.buffers.io_read_ms;
        }
        read = std::max<std::int64_t>(read, 0);
        hit = std::max<std::int64_t>(hit, 0);
        if (read < kColdReadBlocks || read <= hit) continue;
        report(*n, read, hit, std::max(io_ms, 0.0), false);
    }
    const PlanNode& root = ctx.plan.root;
    if (!any && root.has_buffers && root.buffers.shared_read >= kColdReadBlocks &&
        root.buffers.shared_read > root.buffers.shared_hit) {
        report(root, root.buffers.shared_read, root.buffers.shared_hit, root.buffers.io_read_ms, true);
    }
}

// 9. workers_not_launched
void WorkersNotLaunched(Context& ctx) {
    for (const PlanNode* n : ctx.nodes) {
        if (n->node_type != "Gather" && n->node_type != "Gather Merge") continue;
        if (!n->workers_planned || !n->workers_launched || *n->workers_launched >= *n->workers_planned) continue;
        const int planned = *n->workers_planned;
        const int launched = *n->workers_launched;
        Finding f = Make("workers_not_launched", *n);
        // Had every worker started, the parallel part would have shared its work among planned + 1 processes.
        f.impact_ms = n->inclusive_ms * (1.0 - (launched + 1.0) / (planned + 1.0));
        f.severity = ctx.TimeSeverity(f.impact_ms);
        f.evidence.emplace_back("workers_planned", static_cast<double>(planned));
        f.evidence.emplace_back("workers_launched", static_cast<double>(launched));
        f.evidence.emplace_back("inclusive_ms", n->inclusive_ms);
        for (const char* setting :
             {"max_parallel_workers", "max_worker_processes", "max_parallel_workers_per_gather"}) {
            if (const std::string v = ctx.SettingValue(setting); !v.empty()) f.evidence.emplace_back(setting, v);
        }
        f.message = fmt::format(
            "The plan counted on {} parallel workers but only {} started, so the {} did the work with {} process{} "
            "({}). The server's pool of parallel workers was exhausted or capped when the query ran.",
            planned, launched, NodeLabel(*n), launched + 1, launched == 0 ? "" : "es", Ms(n->inclusive_ms));
        f.suggestion =
            "Check the pool: SHOW max_parallel_workers; SHOW max_worker_processes; and how many parallel queries run "
            "at once. Raise them if the server has idle cores, e.g.\nALTER SYSTEM SET max_parallel_workers = 8;  -- "
            "at most max_worker_processes (changing that one needs a restart)\nSELECT pg_reload_conf();";
        ctx.out.push_back(std::move(f));
    }
}

// A round number above `value`: 1, 2 or 5 times a power of ten.
double RoundUpNice(double value) {
    double scale = 1;
    while (scale * 10 <= value) scale *= 10;
    for (double m : {1.0, 2.0, 5.0, 10.0}) {
        if (m * scale > value) return m * scale;
    }
    return 10 * scale;
}

// 10. jit_overhead
void JitOverhead(Context& ctx) {
    if (!ctx.plan.jit || !ctx.Analyzed()) return;
    const model::JitSummary& jit = *ctx.plan.jit;
    if (jit.total_ms < kJitMinMs || jit.total_ms < kJitShare * ctx.total_ms) return;
    const PlanNode& root = ctx.plan.root;
    Finding f = Make("jit_overhead", root);
    f.relation.clear();
    f.impact_ms = jit.total_ms;
    f.severity = ctx.TimeSeverity(f.impact_ms);
    f.evidence.emplace_back("jit_total_ms", jit.total_ms);
    f.evidence.emplace_back("execution_ms", ctx.total_ms);
    f.evidence.emplace_back("jit_functions", static_cast<double>(jit.functions));
    f.evidence.emplace_back("jit_inlining_ms", jit.inlining_ms);
    f.evidence.emplace_back("jit_optimization_ms", jit.optimization_ms);
    f.evidence.emplace_back("jit_emission_ms", jit.emission_ms);
    f.evidence.emplace_back("plan_total_cost", root.total_cost);
    f.message = fmt::format(
        "JIT compilation of {} functions took {} of the {} execution ({}): the query is too short for "
        "compiled code to pay back its compile time (inlining {}, optimization {}).",
        jit.functions, Ms(jit.total_ms), Ms(ctx.total_ms), Pct(ctx.Share(jit.total_ms)), Ms(jit.inlining_ms),
        Ms(jit.optimization_ms));
    const double threshold = RoundUpNice(std::max(root.total_cost * 2, 100'000.0));
    f.suggestion = fmt::format(
        "SET jit = off;  -- for this query's session or role\nor keep JIT for really expensive queries only: raise "
        "the thresholds above this plan's cost ({:.0f}), e.g.\nALTER SYSTEM SET jit_above_cost = {:.0f};\n"
        "ALTER SYSTEM SET jit_inline_above_cost = {:.0f};\nALTER SYSTEM SET jit_optimize_above_cost = {:.0f};\n"
        "SELECT pg_reload_conf();",
        root.total_cost, threshold, std::max(threshold * 5, 500'000.0), std::max(threshold * 5, 500'000.0));
    ctx.out.push_back(std::move(f));
}

std::optional<double> ConstantNumber(const std::optional<Operand>& operand) {
    if (!operand || operand->kind != Operand::Kind::kConstant) return std::nullopt;
    double value = 0;
    const std::string& t = operand->text;
    const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
    if (ec != std::errc() || ptr != t.data() + t.size()) return std::nullopt;
    return value;
}

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
        f.impact_ms = child_rows > 0 ? limit->inclusive_ms * std::min(1.0, discarded / child_rows) : 0;
        f.severity = ctx.TimeSeverity(f.impact_ms);
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
        bool mixed = false;
        for (const ColumnUse* use : order) {
            if (!cols.empty()) {
                cols += ", ";
                params += ", ";
            }
            const std::string name = (use->qualifier.empty() ? "" : use->qualifier + ".") + use->column;
            cols += name;
            params += "$last_" + use->column;
            mixed = mixed || use->descending != order.front()->descending;
        }
        const bool desc = order.front()->descending;
        const std::string cmp = desc ? "<" : ">";
        std::string order_by;
        for (const ColumnUse* use : order) {
            if (!order_by.empty()) order_by += ", ";
            order_by +=
                (use->qualifier.empty() ? "" : use->qualifier + ".") + use->column + (use->descending ? " DESC" : "");
        }
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
        const std::string column = (use.qualifier.empty() ? "" : use.qualifier + ".") + use.column;
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
                f.impact_ms = n->exclusive_ms;
                f.severity = ctx.TimeSeverity(f.impact_ms);
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
        f.impact_ms = n->inclusive_ms;
        f.severity = ctx.TimeSeverity(f.impact_ms);
        const double loops = Loops(*n);
        f.evidence.emplace_back("loops", loops);
        f.evidence.emplace_back("ms_per_loop", n->actual_total_ms.value_or(0));
        f.evidence.emplace_back("total_ms", n->inclusive_ms);
        f.evidence.emplace_back("share_of_query_pct", std::round(ctx.Share(n->inclusive_ms) * 1000) / 10);
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

}  // namespace

std::span<const RuleInfo> Rules() { return kRules; }

std::vector<model::Finding> Analyze(const model::Plan& plan, const model::ParsedQuery* query) {
    Context ctx(plan, query);
    // Order matters where rules claim nodes: the most specific explanation of a filter wins.
    NonSargable(ctx);
    SeqScanFewRows(ctx);
    NestedLoopInnerScan(ctx);
    OrAcrossRelations(ctx);
    NotInSubquery(ctx);
    RowsRemovedByFilter(ctx);
    RowEstimateOff(ctx);
    Spills(ctx);
    HeapFetches(ctx);
    LossyBitmap(ctx);
    ColdReads(ctx);
    WorkersNotLaunched(ctx);
    JitOverhead(ctx);
    LargeOffset(ctx);
    CorrelatedSubquery(ctx);
    std::stable_sort(ctx.out.begin(), ctx.out.end(), [](const Finding& a, const Finding& b) {
        if (a.severity != b.severity) return a.severity > b.severity;
        return a.impact_ms > b.impact_ms;
    });
    return std::move(ctx.out);
}

}  // namespace optischema::analyzer
