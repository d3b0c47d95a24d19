#pragma once

// Internal to sqlparse/: expressions of a parse tree as operands and readable SQL.

#include <string>
#include <string_view>
#include <vector>

#include "model/parsed_query.hpp"
#include "sqlparse/internal/parse_tree.hpp"

namespace optischema::sqlparse {

/// Reads expressions of one statement's parse tree; `sql` is the statement's text, which must outlive
/// this object (libpg_query leaves some values out of the tree, the text has them).
class ExpressionText {
public:
    explicit ExpressionText(std::string_view sql) : sql_(sql) {}

    /// What an expression compared with a column is: a constant, a parameter, a list, a subquery, a
    /// column expression or something else, with its text.
    [[nodiscard]] model::Operand MakeOperand(const json& node) const;
    /// Readable SQL for an expression, rebuilt from the tree: `lower(email)`, `payload ->> 'k'`,
    /// `created_at::date`. Nested operators are parenthesised, so precedence is explicit.
    [[nodiscard]] std::string ExprText(const json& node) const;

private:
    [[nodiscard]] std::string ElementText(const json& node) const;
    [[nodiscard]] std::string ConstText(const json& a_const) const;
    [[nodiscard]] std::string IntegerFromSource(long long location) const;
    [[nodiscard]] std::string AExprText(const json& body) const;
    [[nodiscard]] std::string FuncText(const json& body) const;
    [[nodiscard]] std::string TypeText(const json* type_name) const;
    [[nodiscard]] std::string SubLinkText(const json& body) const;
    [[nodiscard]] std::string CaseText(const json& body) const;
    [[nodiscard]] std::string IndirectionText(const json& body) const;
    [[nodiscard]] std::string Wrapped(const json* node) const;
    [[nodiscard]] std::vector<std::string> TextList(const json* list) const;
    [[nodiscard]] std::vector<std::string> WrappedList(const json* list) const;

    std::string_view sql_;
};

}  // namespace optischema::sqlparse
