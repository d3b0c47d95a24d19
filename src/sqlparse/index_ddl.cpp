#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sqlparse/pg_query_error.hpp"
#include "sqlparse/sqlparse.hpp"

namespace optischema::sqlparse {
namespace {

using json = nlohmann::json;

std::string Str(const json& body, const char* key) {
    const auto it = body.find(key);
    return it != body.end() && it->is_string() ? it->get<std::string>() : "";
}

bool Flag(const json& body, const char* key) {
    const auto it = body.find(key);
    return it != body.end() && it->is_boolean() && it->get<bool>();
}

Error NotIndexDdl() {
    return Error{ErrorCode::kInvalidArgument,
                 "expected one CREATE INDEX statement (or DROP INDEX for a rollback): OptiSchema applies only "
                 "index changes; other DDL is a change for your migration tool",
                 {}};
}

}  // namespace

Result<IndexDdl> ParseIndexDdl(std::string_view sql) {
    const std::string input(sql);
    std::unique_ptr<PgQueryParseResult, ParseResultFree> r(new PgQueryParseResult(pg_query_parse(input.c_str())));
    if (r->error != nullptr) return tl::unexpected(ParserError(*r->error, sql));
    const json tree = json::parse(r->parse_tree, nullptr, /*allow_exceptions=*/false);
    const json* stmts = tree.is_object() && tree.contains("stmts") ? &tree["stmts"] : nullptr;
    if (stmts == nullptr || !stmts->is_array() || stmts->size() != 1) return tl::unexpected(NotIndexDdl());
    const json& stmt = (*stmts)[0].value("stmt", json::object());
    IndexDdl out;
    if (const auto it = stmt.find("IndexStmt"); it != stmt.end()) {
        const json& body = *it;
        out.create = true;
        out.name = Str(body, "idxname");
        out.unique = Flag(body, "unique");
        out.concurrently = Flag(body, "concurrent");
        const json& rel = body.value("relation", json::object());
        out.table = Str(rel, "relname");
        out.schema = Str(rel, "schemaname");
        if (out.name.empty()) {
            return MakeError(ErrorCode::kInvalidArgument,
                             "the CREATE INDEX statement has no index name: name the index, so that it can be "
                             "rolled back by name");
        }
        return out;
    }
    if (const auto it = stmt.find("DropStmt"); it != stmt.end()) {
        const json& body = *it;
        if (Str(body, "removeType") != "OBJECT_INDEX") return tl::unexpected(NotIndexDdl());
        const json& objects = body.value("objects", json::array());
        if (!objects.is_array() || objects.size() != 1) {
            return MakeError(ErrorCode::kInvalidArgument, "drop one index per statement");
        }
        std::vector<std::string> names;
        for (const json& item : objects[0].value("List", json::object()).value("items", json::array())) {
            names.push_back(Str(item.value("String", json::object()), "sval"));
        }
        if (names.empty() || names.size() > 2) return tl::unexpected(NotIndexDdl());
        out.create = false;
        out.name = names.back();
        if (names.size() == 2) out.schema = names.front();
        out.concurrently = Flag(body, "concurrent");
        out.if_exists = Flag(body, "missing_ok");
        return out;
    }
    return tl::unexpected(NotIndexDdl());
}

}  // namespace optischema::sqlparse
