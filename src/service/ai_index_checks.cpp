#include <algorithm>
#include <optional>

#include <fmt/format.h>

#include "advisor/hypopg_whatif.hpp"
#include "analyzer/plan.hpp"
#include "common/strings.hpp"
#include "service/ai_verification.hpp"
#include "service/index_sql.hpp"
#include "service/internal/ai_checks.hpp"
#include "sqlparse/sqlparse.hpp"

namespace optischema::service {
namespace {

// The rest of the check once the index is known to be one CREATE INDEX on an existing table with
// existing columns: the planner's cost of the statement without and with it, and whether it is used.
void CostWithIndex(advisor::WhatIf& whatif,
                   const StatementUnderReview& statement,
                   const IndexSql& index,
                   const VerificationOptions& options,
                   IndexIdeaCheck& out) {
    auto before = whatif.Cost(statement.runnable_sql);
    if (!before) {
        out.reason = "could not plan the statement: " + ServerMessage(before.error());
        return;
    }
    out.cost_before = *before;
    // HypoPG reads the statement with PostgreSQL's parser and builds only a hypothetical index in this
    // session's memory: nothing is written. ReadIndexSql has made sure it is one CREATE INDEX.
    auto created = whatif.CreateFromSql(index.create_plain);
    if (!created) {
        // HypoPG reports what PostgreSQL would refuse (an unknown column or operator class) as XX000.
        if (StatementIsWrong(created.error()) || created.error().message.find("does not exist") != std::string::npos) {
            out.status = SuggestionStatus::kRejected;
            out.reason = "PostgreSQL refuses it: " + ServerMessage(created.error());
        } else {
            out.reason = "HypoPG cannot simulate it (" + ServerMessage(created.error()) +
                         "); build it in a sandbox with `optischema validate --ddl`";
        }
        return;
    }
    auto plan = whatif.Explain(statement.runnable_sql);
    (void)whatif.Drop(*created);
    if (!plan) {
        out.reason = "could not plan the statement with it: " + ServerMessage(plan.error());
        return;
    }
    out.cost_after = plan->root.total_cost;
    const auto nodes = analyzer::Flatten(*plan);
    const bool used = std::any_of(nodes.begin(), nodes.end(),
                                  [&](const model::PlanNode* n) { return n->index_name == created->name; });
    const double drop = *out.cost_before > 0 ? 1 - *out.cost_after / *out.cost_before : 0;
    if (!used) {
        out.status = SuggestionStatus::kRejected;
        out.reason = fmt::format("the planner does not use it for this statement (cost {} with or without it)",
                                 FormatCost(*out.cost_before));
    } else if (drop < options.min_cost_drop) {
        out.status = SuggestionStatus::kRejected;
        out.reason = fmt::format(
            "the planner uses it, but the cost only goes from {} to {} ({:.0f}% less; at least {:.0f}% is asked)",
            FormatCost(*out.cost_before), FormatCost(*out.cost_after), drop * 100, options.min_cost_drop * 100);
    } else {
        out.status = SuggestionStatus::kVerified;
        out.reason = fmt::format("the planner uses it (HypoPG what-if): cost {} -> {} ({:.0f}% less)",
                                 FormatCost(*out.cost_before), FormatCost(*out.cost_after), drop * 100);
    }
}

IndexIdeaCheck CheckIndexIdea(advisor::WhatIf* whatif,
                              const std::string& whatif_problem,
                              RelationCatalog& catalog,
                              const StatementUnderReview& statement,
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
    // A CREATE INDEX without a name gets one, so it can be read (and later applied and rolled back) by name.
    auto named = sqlparse::WithIndexName(out.ddl, fmt::format("ai_index_idea_{}", ordinal));
    auto index = ReadIndexSql(named ? *named : out.ddl);
    if (!index) {
        out.reason = index.error().message;
        return out;
    }
    auto table = catalog.Resolve(index->ddl.schema, index->ddl.table);
    const std::string table_name =
        index->ddl.schema.empty() ? index->ddl.table : index->ddl.schema + "." + index->ddl.table;
    if (!table) {
        out.status = SuggestionStatus::kUnverified;
        out.reason = "could not read the catalog: " + ServerMessage(table.error());
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
    CostWithIndex(*whatif, statement, *index, options, out);
    return out;
}

}  // namespace

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
    } else if (auto opened = advisor::HypoPgWhatIf::Open(target, options.allow)) {
        whatif.emplace(std::move(*opened));
    } else {
        problem = "not costed: " + opened.error().message;
    }
    for (std::size_t i = 0; i < ideas.size(); ++i) {
        out.push_back(
            CheckIndexIdea(whatif ? &*whatif : nullptr, problem, catalog, statement, ideas[i], i + 1, options));
    }
    return out;
}

}  // namespace optischema::service
