#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "sqlparse/internal/parse_tree.hpp"
#include "sqlparse/sqlparse.hpp"

namespace optischema::sqlparse {
namespace {

// The operators PostgreSQL looks up by name for an A_Expr of each kind (libpg_query's A_Expr_Kind):
// IN, DISTINCT and NULLIF compare with "=" (IN with "<>" when negated), BETWEEN with ">=" and "<=".
std::vector<std::string> ImpliedOperators(const json& a_expr) {
    const std::string kind = StringField(a_expr, "kind");
    if (kind == "AEXPR_BETWEEN" || kind == "AEXPR_BETWEEN_SYM" || kind == "AEXPR_NOT_BETWEEN" ||
        kind == "AEXPR_NOT_BETWEEN_SYM") {
        return {">=", "<=", "<", ">"};
    }
    if (kind == "AEXPR_DISTINCT" || kind == "AEXPR_NOT_DISTINCT" || kind == "AEXPR_NULLIF") return {"="};
    return {};
}

QualifiedName Qualified(std::vector<std::string> names) {
    QualifiedName out;
    if (names.empty()) return out;
    out.name = std::move(names.back());
    if (names.size() >= 2) out.schema = std::move(names[names.size() - 2]);
    return out;
}

void Add(std::vector<QualifiedName>& list, QualifiedName name) {
    if (name.name.empty()) return;
    if (std::find(list.begin(), list.end(), name) == list.end()) list.push_back(std::move(name));
}

bool IsBareTypeName(const json& value) { return value.is_object() && Field(value, "names") != nullptr && Field(value, "typemod") != nullptr; }

bool IsBareRangeVar(const json& value) {
    return value.is_object() && Field(value, "relname") != nullptr && Field(value, "relpersistence") != nullptr;
}

// Records what one node names; children are walked by the caller.
void Visit(std::string_view type, const json& body, ReferencedObjects& out) {
    if (type.ends_with("Stmt")) {
        if (std::find(out.statement_kinds.begin(), out.statement_kinds.end(), type) == out.statement_kinds.end()) {
            out.statement_kinds.emplace_back(type);
        }
        if (type == "SelectStmt" && Field(body, "intoClause") != nullptr) out.creates_table = true;
        if (type == "SelectStmt" && Field(body, "lockingClause") != nullptr) out.locks_rows = true;
    }
    if (type == "FuncCall") {
        Add(out.functions, Qualified(Names(Field(body, "funcname"))));
    } else if (type == "A_Expr") {
        const std::string kind = StringField(body, "kind");
        const QualifiedName op = Qualified(Names(Field(body, "name")));
        // A BETWEEN's name is the keyword ("BETWEEN", "NOT BETWEEN SYMMETRIC"), not an operator.
        if (kind.find("BETWEEN") == std::string::npos) Add(out.operators, op);
        for (auto& implied : ImpliedOperators(body)) Add(out.operators, {"", implied});
        if (kind == "AEXPR_SIMILAR") Add(out.functions, {"", "similar_to_escape"});
    } else if (type == "SubLink") {
        const std::string kind = StringField(body, "subLinkType");
        const auto names = Names(Field(body, "operName"));
        if (!names.empty()) {
            Add(out.operators, Qualified(names));
        } else if (kind == "ANY_SUBLINK" || kind == "ALL_SUBLINK") {
            Add(out.operators, {"", "="});
        }
    } else if (type == "SortBy") {
        Add(out.operators, Qualified(Names(Field(body, "useOp"))));
    } else if (type == "JoinExpr") {
        if (Field(body, "usingClause") != nullptr || BoolField(body, "isNatural")) Add(out.operators, {"", "="});
    } else if (type == "CaseExpr") {
        if (Field(body, "arg") != nullptr) Add(out.operators, {"", "="});
    } else if (type == "RangeTableSample") {
        Add(out.functions, Qualified(Names(Field(body, "method"))));
    } else if (type == "TypeName") {
        Add(out.types, Qualified(Names(Field(body, "names"))));
    } else if (type == "RangeVar") {
        Add(out.relations, {StringField(body, "schemaname"), StringField(body, "relname")});
    }
}

}  // namespace

Result<ReferencedObjects> FindReferencedObjects(std::string_view sql) {
    auto tree = ParseTree(sql);
    if (!tree) return tl::unexpected(tree.error());
    ReferencedObjects out;
    const json* stmts = Field(*tree, "stmts");
    out.statement_count = stmts != nullptr && stmts->is_array() ? static_cast<int>(stmts->size()) : 0;
    // Every node of the tree, without recursion: fields typed with a struct (TypeName, RangeVar) come
    // without the {"Type": ...} wrapper, so they are recognised by their fields.
    std::vector<const json*> stack{&*tree};
    while (!stack.empty()) {
        const json* node = stack.back();
        stack.pop_back();
        if (!node->is_structured()) continue;
        if (node->is_object()) {
            const std::string_view type = NodeType(*node);
            if (!type.empty() && NodeBody(*node).is_object()) {
                Visit(type, NodeBody(*node), out);
            } else if (IsBareTypeName(*node)) {
                Visit("TypeName", *node, out);
            } else if (IsBareRangeVar(*node)) {
                Visit("RangeVar", *node, out);
            }
        }
        for (const json& child : *node) stack.push_back(&child);
    }
    return out;
}

}  // namespace optischema::sqlparse
