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

}  // namespace

Result<IndexDdl> ParseIndexDdl(std::string_view sql) {
    auto tree = ParseTree(sql);
    if (!tree) return tl::unexpected(tree.error());
    const json* stmts = Field(*tree, "stmts");
    if (stmts == nullptr || !stmts->is_array() || stmts->size() != 1) return tl::unexpected(NotIndexDdl());
    const json* stmt = Field((*stmts)[0], "stmt");
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

}  // namespace optischema::sqlparse
