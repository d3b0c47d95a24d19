#include "sqlparse/internal/expression_text.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "common/strings.hpp"

namespace optischema::sqlparse {

using model::Operand;

namespace {

std::string Quote(const std::string& s) {
    std::string out = "'";
    for (const char c : s) {
        out += c;
        if (c == '\'') out += '\'';
    }
    return out + "'";
}

}  // namespace

Operand ExpressionText::MakeOperand(const json& node) const {
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
std::string ExpressionText::ElementText(const json& node) const {
    const Operand operand = MakeOperand(node);
    return operand.text;
}

/// A constant's value as PostgreSQL reads it, unquoted: `abc%`, `42`, `-1.5`, `true`, `NULL`.
std::string ExpressionText::ConstText(const json& a_const) const {
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
std::string ExpressionText::IntegerFromSource(long long location) const {
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
std::string ExpressionText::ExprText(const json& node) const {
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

std::string ExpressionText::AExprText(const json& body) const {
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

std::string ExpressionText::FuncText(const json& body) const {
    std::string args;
    if (BoolField(body, "agg_star")) {
        args = "*";
    } else {
        args = Join(TextList(Field(body, "args")), ", ");
        if (BoolField(body, "agg_distinct")) args = "DISTINCT " + args;
    }
    return CatalogName(Names(Field(body, "funcname"))) + "(" + args + ")";
}

std::string ExpressionText::TypeText(const json* type_name) const {
    if (type_name == nullptr) return {};
    std::string text = CatalogName(Names(Field(*type_name, "names")));
    if (const json* mods = Field(*type_name, "typmods")) text += "(" + Join(TextList(mods), ", ") + ")";
    if (const json* bounds = Field(*type_name, "arrayBounds"); bounds != nullptr && bounds->is_array()) {
        for (std::size_t i = 0; i < bounds->size(); ++i) text += "[]";
    }
    return text;
}

std::string ExpressionText::SubLinkText(const json& body) const {
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

std::string ExpressionText::CaseText(const json& body) const {
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

std::string ExpressionText::IndirectionText(const json& body) const {
    std::string text = Wrapped(Field(body, "arg"));
    const json* steps = Field(body, "indirection");
    if (steps == nullptr || !steps->is_array()) return text;
    for (const json& step : *steps) {
        if (const json* indices = As(&step, "A_Indices")) {
            const json* lower = Field(*indices, "lidx");
            const json* upper = Field(*indices, "uidx");
            const std::string u = upper != nullptr ? ExprText(*upper) : "";
            text += BoolField(*indices, "is_slice") ? "[" + (lower != nullptr ? ExprText(*lower) : "") + ":" + u + "]"
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
std::string ExpressionText::Wrapped(const json* node) const {
    if (node == nullptr) return {};
    const std::string_view type = NodeType(*node);
    const std::string text = ExprText(*node);
    const bool compound = type == "A_Expr" || type == "BoolExpr" || type == "NullTest" || type == "BooleanTest" ||
                          (type == "SubLink" && Field(NodeBody(*node), "testexpr") != nullptr);
    return compound ? "(" + text + ")" : text;
}

std::vector<std::string> ExpressionText::TextList(const json* list) const {
    std::vector<std::string> out;
    if (list == nullptr || !list->is_array()) return out;
    for (const json& item : *list) out.push_back(ExprText(item));
    return out;
}

std::vector<std::string> ExpressionText::WrappedList(const json* list) const {
    std::vector<std::string> out;
    if (list == nullptr || !list->is_array()) return out;
    for (const json& item : *list) out.push_back(Wrapped(&item));
    return out;
}

}  // namespace optischema::sqlparse
