#include "service/index_sql.hpp"

#include <regex>

#include <fmt/format.h>

#include "common/quote.hpp"
#include "common/strings.hpp"

namespace optischema::service {

Result<IndexSql> ReadIndexSql(const std::string& create_sql) {
    std::string sql(Trim(create_sql));
    while (!sql.empty() && sql.back() == ';') sql = std::string(Trim(sql.substr(0, sql.size() - 1)));
    auto ddl = sqlparse::ParseIndexDdl(sql);
    if (!ddl) return tl::unexpected(ddl.error());
    if (!ddl->create) {
        return MakeError(ErrorCode::kInvalidArgument,
                         "give the CREATE INDEX statement; OptiSchema derives the DROP that undoes it");
    }
    for (const auto& [what, name] :
         {std::pair{"index", ddl->name}, std::pair{"schema", ddl->schema}, std::pair{"table", ddl->table}}) {
        if (HasControlCharacters(name)) {
            return MakeError(ErrorCode::kInvalidArgument,
                             fmt::format("the {} name {} holds a control character (a newline, a carriage return, "
                                         "...): OptiSchema writes no DDL with one; rename it first",
                                         what, QuoteIdent(SqlCommentText(name))));
        }
    }
    static const std::regex kHead(R"(^(\s*CREATE\s+(?:UNIQUE\s+)?INDEX\s+)(CONCURRENTLY\s+)?)", std::regex::icase);
    IndexSql out;
    out.ddl = *ddl;
    out.ref = sandbox::IndexRef{ddl->schema, ddl->name};
    out.create_plain = std::regex_replace(sql, kHead, "$1", std::regex_constants::format_first_only);
    out.create_concurrently =
        std::regex_replace(sql, kHead, "$1CONCURRENTLY ", std::regex_constants::format_first_only);
    auto plain = sqlparse::ParseIndexDdl(out.create_plain);
    auto concurrent = sqlparse::ParseIndexDdl(out.create_concurrently);
    if (!plain || plain->concurrently || !concurrent || !concurrent->concurrently) {
        return MakeError(ErrorCode::kInvalidArgument,
                         "write the index statement as CREATE [UNIQUE] INDEX [CONCURRENTLY] name ON table ... "
                         "(without a leading comment)");
    }
    out.drop = "DROP INDEX CONCURRENTLY IF EXISTS " + out.ref.Qualified();
    return out;
}

}  // namespace optischema::service
