// Extractor: predicates, GROUP BY, ORDER BY, LIMIT and the column uses they make.
#include <algorithm>
#include <utility>

#include "common/strings.hpp"
#include "sqlparse/internal/extractor.hpp"

namespace optischema::sqlparse {

using model::ClauseKind;
using model::ColumnUse;
using model::Operand;

namespace {

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

/// `ORDER BY 2` and `ORDER BY alias` name a select-list entry; this returns that entry's expression.
const json& OutputExpression(const json& node, const Scope& scope) {
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

ColumnUse Proto(ClauseKind clause, std::string op, Operand operand, bool negated) {
    ColumnUse use;
    use.clause = clause;
    use.op = std::move(op);
    use.operand = std::move(operand);
    use.negated = negated;
    return use;
}

// An unqualified column belongs to the innermost level with a FROM list; it is only known when
// that FROM list has exactly one table (the catalog is not consulted).
std::string ResolveUnqualified(const Scope& scope) {
    for (const Scope* s = &scope; s != nullptr; s = s->parent) {
        if (s->is_set_operation) return {};
        if (s->entries.empty()) continue;
        if (s->entries.size() == 1 && s->entries.front().is_table) return s->entries.front().relname;
        return {};
    }
    return {};
}

std::string ResolveQualified(const std::string& table, const std::string& schema, const Scope& scope) {
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

}  // namespace

void Extractor::WalkPredicate(const json& node, const Scope& scope, ClauseKind clause, bool negated) {
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

void Extractor::WalkTest(const json* arg, std::string op, const Scope& scope, ClauseKind clause, bool negated) {
    if (arg == nullptr) return;
    EmitColumns(*arg, scope, Proto(clause, std::move(op), Operand{}, negated));
    WalkSublinks(*arg, scope);
}

void Extractor::WalkAExpr(const json& body, const Scope& scope, ClauseKind clause, bool negated) {
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
        EmitColumns(*lexpr, scope, Proto(clause, recorded_op, text_.MakeOperand(*rexpr), recorded_negated));
    }
    WalkSublinks(*lexpr, scope);
    WalkSublinks(*rexpr, scope);
}

// `l op r`: each side holding columns gets a ColumnUse whose operand is the other side, so a join
// key `a.x = b.y` yields one use for a.x and one for b.y.
void Extractor::WalkComparison(
    const json& lexpr, const std::string& op, const json& rexpr, const Scope& scope, ClauseKind clause, bool negated) {
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
    if (left_has) EmitColumns(lexpr, scope, Proto(clause, op, text_.MakeOperand(rexpr), negated));
    if (right_has) EmitColumns(rexpr, scope, Proto(clause, Commute(op), text_.MakeOperand(lexpr), negated));
    WalkSublinks(lexpr, scope);
    WalkSublinks(rexpr, scope);
}

void Extractor::WalkSubLinkPredicate(const json& body, const Scope& scope, ClauseKind clause, bool negated) {
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
void Extractor::WalkSublinks(const json& node, const Scope& scope) {
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

void Extractor::WalkGroupClause(const json* list, const Scope& scope) {
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

void Extractor::WalkSortClause(const json* list, const Scope& scope) {
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

void Extractor::WalkLimit(const json& body, const Scope& scope, bool top) {
    const json* count = Field(body, "limitCount");
    const json* offset = Field(body, "limitOffset");
    if (count != nullptr) WalkSublinks(*count, scope);
    if (offset != nullptr) WalkSublinks(*offset, scope);
    if (!top) return;
    // LIMIT ALL is a NULL constant: no limit.
    const json* count_const = As(count, "A_Const");
    if (count != nullptr && !(count_const != nullptr && BoolField(*count_const, "isnull"))) {
        out_.limit = text_.MakeOperand(*count);
    }
    if (offset != nullptr) out_.offset = text_.MakeOperand(*offset);
}

/// One ColumnUse per column in `side`, copied from `proto`; `expression` is set when `side` is
/// more than a bare column.
void Extractor::EmitColumns(const json& side, const Scope& scope, const ColumnUse& proto) {
    std::vector<const json*> refs;
    CollectColumnRefs(side, refs);
    const std::string expression = NodeType(side) == "ColumnRef" ? std::string() : text_.ExprText(side);
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

}  // namespace optischema::sqlparse
