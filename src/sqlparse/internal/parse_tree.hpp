#pragma once

// Internal to sqlparse/: reading libpg_query's JSON parse tree.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/error.hpp"

namespace optischema::sqlparse {

using nlohmann::json;

/// libpg_query's parse tree of `sql`: {"version": ..., "stmts": [{"stmt": {...}}, ...]}. Unparsable SQL
/// gives kParseError with the parser's message and position.
[[nodiscard]] Result<json> ParseTree(std::string_view sql);

// libpg_query's JSON wraps every node as {"TypeName": {fields...}} and omits fields holding their
// zero value, so every lookup below tolerates a missing key.

/// The field `key` of a node's body, or nullptr.
[[nodiscard]] const json* Field(const json& body, std::string_view key);
/// A string field, empty when missing.
[[nodiscard]] std::string StringField(const json& body, std::string_view key);
/// An integer field, 0 when missing.
[[nodiscard]] long long IntField(const json& body, std::string_view key);
/// A boolean field, false when missing.
[[nodiscard]] bool BoolField(const json& body, std::string_view key);

/// The nesting depth of a JSON value, measured without recursion; stops counting past `limit`.
[[nodiscard]] std::size_t TreeDepth(const json& root, std::size_t limit);

/// The node's type name ("A_Expr", "ColumnRef", ...), empty when `node` is not a wrapped node.
[[nodiscard]] std::string_view NodeType(const json& node);
/// The fields of a wrapped node; `node` must be one (NodeType not empty).
[[nodiscard]] const json& NodeBody(const json& node);
/// The body of `node` when it is a node of type `type`, else nullptr.
[[nodiscard]] const json* As(const json* node, std::string_view type);

/// The strings of a list of String nodes, e.g. a ColumnRef's fields or a qualified name; A_Star is "*".
[[nodiscard]] std::vector<std::string> Names(const json* list);
/// A qualified function or type name without the implicit pg_catalog schema.
[[nodiscard]] std::string CatalogName(std::vector<std::string> names);
/// The operator of an A_Expr: the last element of its possibly schema-qualified name.
[[nodiscard]] std::string OperatorName(const json& a_expr);

/// Every ColumnRef in an expression, outside subqueries (their columns belong to their own scope).
void CollectColumnRefs(const json& node, std::vector<const json*>& out);
/// True when the expression reads a column (outside subqueries).
[[nodiscard]] bool HasColumn(const json& node);

}  // namespace optischema::sqlparse
