#include "service/ai_verification.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <functional>
#include <regex>

#include <fmt/format.h>

#include "advisor/hypopg_whatif.hpp"
#include "analyzer/plan.hpp"
#include "service/index_sql.hpp"
#include "service/validate.hpp"
#include "common/format.hpp"
#include "common/strings.hpp"
#include "sqlparse/sqlparse.hpp"

namespace optischema::service {
namespace {

constexpr std::size_t npos = std::string::npos;

// --- the literals normalization replaced -----------------------------------------------------------

// The end of a quoted string starting with the quote at `q`: '' is a quote inside; with
// `backslashes` (E'...') a backslash escapes the next character.
std::size_t QuotedEnd(std::string_view sql, std::size_t q, bool backslashes) {
    for (std::size_t i = q + 1; i < sql.size(); ++i) {
        if (backslashes && sql[i] == '\\') {
            ++i;
        } else if (sql[i] == '\'') {
            if (i + 1 < sql.size() && sql[i + 1] == '\'') {
                ++i;
            } else {
                return i + 1;
            }
        }
    }
    return npos;
}

bool IsWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.'; }

// The end of the constant token starting at `i`: a string in any of its forms, a dollar-quoted
// string, or a number or keyword constant (a sign belongs to the number, as in pg_stat_statements).
std::size_t ConstantEnd(std::string_view sql, std::size_t i) {
    if (i >= sql.size()) return npos;
    const auto at = [&](std::size_t k) { return k < sql.size() ? sql[k] : '\0'; };
    const char c = sql[i];
    const char lower = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (c == '\'') return QuotedEnd(sql, i, false);
    if (lower == 'e' && at(i + 1) == '\'') return QuotedEnd(sql, i + 1, true);
    if ((lower == 'b' || lower == 'x' || lower == 'n') && at(i + 1) == '\'') return QuotedEnd(sql, i + 1, false);
    if (lower == 'u' && at(i + 1) == '&' && at(i + 2) == '\'') return QuotedEnd(sql, i + 2, false);
    if (c == '$') {
        const std::size_t tag_end = sql.find('$', i + 1);
        if (tag_end == npos) return npos;
        const std::string_view tag = sql.substr(i, tag_end - i + 1);
        const std::size_t close = sql.find(tag, tag_end + 1);
        return close == npos ? npos : close + tag.size();
    }
    std::size_t k = i;
    if (c == '-' || c == '+') {
        ++k;
        while (k < sql.size() && std::isspace(static_cast<unsigned char>(sql[k])) != 0) ++k;
    }
    const std::size_t start = k;
    while (k < sql.size()) {
        const char d = sql[k];
        if (IsWordChar(d)) {
            ++k;
        } else if ((d == '+' || d == '-') && k > start && (sql[k - 1] == 'e' || sql[k - 1] == 'E') &&
                   std::isdigit(static_cast<unsigned char>(sql[start])) != 0) {
            ++k;  // the sign of an exponent: 1e-3
        } else {
            break;
        }
    }
    return k > start ? k : npos;
}

// --- errors -------------------------------------------------------------------------------------

// The server's message without the "[in: <sql>]" that pg/ appends: the suggestion is shown anyway.
std::string Message(const Error& e) {
    std::string m = e.message;
    if (const auto pos = m.rfind(" [in: "); pos != npos) m.erase(pos);
    if (!e.sqlstate.empty()) m += fmt::format(" (SQLSTATE {})", e.sqlstate);
    return m;
}

// SQLSTATEs that say the statement itself is wrong (unknown names, type errors, unsupported syntax),
// as opposed to the check being unable to run (connection, timeout, privileges).
bool StatementIsWrong(const Error& e) {
    if (e.code == ErrorCode::kParseError || e.code == ErrorCode::kInvalidArgument) return true;
    const std::string& s = e.sqlstate;
    if (s == "42501") return false;  // insufficient privilege: the role, not the SQL
    return s.starts_with("42") || s.starts_with("22") || s.starts_with("21") || s.starts_with("0A");
}

std::string WithoutTrailingSemicolons(std::string_view sql) {
    std::string out(Trim(sql));
    while (!out.empty() && out.back() == ';') out = std::string(Trim(out.substr(0, out.size() - 1)));
    return out;
}

std::string Cost(double cost) { return ThousandsSeparated(cost >= 100 ? std::round(cost) : Round3(cost)); }

// --- the target's planner ------------------------------------------------------------------------

// EXPLAIN without ANALYZE inside a read-only transaction: the statement is planned, never run.
Result<model::Plan> PlanReadOnly(pg::Connection& conn, const std::string& sql) {
    if (auto ok = conn.Execute("BEGIN TRANSACTION READ ONLY"); !ok) return tl::unexpected(ok.error());
    auto rows = conn.Query("EXPLAIN (FORMAT JSON) " + sql);
    (void)conn.Execute("ROLLBACK");
    if (!rows) return tl::unexpected(rows.error());
    if (rows->empty() || !(*rows)[0][0]) return MakeError(ErrorCode::kInternal, "EXPLAIN returned no plan");
    return analyzer::ParsePlan(*(*rows)[0][0]);
}

const model::PlanNode* FindNode(const model::PlanNode& node, const std::function<bool(const model::PlanNode&)>& pred) {
    if (pred(node)) return &node;
    for (const auto& c : node.children) {
        if (const auto* found = FindNode(c, pred)) return found;
    }
    return nullptr;
}

// --- rewrites ----------------------------------------------------------------------------------

struct RewriteGate {
    RewriteCheck check;
    std::string runnable;  // the rewrite with the original's values, when it passed the static checks
    bool passed = false;
};

// Parse, kind, relations, columns, parameters and the target's planner: everything short of running it.
RewriteGate StaticChecks(pg::Connection& target,
                         RelationCatalog& catalog,
                         const StatementUnderReview& statement,
                         const llm::Rewrite& rewrite) {
    RewriteGate gate;
    RewriteCheck& out = gate.check;
    out.sql = WithoutTrailingSemicolons(rewrite.sql);
    out.rationale = rewrite.rationale;
    out.status = SuggestionStatus::kRejected;
    if (out.sql.empty()) {
        out.reason = "the model gave no SQL";
        return gate;
    }
    auto parsed = sqlparse::Parse(out.sql);
    if (!parsed) {
        out.reason = "PostgreSQL's parser rejects it: " + parsed.error().message;
        return gate;
    }
    if (parsed->statement_count != 1) {
        out.reason = fmt::format("it holds {} statements; a rewrite must be one statement", parsed->statement_count);
        return gate;
    }
    const std::string& original_type = statement.parsed.statement_type;
    if (parsed->statement_type != original_type) {
        out.reason =
            original_type == "SELECT"
                ? fmt::format("it is a {} statement; a rewrite of a SELECT must be one SELECT", parsed->statement_type)
                : fmt::format("it is a {} statement; the original is a {}", parsed->statement_type, original_type);
        return gate;
    }

    std::vector<std::string> unknown_relations;
    std::vector<std::pair<model::RelationRef, ResolvedRelation>> resolved;
    for (const auto& r : parsed->relations) {
        auto found = catalog.Resolve(r.schema, r.name);
        if (!found) {
            out.status = SuggestionStatus::kUnverified;
            out.reason = "could not read the catalog: " + Message(found.error());
            return gate;
        }
        const std::string name = r.schema.empty() ? r.name : r.schema + "." + r.name;
        if (!*found) {
            unknown_relations.push_back(name);
        } else {
            resolved.emplace_back(r, **found);
        }
    }
    if (!unknown_relations.empty()) {
        out.reason = fmt::format("it uses {} {} that {} not exist: {}",
                                 unknown_relations.size() == 1 ? "a" : std::to_string(unknown_relations.size()),
                                 unknown_relations.size() == 1 ? "relation" : "relations",
                                 unknown_relations.size() == 1 ? "does" : "do", Join(unknown_relations, ", "));
        return gate;
    }
    // Qualified references only: an unqualified name may be an output alias or an outer query's
    // column, which PostgreSQL resolves (the EXPLAIN below catches the rest, naming the column).
    std::vector<std::string> unknown_columns;
    for (const auto& use : parsed->columns) {
        if (use.qualifier.empty() || use.relation.empty()) continue;
        for (const auto& [ref, rel] : resolved) {
            if (ref.name != use.relation) continue;
            const std::string name = use.qualifier + "." + use.column;
            if (!rel.HasColumn(use.column) &&
                std::find(unknown_columns.begin(), unknown_columns.end(), name) == unknown_columns.end()) {
                unknown_columns.push_back(name);
            }
            break;
        }
    }
    if (!unknown_columns.empty()) {
        out.reason =
            fmt::format("it uses {} that {} not exist: {}", unknown_columns.size() == 1 ? "a column" : "columns",
                        unknown_columns.size() == 1 ? "does" : "do", Join(unknown_columns, ", "));
        return gate;
    }

    gate.runnable = out.sql;
    if (parsed->param_count > statement.param_count) {
        out.reason = fmt::format("it uses ${}, and the normalized original has only {} parameter(s)",
                                 parsed->param_count, statement.param_count);
        return gate;
    }
    if (parsed->param_count > 0) {
        auto with_values = WithSampleValues(out.sql, *parsed, statement.values);
        if (!with_values) {
            out.status = SuggestionStatus::kUnverified;
            out.reason = "no values to run it with: " + with_values.error().message;
            return gate;
        }
        gate.runnable = *with_values;
    }
    auto plan = PlanReadOnly(target, gate.runnable);
    if (!plan) {
        out.status = StatementIsWrong(plan.error()) ? SuggestionStatus::kRejected : SuggestionStatus::kUnverified;
        out.reason = (out.status == SuggestionStatus::kRejected ? "PostgreSQL cannot plan it: "
                                                                : "could not plan it on the target: ") +
                     Message(plan.error());
        return gate;
    }
    const auto* write = FindNode(plan->root, [](const model::PlanNode& n) { return n.node_type == "ModifyTable"; });
    if (write != nullptr && original_type == "SELECT") {
        out.reason = fmt::format("it changes data ({} on {}); a rewrite of a query may only read", write->operation,
                                 analyzer::QualifiedRelation(*write));
        return gate;
    }
    out.planned_cost = plan->root.total_cost;
    out.status = SuggestionStatus::kUnverified;
    gate.passed = true;
    return gate;
}

std::string PlannedNote(const RewriteCheck& check, const StatementUnderReview& statement) {
    if (!check.planned_cost) return "it parses and plans";
    if (!statement.cost) return fmt::format("it parses and plans (estimated cost {})", Cost(*check.planned_cost));
    return fmt::format("it parses and plans (estimated cost {}, the original {})", Cost(*check.planned_cost),
                       Cost(*statement.cost));
}

// The same operations on the same relations at (nearly) the same estimated cost: PostgreSQL runs
// both statements alike, so a measured difference between them can only be noise.
bool SamePlan(const model::PlanNode& a, const model::PlanNode& b) {
    if (a.node_type != b.node_type || a.relation != b.relation || a.index_name != b.index_name ||
        a.join_type != b.join_type || a.strategy != b.strategy || a.children.size() != b.children.size()) {
        return false;
    }
    if (std::abs(a.total_cost - b.total_cost) > 0.01 * std::max(a.total_cost, b.total_cost)) return false;
    for (std::size_t i = 0; i < a.children.size(); ++i) {
        if (!SamePlan(a.children[i], b.children[i])) return false;
    }
    return true;
}

void RunInSandbox(RewriteGate& gate, const StatementUnderReview& statement, const VerificationOptions& options) {
    RewriteCheck& out = gate.check;
    if (options.sandbox == nullptr) {
        out.status = SuggestionStatus::kUnverified;
        out.reason = "no sandbox was given to run it in";
        return;
    }
    ValidateRequest validate;
    validate.queries = {statement.runnable_sql};
    validate.rewrite = gate.runnable;
    validate.runs = options.runs;
    auto report = Validate(validate, *options.sandbox);
    if (!report) {
        const bool wrong = report.error().sqlstate.size() == 5 && StatementIsWrong(report.error());
        out.status = wrong ? SuggestionStatus::kRejected : SuggestionStatus::kUnverified;
        out.reason =
            (wrong ? "it fails in the sandbox: " : "the sandbox could not check it: ") + Message(report.error());
        return;
    }
    const QueryValidation* q = report->queries.empty() ? nullptr : &report->queries[0];
    if (report->verdict == sandbox::Verdict::kImproved && q != nullptr && !q->plan_before.root.node_type.empty() &&
        SamePlan(q->plan_before.root, q->plan_after.root)) {
        out.status = SuggestionStatus::kRejected;
        out.speedup = report->speedup;
        out.reason = fmt::format(
            "same rows, but PostgreSQL plans it exactly like the original, so it cannot be faster (the {} the "
            "sandbox measured is noise)",
            HumanRatio(report->speedup));
        return;
    }
    if (report->verdict == sandbox::Verdict::kImproved) {
        out.status = SuggestionStatus::kVerified;
        out.speedup = report->speedup;
        std::string rows;
        if (q != nullptr && q->equivalence) rows = fmt::format(" ({})", q->equivalence->original_rows);
        out.reason = fmt::format("same rows{} and {} in a {} sandbox", rows, report->reason, sandbox::SandboxKindName(report->sandbox_kind));
        return;
    }
    out.status = SuggestionStatus::kRejected;
    out.speedup = report->equivalent.value_or(false) ? std::optional<double>(report->speedup) : std::nullopt;
    out.reason = report->reason;
}

// --- index ideas ---------------------------------------------------------------------------------

// The end of the quoted identifier starting at `q` ("" is a quote inside).
std::size_t QuotedIdentEnd(std::string_view sql, std::size_t q) {
    for (std::size_t i = q + 1; i < sql.size(); ++i) {
        if (sql[i] != '"') continue;
        if (i + 1 < sql.size() && sql[i + 1] == '"') {
            ++i;
        } else {
            return i + 1;
        }
    }
    return npos;
}

// The text inside the parenthesis opening at `open`, or npos as `end` when unbalanced.
std::string_view Parenthesized(std::string_view sql, std::size_t open, std::size_t& end) {
    int depth = 0;
    for (std::size_t i = open; i < sql.size(); ++i) {
        const char c = sql[i];
        if (c == '"' || c == '\'') {
            i = c == '"' ? QuotedIdentEnd(sql, i) : QuotedEnd(sql, i, false);
            if (i == npos) break;
            --i;
        } else if (c == '(') {
            ++depth;
        } else if (c == ')' && --depth == 0) {
            end = i + 1;
            return sql.substr(open + 1, i - open - 1);
        }
    }
    end = npos;
    return {};
}

// The plain column names of a parenthesized index element list: `a`, `"Mixed"` and `b DESC` give
// a, Mixed and b; expressions (`(lower(e))`, `f(x)`) are left to PostgreSQL.
void PlainColumns(std::string_view list, std::vector<std::string>& out) {
    std::size_t start = 0;
    int depth = 0;
    for (std::size_t i = 0; i <= list.size(); ++i) {
        const char c = i < list.size() ? list[i] : ',';
        if (c == '"' && i < list.size()) {
            const std::size_t e = QuotedIdentEnd(list, i);
            if (e == npos) return;
            i = e - 1;
            continue;
        }
        if (c == '(') ++depth;
        if (c == ')') --depth;
        if (c != ',' || depth != 0) continue;
        const std::string_view element = Trim(list.substr(start, i - start));
        start = i + 1;
        if (element.empty()) continue;
        if (element[0] == '"') {
            const std::size_t e = QuotedIdentEnd(element, 0);
            if (e == npos) continue;
            std::string name;
            for (std::size_t k = 1; k + 1 < e; ++k) {
                name += element[k];
                if (element[k] == '"') ++k;
            }
            out.push_back(name);
            continue;
        }
        std::size_t k = 0;
        while (k < element.size() && (std::isalnum(static_cast<unsigned char>(element[k])) != 0 || element[k] == '_')) {
            ++k;
        }
        if (k == 0 || (k < element.size() && element[k] == '(')) continue;  // an expression or a function call
        std::string name(element.substr(0, k));
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char ch) { return std::tolower(ch); });
        out.push_back(name);
    }
}

// A CREATE INDEX without a name gets one, so it can be read (and later applied and rolled back) by name.
std::string WithIndexName(const std::string& ddl, std::size_t ordinal) {
    static const std::regex kUnnamed(R"(^(\s*CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?:CONCURRENTLY\s+)?)(ON\s))",
                                     std::regex::icase);
    return std::regex_replace(ddl, kUnnamed, fmt::format("$1ai_index_idea_{} $2", ordinal),
                              std::regex_constants::format_first_only);
}

IndexIdeaCheck CheckIndexIdea(pg::Connection& target,
                              RelationCatalog& catalog,
                              const StatementUnderReview& statement,
                              advisor::HypoPgWhatIf* whatif,
                              const std::string& whatif_problem,
                              const llm::IndexIdea& idea,
                              std::size_t ordinal,
                              const VerificationOptions& options) {
    IndexIdeaCheck out;
    out.ddl = WithoutTrailingSemicolons(idea.ddl);
    out.rationale = idea.rationale;
    out.status = SuggestionStatus::kRejected;
    if (out.ddl.empty()) {
        out.reason = "the model gave no DDL";
        return out;
    }
    auto index = ReadIndexSql(out.ddl);
    if (!index && index.error().message.find("no index name") != npos)
        index = ReadIndexSql(WithIndexName(out.ddl, ordinal));
    if (!index) {
        out.reason = index.error().message;
        return out;
    }
    auto table = catalog.Resolve(index->ddl.schema, index->ddl.table);
    const std::string table_name =
        index->ddl.schema.empty() ? index->ddl.table : index->ddl.schema + "." + index->ddl.table;
    if (!table) {
        out.status = SuggestionStatus::kUnverified;
        out.reason = "could not read the catalog: " + Message(table.error());
        return out;
    }
    if (!*table) {
        out.reason = fmt::format("table {} does not exist", table_name);
        return out;
    }
    if ((*table)->kind == 'v') {
        out.reason = fmt::format("{} is a view, which cannot be indexed", table_name);
        return out;
    }
    std::vector<std::string> unknown;
    for (const auto& column : PlainIndexColumns(index->create_plain)) {
        if (!(*table)->HasColumn(column) && std::find(unknown.begin(), unknown.end(), column) == unknown.end()) {
            unknown.push_back(column);
        }
    }
    if (!unknown.empty()) {
        out.reason =
            fmt::format("{} has no column{} {}", table_name, unknown.size() == 1 ? "" : "s", Join(unknown, ", "));
        return out;
    }
    out.status = SuggestionStatus::kUnverified;
    if (whatif == nullptr) {
        out.reason = whatif_problem;
        return out;
    }
    auto before = whatif->Cost(statement.runnable_sql);
    if (!before) {
        out.reason = "could not plan the statement: " + Message(before.error());
        return out;
    }
    out.cost_before = *before;
    // HypoPG reads the statement with PostgreSQL's parser and builds only a hypothetical index in this
    // session's memory: nothing is written. ReadIndexSql has made sure it is one CREATE INDEX.
    const std::optional<std::string> params[] = {index->create_plain};
    auto created = target.Query("SELECT indexrelid, indexname FROM hypopg_create_index($1)", params);
    if (!created || created->empty()) {
        // HypoPG reports what PostgreSQL would refuse (an unknown column or operator class) as XX000.
        if (!created && (StatementIsWrong(created.error()) || created.error().message.find("does not exist") != npos)) {
            out.status = SuggestionStatus::kRejected;
            out.reason = "PostgreSQL refuses it: " + Message(created.error());
        } else {
            out.reason = "HypoPG cannot simulate it (" +
                         (created ? std::string("no index created") : Message(created.error())) +
                         "); build it in a sandbox with `optischema validate --ddl`";
        }
        return out;
    }
    const std::string oid = (*created)[0][0].value_or("0");
    const std::string hypothetical = (*created)[0][1].value_or("");
    auto plan = PlanReadOnly(target, statement.runnable_sql);
    (void)whatif->Drop(advisor::HypotheticalIndex{std::stoll(oid), 0});
    if (!plan) {
        out.reason = "could not plan the statement with it: " + Message(plan.error());
        return out;
    }
    out.cost_after = plan->root.total_cost;
    const bool used = FindNode(plan->root, [&](const model::PlanNode& n) { return n.index_name == hypothetical; });
    const double drop = *out.cost_before > 0 ? 1 - *out.cost_after / *out.cost_before : 0;
    if (!used) {
        out.status = SuggestionStatus::kRejected;
        out.reason = fmt::format("the planner does not use it for this statement (cost {} with or without it)",
                                 Cost(*out.cost_before));
    } else if (drop < options.min_cost_drop) {
        out.status = SuggestionStatus::kRejected;
        out.reason = fmt::format(
            "the planner uses it, but the cost only goes from {} to {} ({:.0f}% less; at least {:.0f}% is asked)",
            Cost(*out.cost_before), Cost(*out.cost_after), drop * 100, options.min_cost_drop * 100);
    } else {
        out.status = SuggestionStatus::kVerified;
        out.reason = fmt::format("the planner uses it (HypoPG what-if): cost {} -> {} ({:.0f}% less)",
                                 Cost(*out.cost_before), Cost(*out.cost_after), drop * 100);
    }
    return out;
}

}  // namespace

std::vector<std::string> PlainIndexColumns(std::string_view ddl) {
    // The first parenthesis after ON opens the key list.
    std::vector<std::string> out;
    static const std::regex kOn(R"(\sON\s)", std::regex::icase);
    std::match_results<std::string_view::const_iterator> m;
    if (!std::regex_search(ddl.begin(), ddl.end(), m, kOn)) return out;
    std::size_t i = static_cast<std::size_t>(m.position(0));
    while (i < ddl.size() && ddl[i] != '(') {
        if (ddl[i] == '"') {
            i = QuotedIdentEnd(ddl, i);
            if (i == npos) return out;
        } else {
            ++i;
        }
    }
    if (i >= ddl.size()) return out;
    std::size_t end = npos;
    PlainColumns(Parenthesized(ddl, i, end), out);
    if (end == npos) return out;
    static const std::regex kInclude(R"(^\s*INCLUDE\s*\()", std::regex::icase);
    const std::string_view rest = ddl.substr(end);
    if (std::regex_search(rest.begin(), rest.end(), m, kInclude)) {
        const std::size_t open = end + static_cast<std::size_t>(m.length(0)) - 1;
        PlainColumns(Parenthesized(ddl, open, end), out);
    }
    return out;
}

const char* SuggestionStatusName(SuggestionStatus status) {
    switch (status) {
        case SuggestionStatus::kVerified:
            return "verified";
        case SuggestionStatus::kRejected:
            return "rejected";
        case SuggestionStatus::kUnverified:
            return "unverified";
    }
    return "unverified";
}

Result<std::vector<analyzer::SampleParam>> ReplacedConstants(std::string_view sql,
                                                             std::string_view normalized,
                                                             const model::ParsedQuery& normalized_parsed) {
    auto mismatch = [] {
        return MakeError(ErrorCode::kInternal, "the normalized statement does not line up with the statement");
    };
    std::vector<model::ParamRef> refs = normalized_parsed.param_refs;
    std::sort(refs.begin(), refs.end(), [](const auto& a, const auto& b) { return a.location < b.location; });
    std::vector<analyzer::SampleParam> out;
    std::size_t i = 0;  // in sql
    std::size_t j = 0;  // in normalized
    for (const auto& ref : refs) {
        const auto location = static_cast<std::size_t>(ref.location);
        if (location < j || location >= normalized.size()) return mismatch();
        const std::string_view same = normalized.substr(j, location - j);
        if (sql.substr(i, same.size()) != same) return mismatch();
        i += same.size();
        std::size_t k = location + 1;
        while (k < normalized.size() && std::isdigit(static_cast<unsigned char>(normalized[k])) != 0) ++k;
        const std::string_view token = normalized.substr(location, k - location);
        j = k;
        const std::size_t after = i + token.size();
        if (sql.substr(i, token.size()) == token &&
            (after >= sql.size() || std::isdigit(static_cast<unsigned char>(sql[after])) == 0)) {
            i = after;  // a parameter the statement already had
            continue;
        }
        const std::size_t end = ConstantEnd(sql, i);
        if (end == npos) return mismatch();
        out.push_back({ref.number, "", std::string(sql.substr(i, end - i)), "as written in the statement"});
        i = end;
    }
    if (sql.substr(i) != normalized.substr(j)) return mismatch();
    return out;
}

StatementUnderReview ReviewStatement(pg::Connection& target,
                                     ColumnStatsCache& stats,
                                     const std::string& sql,
                                     const ExplainReport& report) {
    StatementUnderReview s;
    s.sql = sql;
    s.runnable_sql = sql;
    if (auto parsed = sqlparse::Parse(sql)) s.parsed = std::move(*parsed);
    auto normalized = sqlparse::Normalize(sql);
    s.normalized = normalized ? *normalized : sql;

    // Values of the statement's own $n: the sample explain chose, or one made now for a generic plan.
    if (report.method == "sample") {
        s.runnable_sql = report.sql;
        s.values.params = report.params;
    } else if (s.parsed.param_count > 0) {
        auto sample = MakeSample(target, stats, sql, s.parsed);
        if (sample) {
            s.runnable_sql = sample->sql;
            s.values.params = std::move(sample->params);
        } else {
            s.runnable = false;
            s.notes.push_back("no runnable sample of the statement: " + Message(sample.error()));
        }
    }
    // Values of the $n that normalization put in place of the statement's literals.
    s.param_count = s.parsed.param_count;
    if (s.normalized != sql) {
        auto normalized_parsed = sqlparse::Parse(s.normalized);
        if (normalized_parsed) s.param_count = normalized_parsed->param_count;
        auto constants = normalized_parsed
                             ? ReplacedConstants(sql, s.normalized, *normalized_parsed)
                             : Result<std::vector<analyzer::SampleParam>>(tl::unexpected(normalized_parsed.error()));
        if (constants) {
            s.values.params.insert(s.values.params.end(), constants->begin(), constants->end());
        } else {
            s.notes.push_back("rewrites that keep the normalized $n cannot be given the statement's values: " +
                              constants.error().message);
        }
    }
    s.values.sql = s.runnable_sql;
    if (report.method == "literal" || report.method == "sample") {
        s.cost = report.plan.root.total_cost;
    } else if (s.runnable) {
        if (auto plan = PlanReadOnly(target, s.runnable_sql)) s.cost = plan->root.total_cost;
    }
    return s;
}

std::vector<RewriteCheck> CheckRewrites(pg::Connection& target,
                                        RelationCatalog& catalog,
                                        const StatementUnderReview& statement,
                                        const std::vector<llm::Rewrite>& rewrites,
                                        const VerificationOptions& options) {
    std::vector<RewriteCheck> out;
    std::size_t sandboxed = 0;
    for (const auto& rewrite : rewrites) {
        RewriteGate gate = StaticChecks(target, catalog, statement, rewrite);
        if (gate.passed) {
            const std::string planned = PlannedNote(gate.check, statement);
            if (options.verify_in == "none") {
                gate.check.reason = planned + "; not run (--verify-in none): its rows and speed are unchecked";
            } else if (statement.parsed.statement_type != "SELECT") {
                gate.check.reason = planned + fmt::format(
                                                  "; only SELECT rewrites are run to compare their rows, "
                                                  "and this is a {}",
                                                  statement.parsed.statement_type);
            } else if (sandboxed >= options.max_sandbox_rewrites) {
                gate.check.reason = planned + fmt::format(
                                                  "; not run: only the first {} rewrites are run in the "
                                                  "sandbox; check it with `optischema validate --rewrite`",
                                                  options.max_sandbox_rewrites);
            } else {
                ++sandboxed;
                RunInSandbox(gate, statement, options);
            }
        }
        out.push_back(std::move(gate.check));
    }
    return out;
}

std::vector<IndexIdeaCheck> CheckIndexIdeas(pg::Connection& target,
                                            RelationCatalog& catalog,
                                            const StatementUnderReview& statement,
                                            const std::vector<llm::IndexIdea>& ideas,
                                            const VerificationOptions& options) {
    std::vector<IndexIdeaCheck> out;
    if (ideas.empty()) return out;
    std::string problem;
    std::optional<advisor::HypoPgWhatIf> whatif;
    if (!statement.runnable) {
        problem = "not costed: the statement has no runnable form (see the notes)";
    } else if (auto opened = advisor::HypoPgWhatIf::Open(target)) {
        whatif.emplace(std::move(*opened));
    } else {
        problem = "not costed: " + opened.error().message;
    }
    for (std::size_t i = 0; i < ideas.size(); ++i) {
        out.push_back(
            CheckIndexIdea(target, catalog, statement, whatif ? &*whatif : nullptr, problem, ideas[i], i + 1, options));
    }
    return out;
}

}  // namespace optischema::service
