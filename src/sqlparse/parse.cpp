#include <algorithm>
#include <cctype>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <pg_query.h>

#include "common/strings.hpp"
#include "sqlparse/pg_query_error.hpp"
#include "sqlparse/sqlparse.hpp"

namespace optischema::sqlparse {
namespace {

using model::ClauseKind;
using model::ColumnUse;
using model::Operand;
using model::ParsedQuery;
using model::RelationRef;
using nlohmann::json;

// Deeper parse trees are rejected because the walk below recurses per level: 1000 JSON levels (about
// 480 chained operators such as `a + a + ... + a`) take under 1 MiB of stack even in a debug build.
constexpr std::size_t kMaxTreeDepth = 1000;

// libpg_query's JSON wraps every node as {"TypeName": {fields...}} and omits fields holding their
// zero value, so every lookup below tolerates a missing key.

const json* Field(const json& body, std::string_view key) {
    if (!body.is_object()) return nullptr;
    const auto it = body.find(key);
    return it == body.end() ? nullptr : &*it;
}

std::string StringField(const json& body, std::string_view key) {
    const json* f = Field(body, key);
    return f != nullptr && f->is_string() ? f->get<std::string>() : std::string();
}

long long IntField(const json& body, std::string_view key) {
    const json* f = Field(body, key);
    return f != nullptr && f->is_number_integer() ? f->get<long long>() : 0;
}

bool BoolField(const json& body, std::string_view key) {
    const json* f = Field(body, key);
    return f != nullptr && f->is_boolean() && f->get<bool>();
}

/// The nesting depth of a JSON value, measured without recursion; stops counting past `limit`.
std::size_t TreeDepth(const json& root, std::size_t limit) {
    std::size_t max_depth = 0;
    std::vector<std::pair<const json*, std::size_t>> stack{{&root, 1}};
    while (!stack.empty() && max_depth <= limit) {
        const auto [node, depth] = stack.back();
        stack.pop_back();
        max_depth = std::max(max_depth, depth);
        if (!node->is_structured()) continue;
        for (const json& child : *node) stack.emplace_back(&child, depth + 1);
    }
    return max_depth;
}

/// The node's type name ("A_Expr", "ColumnRef", ...), empty when `node` is not a wrapped node.
std::string_view NodeType(const json& node) {
    if (!node.is_object() || node.size() != 1) return {};
    return node.begin().key();
}

const json& NodeBody(const json& node) { return node.begin().value(); }

/// The body of `node` when it is a node of type `type`, else nullptr.
const json* As(const json* node, std::string_view type) {
    if (node == nullptr || NodeType(*node) != type) return nullptr;
    return &NodeBody(*node);
}

/// The strings of a list of String nodes, e.g. a ColumnRef's fields or a qualified name; A_Star is "*".
std::vector<std::string> Names(const json* list) {
    std::vector<std::string> out;
    if (list == nullptr || !list->is_array()) return out;
    for (const json& item : *list) {
        if (const json* s = As(&item, "String")) {
            out.push_back(StringField(*s, "sval"));
        } else if (NodeType(item) == "A_Star") {
            out.emplace_back("*");
        }
    }
    return out;
}

/// A qualified function or type name without the implicit pg_catalog schema.
std::string CatalogName(std::vector<std::string> names) {
    if (names.size() > 1 && names.front() == "pg_catalog") names.erase(names.begin());
    return Join(names, ".");
}

/// The operator of an A_Expr: the last element of its possibly schema-qualified name.
std::string OperatorName(const json& a_expr) {
    const std::vector<std::string> names = Names(Field(a_expr, "name"));
    return names.empty() ? std::string() : names.back();
}

/// The operator to use when the column is on the right: `$1 < col` is recorded as `col > $1`.
std::string Commute(const std::string& op) {
    if (op == "<") return ">";
    if (op == ">") return "<";
    if (op == "<=") return ">=";
    if (op == ">=") return "<=";
    if (op == "@>") return "<@";
    if (op == "<@") return "@>";
    return op;
}

std::string Quote(const std::string& s) {
    std::string out = "'";
    for (const char c : s) {
        out += c;
        if (c == '\'') out += '\'';
    }
    return out + "'";
}

/// Every ColumnRef in an expression, outside subqueries (their columns belong to their own scope).
void CollectColumnRefs(const json& node, std::vector<const json*>& out) {
    if (node.is_array()) {
        for (const json& item : node) CollectColumnRefs(item, out);
        return;
    }
    if (!node.is_object()) return;
    for (const auto& [key, value] : node.items()) {
        if (key == "SubLink") continue;
        if (key == "ColumnRef") {
            const std::vector<std::string> fields = Names(Field(value, "fields"));
            if (!fields.empty() && fields.back() != "*") out.push_back(&value);
            continue;
        }
        CollectColumnRefs(value, out);
    }
}

bool HasColumn(const json& node) {
    std::vector<const json*> refs;
    CollectColumnRefs(node, refs);
    return !refs.empty();
}

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

/// Walks one statement's JSON parse tree and fills a ParsedQuery. Holds pointers into the tree it walks.
class Extractor {
public:
    explicit Extractor(std::string_view sql) : sql_(sql) {}

    ParsedQuery Run(const json& stmt) {
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

private:
    void WalkStatement(const json& node, const Scope* parent, bool top) {
        const std::string_view type = NodeType(node);
        if (!type.empty()) WalkStatementBody(type, NodeBody(node), parent, top);
    }

    void WalkStatementBody(std::string_view type, const json& body, const Scope* parent, bool top) {
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
    void WalkOther(const json& node) {
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

    // Fields typed `RangeVar*` in the C structs (IndexStmt.relation, IntoClause.rel) are written
    // without the {"RangeVar": ...} wrapper that `Node*` fields get.
    static bool IsBareRangeVar(const json& value) {
        return value.is_object() && Field(value, "relname") != nullptr && Field(value, "relpersistence") != nullptr;
    }

    void WalkSelect(const json& body, const Scope* parent, bool top) {
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

    void RecordOrdered(const json& body) {
        const json* sort = Field(body, "sortClause");
        out_.ordered = sort != nullptr && sort->is_array() && !sort->empty();
    }

    void WalkInsert(const json& body, const Scope* parent) {
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
    void RecordSelected(const json& targets) {
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

    void WalkUpdate(const json& body, const Scope* parent) {
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

    void WalkDelete(const json& body, const Scope* parent) {
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
    void WalkWith(const json& with, const Scope* parent, Scope& scope) {
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

    std::vector<Deferred> AddFromList(const json* from, Scope& scope) {
        std::vector<Deferred> deferred;
        if (from == nullptr || !from->is_array()) return deferred;
        for (const json& item : *from) AddFromItem(item, scope, deferred);
        return deferred;
    }

    void AddFromItem(const json& item, Scope& scope, std::vector<Deferred>& deferred) {
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

    void WalkDeferred(const std::vector<Deferred>& deferred, const Scope& scope, const Scope* parent) {
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
    void WalkUsing(const json& join, const Scope& scope) {
        const std::vector<std::string> columns = Names(Field(join, "usingClause"));
        if (columns.empty()) return;
        const std::vector<ScopeEntry> left = EntriesOf(Field(join, "larg"), scope);
        const std::vector<ScopeEntry> right = EntriesOf(Field(join, "rarg"), scope);
        for (const std::string& column : columns) {
            EmitUsingSide(left, right, column);
            EmitUsingSide(right, left, column);
        }
    }

    void EmitUsingSide(const std::vector<ScopeEntry>& self,
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
    std::vector<ScopeEntry> EntriesOf(const json* item, const Scope& scope) const {
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

    static std::string AliasName(const json& body) {
        const json* alias = Field(body, "alias");
        return alias != nullptr ? StringField(*alias, "aliasname") : std::string();
    }

    static bool IsCte(const std::string& name, const Scope* scope) {
        for (; scope != nullptr; scope = scope->parent) {
            if (std::find(scope->ctes.begin(), scope->ctes.end(), name) != scope->ctes.end()) return true;
        }
        return false;
    }

    ScopeEntry EntryFor(const json& range_var, const Scope& scope) const {
        ScopeEntry e;
        e.schema = StringField(range_var, "schemaname");
        e.relname = StringField(range_var, "relname");
        const std::string alias = AliasName(range_var);
        e.exposed = alias.empty() ? e.relname : alias;
        e.is_table = !(e.schema.empty() && IsCte(e.relname, &scope));
        if (!e.is_table) e.relname.clear();
        return e;
    }

    ScopeEntry RegisterRangeVar(const json& range_var, const Scope& scope) {
        ScopeEntry e = EntryFor(range_var, scope);
        if (e.is_table) RecordRelation(range_var);
        return e;
    }

    void RecordRelation(const json& range_var) {
        RelationRef ref{StringField(range_var, "schemaname"), StringField(range_var, "relname"), AliasName(range_var)};
        seen_.push_back({std::move(ref), IntField(range_var, "location")});
    }

    // Relations in order of appearance in the text, each (schema, name) once with its first alias.
    void FinishRelations() {
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
    void ScanTree(const json& node) {
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

    // --- predicates

    void WalkPredicate(const json& node, const Scope& scope, ClauseKind clause, bool negated) {
        const std::string_view type = NodeType(node);
        if (type.empty()) return;
        const json& body = NodeBody(node);
        if (type == "BoolExpr") {
            const bool is_not = StringField(body, "boolop") == "NOT_EXPR";
            if (const json* args = Field(body, "args"); args != nullptr && args->is_array()) {
                for (const json& arg : *args) WalkPredicate(arg, scope, clause, is_not ? !negated : negated);
            }
        } else if (type == "A_Expr") {
            WalkAExpr(body, scope, clause, negated);
        } else if (type == "NullTest") {
            const bool is_null = StringField(body, "nulltesttype") == "IS_NULL";
            WalkTest(Field(body, "arg"), is_null ? "IS NULL" : "IS NOT NULL", scope, clause, negated);
        } else if (type == "BooleanTest") {
            // IS_TRUE -> "IS TRUE", IS_NOT_UNKNOWN -> "IS NOT UNKNOWN".
            std::string op = StringField(body, "booltesttype");
            std::replace(op.begin(), op.end(), '_', ' ');
            WalkTest(Field(body, "arg"), op, scope, clause, negated);
        } else if (type == "SubLink") {
            WalkSubLinkPredicate(body, scope, clause, negated);
        } else if (type == "ColumnRef") {
            // `WHERE active` means `active = true`.
            Operand operand;
            operand.kind = Operand::Kind::kConstant;
            operand.text = "true";
            EmitColumns(node, scope, Proto(clause, "=", operand, negated));
        } else {
            WalkSublinks(node, scope);
        }
    }

    void WalkTest(const json* arg, std::string op, const Scope& scope, ClauseKind clause, bool negated) {
        if (arg == nullptr) return;
        EmitColumns(*arg, scope, Proto(clause, std::move(op), Operand{}, negated));
        WalkSublinks(*arg, scope);
    }

    void WalkAExpr(const json& body, const Scope& scope, ClauseKind clause, bool negated) {
        const std::string kind = StringField(body, "kind");
        const std::string op = OperatorName(body);
        const json* lexpr = Field(body, "lexpr");
        const json* rexpr = Field(body, "rexpr");
        if (lexpr == nullptr || rexpr == nullptr) {
            if (lexpr != nullptr) WalkSublinks(*lexpr, scope);
            if (rexpr != nullptr) WalkSublinks(*rexpr, scope);
            return;
        }
        if (kind == "AEXPR_OP") {
            WalkComparison(*lexpr, op, *rexpr, scope, clause, negated);
            return;
        }
        std::string recorded_op;
        bool recorded_negated = negated;
        if (kind == "AEXPR_OP_ANY") {
            recorded_op = op == "=" ? "IN" : op + " ANY";
        } else if (kind == "AEXPR_OP_ALL") {
            // `<> ALL (...)` is NOT IN.
            recorded_op = op == "<>" ? "IN" : op + " ALL";
            if (op == "<>") recorded_negated = !negated;
        } else if (kind == "AEXPR_IN") {
            // The parser names NOT IN's operator "<>".
            recorded_op = "IN";
            if (op == "<>") recorded_negated = !negated;
        } else if (kind == "AEXPR_LIKE" || kind == "AEXPR_ILIKE" || kind == "AEXPR_SIMILAR") {
            recorded_op = op;
        } else if (kind == "AEXPR_BETWEEN" || kind == "AEXPR_BETWEEN_SYM") {
            recorded_op = "BETWEEN";
        } else if (kind == "AEXPR_NOT_BETWEEN" || kind == "AEXPR_NOT_BETWEEN_SYM") {
            recorded_op = "BETWEEN";
            recorded_negated = !negated;
        } else if (kind == "AEXPR_DISTINCT") {
            recorded_op = "IS DISTINCT FROM";
        } else if (kind == "AEXPR_NOT_DISTINCT") {
            recorded_op = "IS NOT DISTINCT FROM";
        }
        if (!recorded_op.empty() && HasColumn(*lexpr)) {
            EmitColumns(*lexpr, scope, Proto(clause, recorded_op, MakeOperand(*rexpr), recorded_negated));
        }
        WalkSublinks(*lexpr, scope);
        WalkSublinks(*rexpr, scope);
    }

    // `l op r`: each side holding columns gets a ColumnUse whose operand is the other side, so a join
    // key `a.x = b.y` yields one use for a.x and one for b.y.
    void WalkComparison(const json& lexpr,
                        const std::string& op,
                        const json& rexpr,
                        const Scope& scope,
                        ClauseKind clause,
                        bool negated) {
        const json* lrow = As(&lexpr, "RowExpr");
        const json* rrow = As(&rexpr, "RowExpr");
        if (lrow != nullptr && rrow != nullptr) {
            // Row comparisons such as keyset pagination `(created_at, id) < ($1, $2)`: pairwise.
            const json* largs = Field(*lrow, "args");
            const json* rargs = Field(*rrow, "args");
            if (largs != nullptr && rargs != nullptr && largs->is_array() && rargs->is_array() &&
                largs->size() == rargs->size()) {
                for (std::size_t i = 0; i < largs->size(); ++i) {
                    WalkComparison((*largs)[i], op, (*rargs)[i], scope, clause, negated);
                }
                return;
            }
        }
        const bool left_has = HasColumn(lexpr);
        const bool right_has = HasColumn(rexpr);
        if (left_has) EmitColumns(lexpr, scope, Proto(clause, op, MakeOperand(rexpr), negated));
        if (right_has) EmitColumns(rexpr, scope, Proto(clause, Commute(op), MakeOperand(lexpr), negated));
        WalkSublinks(lexpr, scope);
        WalkSublinks(rexpr, scope);
    }

    void WalkSubLinkPredicate(const json& body, const Scope& scope, ClauseKind clause, bool negated) {
        const std::string type = StringField(body, "subLinkType");
        const json* test = Field(body, "testexpr");
        if (test != nullptr && (type == "ANY_SUBLINK" || type == "ALL_SUBLINK")) {
            // `x IN (SELECT ...)` has no operName; `x = ANY (SELECT ...)` names "=".
            const std::vector<std::string> names = Names(Field(body, "operName"));
            const std::string op = names.empty() ? "=" : names.back();
            std::string recorded_op = op + (type == "ANY_SUBLINK" ? " ANY" : " ALL");
            bool recorded_negated = negated;
            if (type == "ANY_SUBLINK" && op == "=") recorded_op = "IN";
            if (type == "ALL_SUBLINK" && op == "<>") {
                recorded_op = "IN";
                recorded_negated = !negated;
            }
            Operand operand;
            operand.kind = Operand::Kind::kSubquery;
            operand.text = "subquery";
            const json* row_args = nullptr;
            if (const json* row = As(test, "RowExpr")) row_args = Field(*row, "args");
            if (row_args != nullptr && row_args->is_array()) {
                for (const json& arg : *row_args) {
                    EmitColumns(arg, scope, Proto(clause, recorded_op, operand, recorded_negated));
                }
            } else {
                EmitColumns(*test, scope, Proto(clause, recorded_op, operand, recorded_negated));
            }
            WalkSublinks(*test, scope);
        }
        if (const json* subselect = Field(body, "subselect")) WalkStatement(*subselect, &scope, false);
    }

    /// Walks every subquery inside an expression with `scope` as its outer level.
    void WalkSublinks(const json& node, const Scope& scope) {
        if (node.is_array()) {
            for (const json& item : node) WalkSublinks(item, scope);
            return;
        }
        if (!node.is_object()) return;
        for (const auto& [key, value] : node.items()) {
            if (key == "SubLink") {
                if (const json* test = Field(value, "testexpr")) WalkSublinks(*test, scope);
                if (const json* subselect = Field(value, "subselect")) WalkStatement(*subselect, &scope, false);
                continue;
            }
            WalkSublinks(value, scope);
        }
    }

    // --- GROUP BY, ORDER BY, LIMIT

    void WalkGroupClause(const json* list, const Scope& scope) {
        if (list == nullptr || !list->is_array()) return;
        for (const json& item : *list) {
            if (const json* set = As(&item, "GroupingSet")) {
                WalkGroupClause(Field(*set, "content"), scope);
                continue;
            }
            EmitColumns(OutputExpression(item, scope), scope, Proto(ClauseKind::kGroupBy, "", Operand{}, false));
            WalkSublinks(item, scope);
        }
    }

    void WalkSortClause(const json* list, const Scope& scope) {
        if (list == nullptr || !list->is_array()) return;
        for (const json& item : *list) {
            const json* sort = As(&item, "SortBy");
            const json* node = sort != nullptr ? Field(*sort, "node") : nullptr;
            if (node == nullptr) continue;
            ColumnUse proto = Proto(ClauseKind::kOrderBy, "", Operand{}, false);
            proto.descending = StringField(*sort, "sortby_dir") == "SORTBY_DESC";
            const std::string nulls = StringField(*sort, "sortby_nulls");
            if (nulls == "SORTBY_NULLS_FIRST") proto.nulls_first = true;
            if (nulls == "SORTBY_NULLS_LAST") proto.nulls_first = false;
            EmitColumns(OutputExpression(*node, scope), scope, proto);
            WalkSublinks(*node, scope);
        }
    }

    /// `ORDER BY 2` and `ORDER BY alias` name a select-list entry; this returns that entry's expression.
    static const json& OutputExpression(const json& node, const Scope& scope) {
        if (scope.target_list == nullptr || !scope.target_list->is_array()) return node;
        const json& targets = *scope.target_list;
        if (const json* constant = As(&node, "A_Const")) {
            const json* ival = Field(*constant, "ival");
            const long long position = ival != nullptr ? IntField(*ival, "ival") : 0;
            if (position >= 1 && static_cast<std::size_t>(position) <= targets.size()) {
                const json* target = As(&targets[static_cast<std::size_t>(position - 1)], "ResTarget");
                if (const json* val = target != nullptr ? Field(*target, "val") : nullptr) return *val;
            }
            return node;
        }
        if (const json* ref = As(&node, "ColumnRef")) {
            const std::vector<std::string> fields = Names(Field(*ref, "fields"));
            if (fields.size() != 1) return node;
            for (const json& item : targets) {
                const json* target = As(&item, "ResTarget");
                if (target == nullptr || StringField(*target, "name") != fields.front()) continue;
                if (const json* val = Field(*target, "val")) return *val;
            }
        }
        return node;
    }

    void WalkLimit(const json& body, const Scope& scope, bool top) {
        const json* count = Field(body, "limitCount");
        const json* offset = Field(body, "limitOffset");
        if (count != nullptr) WalkSublinks(*count, scope);
        if (offset != nullptr) WalkSublinks(*offset, scope);
        if (!top) return;
        // LIMIT ALL is a NULL constant: no limit.
        const json* count_const = As(count, "A_Const");
        if (count != nullptr && !(count_const != nullptr && BoolField(*count_const, "isnull"))) {
            out_.limit = MakeOperand(*count);
        }
        if (offset != nullptr) out_.offset = MakeOperand(*offset);
    }

    // --- columns

    static ColumnUse Proto(ClauseKind clause, std::string op, Operand operand, bool negated) {
        ColumnUse use;
        use.clause = clause;
        use.op = std::move(op);
        use.operand = std::move(operand);
        use.negated = negated;
        return use;
    }

    /// One ColumnUse per column in `side`, copied from `proto`; `expression` is set when `side` is
    /// more than a bare column.
    void EmitColumns(const json& side, const Scope& scope, const ColumnUse& proto) {
        std::vector<const json*> refs;
        CollectColumnRefs(side, refs);
        const std::string expression = NodeType(side) == "ColumnRef" ? std::string() : ExprText(side);
        for (const json* ref : refs) {
            const std::vector<std::string> fields = Names(Field(*ref, "fields"));
            ColumnUse use = proto;
            use.column = fields.back();
            use.expression = expression;
            if (fields.size() == 1) {
                use.relation = ResolveUnqualified(scope);
            } else {
                const std::vector<std::string> qualifier(fields.begin(), fields.end() - 1);
                use.qualifier = Join(qualifier, ".");
                const std::string schema = qualifier.size() >= 2 ? qualifier[qualifier.size() - 2] : "";
                use.relation = ResolveQualified(qualifier.back(), schema, scope);
            }
            out_.columns.push_back(std::move(use));
        }
    }

    // An unqualified column belongs to the innermost level with a FROM list; it is only known when
    // that FROM list has exactly one table (the catalog is not consulted).
    static std::string ResolveUnqualified(const Scope& scope) {
        for (const Scope* s = &scope; s != nullptr; s = s->parent) {
            if (s->is_set_operation) return {};
            if (s->entries.empty()) continue;
            if (s->entries.size() == 1 && s->entries.front().is_table) return s->entries.front().relname;
            return {};
        }
        return {};
    }

    static std::string ResolveQualified(const std::string& table, const std::string& schema, const Scope& scope) {
        for (const Scope* s = &scope; s != nullptr; s = s->parent) {
            for (const ScopeEntry& e : s->entries) {
                if (e.exposed == table && (schema.empty() || e.schema == schema)) return e.relname;
            }
        }
        // PostgreSQL rejects `users.id` when users has an alias, but a best guess helps the advisor.
        for (const Scope* s = &scope; s != nullptr; s = s->parent) {
            for (const ScopeEntry& e : s->entries) {
                if (e.is_table && e.relname == table && (schema.empty() || e.schema == schema)) return e.relname;
            }
        }
        return {};
    }

    // --- operands and expression text

    Operand MakeOperand(const json& node) const {
        Operand operand;
        const std::string_view type = NodeType(node);
        const json* inner = &node;
        if (const json* cast = As(&node, "TypeCast")) {
            // `'2024-01-01'::date` and `$1::int` are still a constant and a parameter.
            const json* arg = Field(*cast, "arg");
            if (arg != nullptr && (NodeType(*arg) == "A_Const" || NodeType(*arg) == "ParamRef")) inner = arg;
        }
        if (const json* constant = As(inner, "A_Const")) {
            operand.kind = Operand::Kind::kConstant;
            operand.text = ConstText(*constant);
        } else if (const json* param = As(inner, "ParamRef")) {
            operand.kind = Operand::Kind::kParam;
            operand.param_number = static_cast<int>(IntField(*param, "number"));
            operand.text = fmt::format("${}", operand.param_number);
        } else if (type == "List" || type == "A_ArrayExpr") {
            operand.kind = Operand::Kind::kList;
            const json* items = Field(NodeBody(node), type == "List" ? "items" : "elements");
            if (items != nullptr && items->is_array()) {
                for (const json& item : *items) operand.list.push_back(ElementText(item));
            }
            operand.text = ExprText(node);
        } else if (type == "SubLink") {
            operand.kind = Operand::Kind::kSubquery;
            operand.text = "subquery";
        } else if (HasColumn(node)) {
            operand.kind = Operand::Kind::kColumn;
            operand.text = ExprText(node);
        } else {
            operand.kind = Operand::Kind::kOther;
            operand.text = ExprText(node);
        }
        return operand;
    }

    /// An IN-list element: the constant's value, "$n", or the expression's text.
    std::string ElementText(const json& node) const {
        const Operand operand = MakeOperand(node);
        return operand.text;
    }

    /// A constant's value as PostgreSQL reads it, unquoted: `abc%`, `42`, `-1.5`, `true`, `NULL`.
    std::string ConstText(const json& a_const) const {
        if (BoolField(a_const, "isnull")) return "NULL";
        if (const json* v = Field(a_const, "ival")) {
            if (Field(*v, "ival") != nullptr) return std::to_string(IntField(*v, "ival"));
            return IntegerFromSource(IntField(a_const, "location"));
        }
        if (const json* v = Field(a_const, "fval")) return StringField(*v, "fval");
        if (const json* v = Field(a_const, "sval")) return StringField(*v, "sval");
        if (const json* v = Field(a_const, "boolval")) return BoolField(*v, "boolval") ? "true" : "false";
        if (const json* v = Field(a_const, "bsval")) {
            // "b101" / "xff": the prefix letter, then the digits.
            const std::string bits = StringField(*v, "bsval");
            if (bits.empty()) return "B''";
            return fmt::format("{}'{}'", static_cast<char>(std::toupper(static_cast<unsigned char>(bits[0]))),
                               bits.substr(1));
        }
        return {};
    }

    // libpg_query 15-4.0.0 writes an Integer's value only when it is positive: 0 and every negative
    // integer constant come out as "ival": {}. The text at the constant's location tells them apart.
    std::string IntegerFromSource(long long location) const {
        if (location < 0 || static_cast<std::size_t>(location) >= sql_.size()) return "0";
        std::size_t i = static_cast<std::size_t>(location);
        std::string sign;
        if (sql_[i] == '-') {
            sign = "-";
            ++i;
            while (i < sql_.size() && std::isspace(static_cast<unsigned char>(sql_[i])) != 0) ++i;
        }
        std::size_t start = i;
        while (i < sql_.size() && std::isdigit(static_cast<unsigned char>(sql_[i])) != 0) ++i;
        while (start + 1 < i && sql_[start] == '0') ++start;
        if (start == i) return "0";
        const std::string digits(sql_.substr(start, i - start));
        return digits == "0" ? digits : sign + digits;
    }

    /// Readable SQL for an expression, rebuilt from the tree: `lower(email)`, `payload ->> 'k'`,
    /// `created_at::date`. Nested operators are parenthesised, so precedence is explicit.
    std::string ExprText(const json& node) const {
        const std::string_view type = NodeType(node);
        if (type.empty()) return {};
        const json& body = NodeBody(node);
        if (type == "ColumnRef") return Join(Names(Field(body, "fields")), ".");
        if (type == "ParamRef") return fmt::format("${}", IntField(body, "number"));
        if (type == "A_Const") {
            const std::string text = ConstText(body);
            return Field(body, "sval") != nullptr ? Quote(text) : text;
        }
        if (type == "TypeCast") {
            return Wrapped(Field(body, "arg")) + "::" + TypeText(Field(body, "typeName"));
        }
        if (type == "FuncCall") return FuncText(body);
        if (type == "A_Expr") return AExprText(body);
        if (type == "BoolExpr") {
            const std::string op = StringField(body, "boolop");
            const std::vector<std::string> args = WrappedList(Field(body, "args"));
            if (op == "NOT_EXPR") return "NOT " + (args.empty() ? std::string() : args.front());
            return Join(args, op == "AND_EXPR" ? " AND " : " OR ");
        }
        if (type == "NullTest") {
            const bool is_null = StringField(body, "nulltesttype") == "IS_NULL";
            return Wrapped(Field(body, "arg")) + (is_null ? " IS NULL" : " IS NOT NULL");
        }
        if (type == "BooleanTest") {
            std::string test = StringField(body, "booltesttype");
            std::replace(test.begin(), test.end(), '_', ' ');
            return Wrapped(Field(body, "arg")) + " " + test;
        }
        if (type == "SubLink") return SubLinkText(body);
        if (type == "List") return "(" + Join(TextList(Field(body, "items")), ", ") + ")";
        if (type == "A_ArrayExpr") return "ARRAY[" + Join(TextList(Field(body, "elements")), ", ") + "]";
        if (type == "RowExpr") {
            const std::string args = Join(TextList(Field(body, "args")), ", ");
            return StringField(body, "row_format") == "COERCE_EXPLICIT_CALL" ? "ROW(" + args + ")" : "(" + args + ")";
        }
        if (type == "CoalesceExpr") return "COALESCE(" + Join(TextList(Field(body, "args")), ", ") + ")";
        if (type == "MinMaxExpr") {
            const char* name = StringField(body, "op") == "IS_GREATEST" ? "GREATEST" : "LEAST";
            return std::string(name) + "(" + Join(TextList(Field(body, "args")), ", ") + ")";
        }
        if (type == "CaseExpr") return CaseText(body);
        if (type == "A_Indirection") return IndirectionText(body);
        if (type == "CollateClause") {
            return Wrapped(Field(body, "arg")) + " COLLATE \"" + Join(Names(Field(body, "collname")), ".") + "\"";
        }
        if (type == "SQLValueFunction") {
            std::string op = StringField(body, "op");
            if (op.rfind("SVFOP_", 0) == 0) op.erase(0, 6);
            return op;
        }
        if (type == "NamedArgExpr") return StringField(body, "name") + " => " + Wrapped(Field(body, "arg"));
        return std::string(type);
    }

    std::string AExprText(const json& body) const {
        const std::string kind = StringField(body, "kind");
        const std::string op = OperatorName(body);
        const json* lexpr = Field(body, "lexpr");
        const json* rexpr = Field(body, "rexpr");
        const std::string left = Wrapped(lexpr);
        if (kind == "AEXPR_OP") {
            if (lexpr == nullptr) return op + Wrapped(rexpr);
            return left + " " + op + " " + Wrapped(rexpr);
        }
        if (kind == "AEXPR_OP_ANY") return left + " " + op + " ANY (" + ExprText(*rexpr) + ")";
        if (kind == "AEXPR_OP_ALL") return left + " " + op + " ALL (" + ExprText(*rexpr) + ")";
        if (kind == "AEXPR_IN") return left + (op == "<>" ? " NOT IN " : " IN ") + ExprText(*rexpr);
        if (kind == "AEXPR_DISTINCT") return left + " IS DISTINCT FROM " + Wrapped(rexpr);
        if (kind == "AEXPR_NOT_DISTINCT") return left + " IS NOT DISTINCT FROM " + Wrapped(rexpr);
        if (kind == "AEXPR_NULLIF") return "NULLIF(" + ExprText(*lexpr) + ", " + ExprText(*rexpr) + ")";
        if (kind.find("BETWEEN") != std::string::npos) {
            const std::vector<std::string> bounds =
                rexpr != nullptr ? TextList(Field(NodeBody(*rexpr), "items")) : std::vector<std::string>();
            if (bounds.size() == 2) return left + " " + op + " " + bounds[0] + " AND " + bounds[1];
        }
        return left + " " + op + " " + Wrapped(rexpr);
    }

    std::string FuncText(const json& body) const {
        std::string args;
        if (BoolField(body, "agg_star")) {
            args = "*";
        } else {
            args = Join(TextList(Field(body, "args")), ", ");
            if (BoolField(body, "agg_distinct")) args = "DISTINCT " + args;
        }
        return CatalogName(Names(Field(body, "funcname"))) + "(" + args + ")";
    }

    std::string TypeText(const json* type_name) const {
        if (type_name == nullptr) return {};
        std::string text = CatalogName(Names(Field(*type_name, "names")));
        if (const json* mods = Field(*type_name, "typmods")) text += "(" + Join(TextList(mods), ", ") + ")";
        if (const json* bounds = Field(*type_name, "arrayBounds"); bounds != nullptr && bounds->is_array()) {
            for (std::size_t i = 0; i < bounds->size(); ++i) text += "[]";
        }
        return text;
    }

    std::string SubLinkText(const json& body) const {
        const std::string type = StringField(body, "subLinkType");
        if (type == "EXISTS_SUBLINK") return "EXISTS (SELECT ...)";
        if (type == "ARRAY_SUBLINK") return "ARRAY(SELECT ...)";
        if (const json* test = Field(body, "testexpr")) {
            const std::vector<std::string> names = Names(Field(body, "operName"));
            const std::string op = names.empty() ? "IN" : names.back() + (type == "ALL_SUBLINK" ? " ALL" : " ANY");
            return Wrapped(test) + " " + op + " (SELECT ...)";
        }
        return "(SELECT ...)";
    }

    std::string CaseText(const json& body) const {
        std::string text = "CASE";
        if (const json* arg = Field(body, "arg")) text += " " + Wrapped(arg);
        if (const json* whens = Field(body, "args"); whens != nullptr && whens->is_array()) {
            for (const json& item : *whens) {
                const json* when = As(&item, "CaseWhen");
                if (when == nullptr) continue;
                text += " WHEN " + Wrapped(Field(*when, "expr")) + " THEN " + Wrapped(Field(*when, "result"));
            }
        }
        if (const json* otherwise = Field(body, "defresult")) text += " ELSE " + Wrapped(otherwise);
        return text + " END";
    }

    std::string IndirectionText(const json& body) const {
        std::string text = Wrapped(Field(body, "arg"));
        const json* steps = Field(body, "indirection");
        if (steps == nullptr || !steps->is_array()) return text;
        for (const json& step : *steps) {
            if (const json* indices = As(&step, "A_Indices")) {
                const json* lower = Field(*indices, "lidx");
                const json* upper = Field(*indices, "uidx");
                const std::string u = upper != nullptr ? ExprText(*upper) : "";
                text += BoolField(*indices, "is_slice")
                            ? "[" + (lower != nullptr ? ExprText(*lower) : "") + ":" + u + "]"
                            : "[" + u + "]";
            } else if (const json* s = As(&step, "String")) {
                text += "." + StringField(*s, "sval");
            } else if (NodeType(step) == "A_Star") {
                text += ".*";
            }
        }
        return text;
    }

    /// ExprText, parenthesised when the node is itself an operator expression.
    std::string Wrapped(const json* node) const {
        if (node == nullptr) return {};
        const std::string_view type = NodeType(*node);
        const std::string text = ExprText(*node);
        const bool compound = type == "A_Expr" || type == "BoolExpr" || type == "NullTest" || type == "BooleanTest" ||
                              (type == "SubLink" && Field(NodeBody(*node), "testexpr") != nullptr);
        return compound ? "(" + text + ")" : text;
    }

    std::vector<std::string> TextList(const json* list) const {
        std::vector<std::string> out;
        if (list == nullptr || !list->is_array()) return out;
        for (const json& item : *list) out.push_back(ExprText(item));
        return out;
    }

    std::vector<std::string> WrappedList(const json* list) const {
        std::vector<std::string> out;
        if (list == nullptr || !list->is_array()) return out;
        for (const json& item : *list) out.push_back(Wrapped(&item));
        return out;
    }

    struct SeenRelation {
        RelationRef ref;
        long long location = 0;
    };

    std::string_view sql_;
    ParsedQuery out_;
    std::vector<SeenRelation> seen_;
};

}  // namespace

Result<model::ParsedQuery> Parse(std::string_view sql) {
    // libpg_query wants NUL-terminated input; string_view may not be.
    const std::string input(sql);
    std::unique_ptr<PgQueryParseResult, ParseResultFree> r(new PgQueryParseResult(pg_query_parse(input.c_str())));
    if (r->error != nullptr) return tl::unexpected(ParserError(*r->error, sql));
    try {
        const json tree = json::parse(r->parse_tree);
        const json* stmts = Field(tree, "stmts");
        const json* stmt =
            stmts != nullptr && stmts->is_array() && !stmts->empty() ? Field((*stmts)[0], "stmt") : nullptr;
        if (stmt == nullptr) {
            return MakeError(ErrorCode::kParseError,
                             "cannot parse SQL: the input holds no statement (empty, or only comments); "
                             "pass one SQL statement");
        }
        if (TreeDepth(*stmt, kMaxTreeDepth) > kMaxTreeDepth) {
            return MakeError(ErrorCode::kParseError,
                             fmt::format("cannot analyse SQL: its parse tree nests more than {} levels deep; "
                                         "simplify the deepest expression (e.g. a long chain of operators)",
                                         kMaxTreeDepth));
        }
        auto parsed = Extractor(sql).Run(*stmt);
        std::sort(parsed.param_refs.begin(), parsed.param_refs.end(),
                  [](const auto& a, const auto& b) { return a.location < b.location; });
        parsed.statement_count = static_cast<int>(stmts->size());
        return parsed;
    } catch (const json::exception& e) {
        return MakeError(
            ErrorCode::kInternal,
            fmt::format("cannot read libpg_query's parse tree: {}; report the statement as a bug", e.what()));
    }
}

}  // namespace optischema::sqlparse
