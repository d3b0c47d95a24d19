#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "analyzer/plan.hpp"
#include "common/format.hpp"
#include "common/strings.hpp"
#include "service/ai_verification.hpp"
#include "service/internal/ai_checks.hpp"
#include "service/validate.hpp"
#include "sqlparse/sqlparse.hpp"

namespace optischema::service {
namespace {

struct RewriteGate {
    RewriteCheck check;
    std::string runnable;  // the rewrite with the original's values, when it passed the static checks
    bool passed = false;
};

// Parse, kind, relations, columns, parameters and the target's planner: everything short of running it.
RewriteGate StaticChecks(pg::Connection& target,
                         const guard::Allowlist& allow,
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
            out.reason = "could not read the catalog: " + ServerMessage(found.error());
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
    auto plan = PlanReadOnly(target, gate.runnable, allow);
    if (!plan) {
        out.status = StatementIsWrong(plan.error()) ? SuggestionStatus::kRejected : SuggestionStatus::kUnverified;
        out.reason = (out.status == SuggestionStatus::kRejected ? "PostgreSQL cannot plan it: "
                                                                : "could not plan it on the target: ") +
                     ServerMessage(plan.error());
        return gate;
    }
    const auto nodes = analyzer::Flatten(*plan);
    const auto write = std::find_if(nodes.begin(), nodes.end(),
                                    [](const model::PlanNode* n) { return n->node_type == "ModifyTable"; });
    if (write != nodes.end() && original_type == "SELECT") {
        out.reason = fmt::format("it changes data ({} on {}); a rewrite of a query may only read", (*write)->operation,
                                 analyzer::QualifiedRelation(**write));
        return gate;
    }
    out.planned_cost = plan->root.total_cost;
    out.status = SuggestionStatus::kUnverified;
    gate.passed = true;
    return gate;
}

std::string PlannedNote(const RewriteCheck& check, const StatementUnderReview& statement) {
    if (!check.planned_cost) return "it parses and plans";
    if (!statement.cost) return fmt::format("it parses and plans (estimated cost {})", FormatCost(*check.planned_cost));
    return fmt::format("it parses and plans (estimated cost {}, the original {})", FormatCost(*check.planned_cost),
                       FormatCost(*statement.cost));
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
            (wrong ? "it fails in the sandbox: " : "the sandbox could not check it: ") + ServerMessage(report.error());
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
        out.reason = fmt::format("same rows{} and {} in a {} sandbox", rows, report->reason,
                                 sandbox::SandboxKindName(report->sandbox_kind));
        return;
    }
    out.status = SuggestionStatus::kRejected;
    out.speedup = report->equivalent.value_or(false) ? std::optional<double>(report->speedup) : std::nullopt;
    out.reason = report->reason;
}

}  // namespace

std::vector<RewriteCheck> CheckRewrites(pg::Connection& target,
                                        RelationCatalog& catalog,
                                        const StatementUnderReview& statement,
                                        const std::vector<llm::Rewrite>& rewrites,
                                        const VerificationOptions& options) {
    std::vector<RewriteCheck> out;
    std::size_t sandboxed = 0;
    for (const auto& rewrite : rewrites) {
        RewriteGate gate = StaticChecks(target, options.allow, catalog, statement, rewrite);
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

}  // namespace optischema::service
