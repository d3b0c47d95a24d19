#include <algorithm>
#include <cctype>

#include "common/quote.hpp"
#include "sqlparse/internal/parse_tree.hpp"
#include "sqlparse/sqlparse.hpp"

namespace optischema::sqlparse {
namespace {

Error NotIndexDdl() {
    return Error{ErrorCode::kInvalidArgument,
                 "expected one CREATE INDEX statement (or DROP INDEX for a rollback): OptiSchema applies only "
                 "index changes; other DDL is a change for your migration tool",
                 {}};
}

// The statement node of a tree that holds exactly one statement, else nullptr.
const json* OnlyStatement(const json& tree) {
    const json* stmts = Field(tree, "stmts");
    if (stmts == nullptr || !stmts->is_array() || stmts->size() != 1) return nullptr;
    return Field((*stmts)[0], "stmt");
}

// The names of the IndexElem nodes of `list` that name a column (the others hold an expression).
void ElementNames(const json* list, std::vector<std::string>& out) {
    if (list == nullptr || !list->is_array()) return;
    for (const json& item : *list) {
        const json* element = As(&item, "IndexElem");
        const std::string name = element != nullptr ? StringField(*element, "name") : std::string();
        if (!name.empty()) out.push_back(name);
    }
}

}  // namespace

Result<IndexDdl> ParseIndexDdl(std::string_view sql) {
    auto tree = ParseTree(sql);
    if (!tree) return tl::unexpected(tree.error());
    const json* stmt = OnlyStatement(*tree);
    if (stmt == nullptr) return tl::unexpected(NotIndexDdl());
    IndexDdl out;
    if (const json* body = As(stmt, "IndexStmt")) {
        out.create = true;
        out.name = StringField(*body, "idxname");
        out.unique = BoolField(*body, "unique");
        out.concurrently = BoolField(*body, "concurrent");
        if (const json* rel = Field(*body, "relation")) {
            out.table = StringField(*rel, "relname");
            out.schema = StringField(*rel, "schemaname");
        }
        if (out.name.empty()) {
            return MakeError(ErrorCode::kInvalidArgument,
                             "the CREATE INDEX statement has no index name: name the index, so that it can be "
                             "rolled back by name");
        }
        return out;
    }
    if (const json* body = As(stmt, "DropStmt")) {
        if (StringField(*body, "removeType") != "OBJECT_INDEX") return tl::unexpected(NotIndexDdl());
        const json* objects = Field(*body, "objects");
        if (objects == nullptr || !objects->is_array() || objects->size() != 1) {
            return MakeError(ErrorCode::kInvalidArgument, "drop one index per statement");
        }
        const json* list = As(&(*objects)[0], "List");
        const std::vector<std::string> names = Names(list != nullptr ? Field(*list, "items") : nullptr);
        if (names.empty() || names.size() > 2) return tl::unexpected(NotIndexDdl());
        out.create = false;
        out.name = names.back();
        if (names.size() == 2) out.schema = names.front();
        out.concurrently = BoolField(*body, "concurrent");
        out.if_exists = BoolField(*body, "missing_ok");
        return out;
    }
    return tl::unexpected(NotIndexDdl());
}

Result<std::vector<std::string>> IndexColumns(std::string_view create_index_sql) {
    auto tree = ParseTree(create_index_sql);
    if (!tree) return tl::unexpected(tree.error());
    const json* body = As(OnlyStatement(*tree), "IndexStmt");
    if (body == nullptr) return tl::unexpected(NotIndexDdl());
    std::vector<std::string> out;
    ElementNames(Field(*body, "indexParams"), out);
    ElementNames(Field(*body, "indexIncludingParams"), out);
    return out;
}

Result<std::string> WithIndexName(std::string_view sql, std::string_view name) {
    auto tree = ParseTree(sql);
    if (!tree) return tl::unexpected(tree.error());
    const json* body = As(OnlyStatement(*tree), "IndexStmt");
    if (body == nullptr || !StringField(*body, "idxname").empty()) return std::string(sql);
    auto tokens = Scan(sql);
    if (!tokens) return tl::unexpected(tokens.error());
    // Nothing before the index name can hold the keyword ON, so the first ON is where the name goes.
    const auto on = std::find_if(tokens->begin(), tokens->end(), [&](const Token& t) {
        const std::string_view text = sql.substr(t.start, t.end - t.start);
        return t.kind == TokenKind::kKeyword && text.size() == 2 &&
               std::tolower(static_cast<unsigned char>(text[0])) == 'o' &&
               std::tolower(static_cast<unsigned char>(text[1])) == 'n';
    });
    if (on == tokens->end()) return std::string(sql);
    std::string out(sql);
    out.insert(on->start, QuoteIdent(name) + " ");
    return out;
}

}  // namespace optischema::sqlparse
