#include "sqlparse/internal/parse_tree.hpp"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "common/strings.hpp"
#include "sqlparse/internal/pg_query_result.hpp"

namespace optischema::sqlparse {

Result<json> ParseTree(std::string_view sql) {
    const std::string input = Terminated(sql);
    const PgQueryResult<PgQueryParseResult, pg_query_free_parse_result> r(pg_query_parse(input.c_str()));
    if (r->error != nullptr) return tl::unexpected(ParserError(*r->error, sql));
    json tree = json::parse(r->parse_tree, nullptr, /*allow_exceptions=*/false);
    if (tree.is_discarded()) {
        return MakeError(ErrorCode::kInternal,
                         "cannot read libpg_query's parse tree: it is not JSON; report the statement as a bug");
    }
    return tree;
}

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

std::string_view NodeType(const json& node) {
    if (!node.is_object() || node.size() != 1) return {};
    return node.begin().key();
}

const json& NodeBody(const json& node) { return node.begin().value(); }

const json* As(const json* node, std::string_view type) {
    if (node == nullptr || NodeType(*node) != type) return nullptr;
    return &NodeBody(*node);
}

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

std::string CatalogName(std::vector<std::string> names) {
    if (names.size() > 1 && names.front() == "pg_catalog") names.erase(names.begin());
    return Join(names, ".");
}

std::string OperatorName(const json& a_expr) {
    const std::vector<std::string> names = Names(Field(a_expr, "name"));
    return names.empty() ? std::string() : names.back();
}

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

}  // namespace optischema::sqlparse
