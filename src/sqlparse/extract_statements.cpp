// Extractor: statements, WITH, FROM lists and the relations they name.
#include <algorithm>
#include <utility>

#include "sqlparse/internal/extractor.hpp"

namespace optischema::sqlparse {

using model::ClauseKind;
using model::ColumnUse;
using model::Operand;
using model::ParsedQuery;
using model::RelationRef;

namespace {

// Fields typed `RangeVar*` in the C structs (IndexStmt.relation, IntoClause.rel) are written
// without the {"RangeVar": ...} wrapper that `Node*` fields get.
bool IsBareRangeVar(const json& value) {
    return value.is_object() && Field(value, "relname") != nullptr && Field(value, "relpersistence") != nullptr;
}

std::string AliasName(const json& body) {
    const json* alias = Field(body, "alias");
    return alias != nullptr ? StringField(*alias, "aliasname") : std::string();
}

bool IsCte(const std::string& name, const Scope* scope) {
    for (; scope != nullptr; scope = scope->parent) {
        if (std::find(scope->ctes.begin(), scope->ctes.end(), name) != scope->ctes.end()) return true;
    }
    return false;
}

}  // namespace

ParsedQuery Extractor::Run(const json& stmt) {
    const std::string_view type = NodeType(stmt);
    if (type == "SelectStmt") {
        out_.statement_type = "SELECT";
    } else if (type == "InsertStmt") {
        out_.statement_type = "INSERT";
    } else if (type == "UpdateStmt") {
        out_.statement_type = "UPDATE";
    } else if (type == "DeleteStmt") {
        out_.statement_type = "DELETE";
    } else {
        out_.statement_type = "OTHER";
    }
    if (type == "SelectStmt" || type == "InsertStmt" || type == "UpdateStmt" || type == "DeleteStmt") {
        WalkStatement(stmt, nullptr, true);
    } else {
        WalkOther(stmt);
    }
    ScanTree(stmt);
    FinishRelations();
    return std::move(out_);
}

void Extractor::WalkStatement(const json& node, const Scope* parent, bool top) {
    const std::string_view type = NodeType(node);
    if (!type.empty()) WalkStatementBody(type, NodeBody(node), parent, top);
}

void Extractor::WalkStatementBody(std::string_view type, const json& body, const Scope* parent, bool top) {
    if (type == "SelectStmt") {
        WalkSelect(body, parent, top);
    } else if (type == "InsertStmt") {
        WalkInsert(body, parent);
    } else if (type == "UpdateStmt") {
        WalkUpdate(body, parent);
    } else if (type == "DeleteStmt") {
        WalkDelete(body, parent);
    } else {
        Scope scope;
        scope.parent = parent;
        WalkSublinks(body, scope);
    }
}

// Statements other than DML: their DML parts (EXPLAIN's query, a view's body) are walked as
// statements, other RangeVars (CREATE INDEX ON t, VACUUM t) are recorded as relations.
void Extractor::WalkOther(const json& node) {
    if (node.is_array()) {
        for (const json& item : node) WalkOther(item);
        return;
    }
    if (!node.is_object()) return;
    for (const auto& [key, value] : node.items()) {
        if (key == "SelectStmt" || key == "InsertStmt" || key == "UpdateStmt" || key == "DeleteStmt") {
            WalkStatementBody(key, value, nullptr, false);
        } else if (key == "RangeVar" || IsBareRangeVar(value)) {
            RecordRelation(value);
        } else {
            WalkOther(value);
        }
    }
}

void Extractor::WalkSelect(const json& body, const Scope* parent, bool top) {
    Scope scope;
    scope.parent = parent;
    if (const json* with = Field(body, "withClause")) WalkWith(*with, parent, scope);

    if (const std::string op = StringField(body, "op"); !op.empty() && op != "SETOP_NONE") {
        // larg and rarg are bare SelectStmt bodies, not wrapped nodes.
        scope.is_set_operation = true;
        if (const json* larg = Field(body, "larg")) WalkSelect(*larg, &scope, false);
        if (const json* rarg = Field(body, "rarg")) WalkSelect(*rarg, &scope, false);
        WalkSortClause(Field(body, "sortClause"), scope);
        if (top) RecordOrdered(body);
        WalkLimit(body, scope, top);
        return;
    }

    if (const json* into = Field(body, "intoClause")) {
        if (const json* rel = Field(*into, "rel")) RecordRelation(*rel);
    }
    const std::vector<Deferred> deferred = AddFromList(Field(body, "fromClause"), scope);
    scope.target_list = Field(body, "targetList");
    if (scope.target_list != nullptr) WalkSublinks(*scope.target_list, scope);
    if (top && scope.target_list != nullptr) RecordSelected(*scope.target_list);
    if (const json* values = Field(body, "valuesLists")) WalkSublinks(*values, scope);
    WalkDeferred(deferred, scope, parent);
    if (const json* where = Field(body, "whereClause")) WalkPredicate(*where, scope, ClauseKind::kWhere, false);
    WalkGroupClause(Field(body, "groupClause"), scope);
    if (const json* having = Field(body, "havingClause")) {
        WalkPredicate(*having, scope, ClauseKind::kWhere, false);
    }
    if (const json* window = Field(body, "windowClause")) WalkSublinks(*window, scope);
    WalkSortClause(Field(body, "sortClause"), scope);
    if (top) RecordOrdered(body);
    WalkLimit(body, scope, top);
}

void Extractor::RecordOrdered(const json& body) {
    const json* sort = Field(body, "sortClause");
    out_.ordered = sort != nullptr && sort->is_array() && !sort->empty();
}

void Extractor::WalkInsert(const json& body, const Scope* parent) {
    Scope scope;
    scope.parent = parent;
    if (const json* with = Field(body, "withClause")) WalkWith(*with, parent, scope);
    // The SELECT of INSERT ... SELECT cannot see the target table, so it gets the CTEs only.
    if (const json* select = Field(body, "selectStmt")) WalkStatement(*select, &scope, false);

    Scope target_scope;
    target_scope.parent = &scope;
    if (const json* rel = Field(body, "relation")) target_scope.entries.push_back(RegisterRangeVar(*rel, scope));
    if (const json* conflict = Field(body, "onConflictClause")) {
        target_scope.entries.push_back(ScopeEntry{"excluded", "", "", false});
        if (const json* targets = Field(*conflict, "targetList")) WalkSublinks(*targets, target_scope);
        if (const json* where = Field(*conflict, "whereClause")) {
            WalkPredicate(*where, target_scope, ClauseKind::kWhere, false);
        }
    }
    if (const json* returning = Field(body, "returningList")) WalkSublinks(*returning, target_scope);
}

// The columns the top-level select list reads (for index-only scans), and whether it has `*`.
void Extractor::RecordSelected(const json& targets) {
    std::vector<const json*> stack{&targets};
    while (!stack.empty()) {
        const json* node = stack.back();
        stack.pop_back();
        if (node->is_object()) {
            if (const json* ref = Field(*node, "ColumnRef"); ref != nullptr) {
                const json* fields = Field(*ref, "fields");
                if (fields != nullptr && fields->is_array() && !fields->empty()) {
                    const json& last = fields->back();
                    if (Field(last, "A_Star") != nullptr) {
                        out_.selects_star = true;
                    } else if (const json* str = Field(last, "String"); str != nullptr) {
                        const std::string name = StringField(*str, "sval");
                        if (!name.empty() && std::find(out_.selected_columns.begin(), out_.selected_columns.end(),
                                                       name) == out_.selected_columns.end()) {
                            out_.selected_columns.push_back(name);
                        }
                    }
                }
                continue;
            }
            if (Field(*node, "SubLink") != nullptr) continue;  // a subquery reads its own tables
        }
        if (node->is_structured()) {
            // Pushed in reverse so that columns come out in the order they are written.
            std::vector<const json*> children;
            for (const json& child : *node) children.push_back(&child);
            stack.insert(stack.end(), children.rbegin(), children.rend());
        }
    }
}

void Extractor::WalkUpdate(const json& body, const Scope* parent) {
    Scope scope;
    scope.parent = parent;
    if (const json* with = Field(body, "withClause")) WalkWith(*with, parent, scope);
    if (const json* rel = Field(body, "relation")) scope.entries.push_back(RegisterRangeVar(*rel, scope));
    const std::vector<Deferred> deferred = AddFromList(Field(body, "fromClause"), scope);
    if (const json* targets = Field(body, "targetList")) {
        WalkSublinks(*targets, scope);
        if (parent == nullptr && targets->is_array()) {
            for (const json& target : *targets) {
                const json* res = Field(target, "ResTarget");
                const std::string name = res != nullptr ? StringField(*res, "name") : std::string();
                if (!name.empty()) out_.updated_columns.push_back(name);
            }
        }
    }
    WalkDeferred(deferred, scope, parent);
    if (const json* where = Field(body, "whereClause")) WalkPredicate(*where, scope, ClauseKind::kWhere, false);
    if (const json* returning = Field(body, "returningList")) WalkSublinks(*returning, scope);
}

void Extractor::WalkDelete(const json& body, const Scope* parent) {
    Scope scope;
    scope.parent = parent;
    if (const json* with = Field(body, "withClause")) WalkWith(*with, parent, scope);
    if (const json* rel = Field(body, "relation")) scope.entries.push_back(RegisterRangeVar(*rel, scope));
    const std::vector<Deferred> deferred = AddFromList(Field(body, "usingClause"), scope);
    WalkDeferred(deferred, scope, parent);
    if (const json* where = Field(body, "whereClause")) WalkPredicate(*where, scope, ClauseKind::kWhere, false);
    if (const json* returning = Field(body, "returningList")) WalkSublinks(*returning, scope);
}

// A non-recursive CTE sees only the CTEs before it; WITH RECURSIVE makes all of them visible to all.
void Extractor::WalkWith(const json& with, const Scope* parent, Scope& scope) {
    const bool recursive = BoolField(with, "recursive");
    std::vector<const json*> bodies;
    const json* ctes = Field(with, "ctes");
    if (ctes == nullptr || !ctes->is_array()) return;
    for (const json& item : *ctes) {
        const json* cte = As(&item, "CommonTableExpr");
        if (cte == nullptr) continue;
        scope.ctes.push_back(StringField(*cte, "ctename"));
        bodies.push_back(Field(*cte, "ctequery"));
    }
    for (std::size_t i = 0; i < bodies.size(); ++i) {
        if (bodies[i] == nullptr) continue;
        Scope cte_scope;
        cte_scope.parent = parent;
        cte_scope.ctes.assign(scope.ctes.begin(),
                              recursive ? scope.ctes.end() : scope.ctes.begin() + static_cast<long>(i));
        WalkStatement(*bodies[i], &cte_scope, false);
    }
}

std::vector<Deferred> Extractor::AddFromList(const json* from, Scope& scope) {
    std::vector<Deferred> deferred;
    if (from == nullptr || !from->is_array()) return deferred;
    for (const json& item : *from) AddFromItem(item, scope, deferred);
    return deferred;
}

void Extractor::AddFromItem(const json& item, Scope& scope, std::vector<Deferred>& deferred) {
    const std::string_view type = NodeType(item);
    if (type.empty()) return;
    const json& body = NodeBody(item);
    if (type == "RangeVar") {
        scope.entries.push_back(RegisterRangeVar(body, scope));
    } else if (type == "JoinExpr") {
        if (const json* larg = Field(body, "larg")) AddFromItem(*larg, scope, deferred);
        if (const json* rarg = Field(body, "rarg")) AddFromItem(*rarg, scope, deferred);
        if (const json* alias = Field(body, "alias")) {
            scope.entries.push_back(ScopeEntry{StringField(*alias, "aliasname"), "", "", false});
        }
        deferred.push_back(Deferred{Deferred::Kind::kJoin, &body, false});
    } else if (type == "RangeSubselect") {
        scope.entries.push_back(ScopeEntry{AliasName(body), "", "", false});
        if (const json* subquery = Field(body, "subquery")) {
            deferred.push_back(Deferred{Deferred::Kind::kSubquery, subquery, BoolField(body, "lateral")});
        }
    } else if (type == "RangeTableSample") {
        if (const json* rel = Field(body, "relation")) AddFromItem(*rel, scope, deferred);
        deferred.push_back(Deferred{Deferred::Kind::kExpressions, &body, false});
    } else {
        // RangeFunction (generate_series, unnest($1)), XMLTABLE, ...: a name but no table.
        scope.entries.push_back(ScopeEntry{AliasName(body), "", "", false});
        deferred.push_back(Deferred{Deferred::Kind::kExpressions, &body, false});
    }
}

void Extractor::WalkDeferred(const std::vector<Deferred>& deferred, const Scope& scope, const Scope* parent) {
    for (const Deferred& d : deferred) {
        switch (d.kind) {
            case Deferred::Kind::kSubquery:
                // A FROM subquery sees the outer levels, and the rest of this FROM list only when LATERAL.
                WalkStatement(*d.node, d.lateral ? &scope : parent, false);
                break;
            case Deferred::Kind::kJoin:
                if (const json* quals = Field(*d.node, "quals")) {
                    WalkPredicate(*quals, scope, ClauseKind::kJoin, false);
                }
                WalkUsing(*d.node, scope);
                break;
            case Deferred::Kind::kExpressions:
                WalkSublinks(*d.node, scope);
                break;
        }
    }
}

// `a JOIN b USING (id)` compares a.id with b.id: one ColumnUse per side, as for `a.id = b.id`.
void Extractor::WalkUsing(const json& join, const Scope& scope) {
    const std::vector<std::string> columns = Names(Field(join, "usingClause"));
    if (columns.empty()) return;
    const std::vector<ScopeEntry> left = EntriesOf(Field(join, "larg"), scope);
    const std::vector<ScopeEntry> right = EntriesOf(Field(join, "rarg"), scope);
    for (const std::string& column : columns) {
        EmitUsingSide(left, right, column);
        EmitUsingSide(right, left, column);
    }
}

void Extractor::EmitUsingSide(const std::vector<ScopeEntry>& self,
                              const std::vector<ScopeEntry>& other,
                              const std::string& column) {
    ColumnUse use;
    use.clause = ClauseKind::kJoin;
    use.column = column;
    use.op = "=";
    if (self.size() == 1 && self.front().is_table) use.relation = self.front().relname;
    use.operand.kind = Operand::Kind::kColumn;
    use.operand.text = other.size() == 1 ? other.front().exposed + "." + column : column;
    out_.columns.push_back(std::move(use));
}

/// The scope entries a FROM item exposes, without recording anything.
std::vector<ScopeEntry> Extractor::EntriesOf(const json* item, const Scope& scope) const {
    std::vector<ScopeEntry> out;
    if (item == nullptr || NodeType(*item).empty()) return out;
    const std::string_view type = NodeType(*item);
    const json& body = NodeBody(*item);
    if (type == "RangeVar") {
        out.push_back(EntryFor(body, scope));
    } else if (type == "JoinExpr" && Field(body, "alias") == nullptr) {
        for (const char* side : {"larg", "rarg"}) {
            std::vector<ScopeEntry> part = EntriesOf(Field(body, side), scope);
            out.insert(out.end(), part.begin(), part.end());
        }
    } else if (type == "RangeTableSample") {
        return EntriesOf(Field(body, "relation"), scope);
    } else {
        out.push_back(ScopeEntry{AliasName(body), "", "", false});
    }
    return out;
}

ScopeEntry Extractor::EntryFor(const json& range_var, const Scope& scope) const {
    ScopeEntry e;
    e.schema = StringField(range_var, "schemaname");
    e.relname = StringField(range_var, "relname");
    const std::string alias = AliasName(range_var);
    e.exposed = alias.empty() ? e.relname : alias;
    e.is_table = !(e.schema.empty() && IsCte(e.relname, &scope));
    if (!e.is_table) e.relname.clear();
    return e;
}

ScopeEntry Extractor::RegisterRangeVar(const json& range_var, const Scope& scope) {
    ScopeEntry e = EntryFor(range_var, scope);
    if (e.is_table) RecordRelation(range_var);
    return e;
}

void Extractor::RecordRelation(const json& range_var) {
    RelationRef ref{StringField(range_var, "schemaname"), StringField(range_var, "relname"), AliasName(range_var)};
    seen_.push_back({std::move(ref), IntField(range_var, "location")});
}

// Relations in order of appearance in the text, each (schema, name) once with its first alias.
void Extractor::FinishRelations() {
    std::stable_sort(seen_.begin(), seen_.end(),
                     [](const SeenRelation& a, const SeenRelation& b) { return a.location < b.location; });
    for (SeenRelation& s : seen_) {
        const bool known = std::any_of(out_.relations.begin(), out_.relations.end(), [&](const RelationRef& r) {
            return r.schema == s.ref.schema && r.name == s.ref.name;
        });
        if (!known) out_.relations.push_back(std::move(s.ref));
    }
}

// has_subquery, has_cte and param_count are properties of the whole tree, whatever the walk covers.
void Extractor::ScanTree(const json& node) {
    if (node.is_array()) {
        for (const json& item : node) ScanTree(item);
        return;
    }
    if (!node.is_object()) return;
    for (const auto& [key, value] : node.items()) {
        if (key == "SubLink" || key == "RangeSubselect") out_.has_subquery = true;
        if (key == "CommonTableExpr") out_.has_cte = true;
        if (key == "ParamRef") {
            const int number = static_cast<int>(IntField(value, "number"));
            out_.param_count = std::max(out_.param_count, number);
            // Locations are byte offsets into the whole input, as PostgreSQL reports them.
            out_.param_refs.push_back({number, static_cast<int>(IntField(value, "location"))});
        }
        ScanTree(value);
    }
}

}  // namespace optischema::sqlparse
