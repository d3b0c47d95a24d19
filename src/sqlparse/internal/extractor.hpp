#pragma once

// Internal to sqlparse/: the walk of one statement's parse tree that fills a ParsedQuery.

#include <string>
#include <string_view>
#include <vector>

#include "model/parsed_query.hpp"
#include "sqlparse/internal/expression_text.hpp"
#include "sqlparse/internal/parse_tree.hpp"

namespace optischema::sqlparse {

/// A FROM-clause entry visible to column references.
struct ScopeEntry {
    std::string exposed;  // the alias, or the relation name when there is no alias
    std::string schema;
    std::string relname;  // empty for CTE references, subqueries and functions
    bool is_table = false;
};

/// The names one query level can see; `parent` is the enclosing level for correlated references.
struct Scope {
    const Scope* parent = nullptr;
    std::vector<ScopeEntry> entries;
    std::vector<std::string> ctes;
    const json* target_list = nullptr;
    bool is_set_operation = false;  // unqualified names are the output columns of a UNION etc.
};

/// A FROM item whose expressions are walked once the whole FROM list is known.
struct Deferred {
    enum class Kind { kSubquery, kJoin, kExpressions };
    Kind kind;
    const json* node;
    bool lateral = false;
};

/// Walks one statement's JSON parse tree and fills a ParsedQuery. Holds pointers into the tree it
/// walks and a view of `sql`. Statements, FROM lists and relations: extract_statements.cpp;
/// predicates, GROUP BY, ORDER BY, LIMIT and column uses: extract_predicates.cpp.
class Extractor {
public:
    explicit Extractor(std::string_view sql) : text_(sql) {}

    /// The ParsedQuery of `stmt` (one element of the tree's "stmts"), except statement_count. Call once.
    [[nodiscard]] model::ParsedQuery Run(const json& stmt);

private:
    struct SeenRelation {
        model::RelationRef ref;
        long long location = 0;
    };

    void WalkStatement(const json& node, const Scope* parent, bool top);
    void WalkStatementBody(std::string_view type, const json& body, const Scope* parent, bool top);
    void WalkOther(const json& node);
    void WalkSelect(const json& body, const Scope* parent, bool top);
    void RecordOrdered(const json& body);
    void WalkInsert(const json& body, const Scope* parent);
    void RecordSelected(const json& targets);
    void WalkUpdate(const json& body, const Scope* parent);
    void WalkDelete(const json& body, const Scope* parent);
    void WalkWith(const json& with, const Scope* parent, Scope& scope);
    std::vector<Deferred> AddFromList(const json* from, Scope& scope);
    void AddFromItem(const json& item, Scope& scope, std::vector<Deferred>& deferred);
    void WalkDeferred(const std::vector<Deferred>& deferred, const Scope& scope, const Scope* parent);
    void WalkUsing(const json& join, const Scope& scope);
    void EmitUsingSide(const std::vector<ScopeEntry>& self,
                       const std::vector<ScopeEntry>& other,
                       const std::string& column);
    [[nodiscard]] std::vector<ScopeEntry> EntriesOf(const json* item, const Scope& scope) const;
    [[nodiscard]] ScopeEntry EntryFor(const json& range_var, const Scope& scope) const;
    ScopeEntry RegisterRangeVar(const json& range_var, const Scope& scope);
    void RecordRelation(const json& range_var);
    void FinishRelations();
    void ScanTree(const json& node);

    void WalkPredicate(const json& node, const Scope& scope, model::ClauseKind clause, bool negated);
    void WalkTest(const json* arg, std::string op, const Scope& scope, model::ClauseKind clause, bool negated);
    void WalkAExpr(const json& body, const Scope& scope, model::ClauseKind clause, bool negated);
    void WalkComparison(const json& lexpr,
                        const std::string& op,
                        const json& rexpr,
                        const Scope& scope,
                        model::ClauseKind clause,
                        bool negated);
    void WalkSubLinkPredicate(const json& body, const Scope& scope, model::ClauseKind clause, bool negated);
    void WalkSublinks(const json& node, const Scope& scope);
    void WalkGroupClause(const json* list, const Scope& scope);
    void WalkSortClause(const json* list, const Scope& scope);
    void WalkLimit(const json& body, const Scope& scope, bool top);
    void EmitColumns(const json& side, const Scope& scope, const model::ColumnUse& proto);

    ExpressionText text_;
    model::ParsedQuery out_;
    std::vector<SeenRelation> seen_;
};

}  // namespace optischema::sqlparse
