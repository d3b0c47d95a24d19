#include "common/strings.hpp"
#include "sqlparse/internal/pg_query_result.hpp"
#include "sqlparse/sqlparse.hpp"

namespace optischema::sqlparse {

Result<std::vector<std::string>> SplitStatements(std::string_view sql) {
    const std::string input = Terminated(sql);
    const PgQueryResult<PgQuerySplitResult, pg_query_free_split_result> r(pg_query_split_with_parser(input.c_str()));
    if (r->error != nullptr) return tl::unexpected(ParserError(*r->error, sql));
    std::vector<std::string> out;
    for (int i = 0; i < r->n_stmts; ++i) {
        const PgQuerySplitStmt* s = r->stmts[i];
        const std::string_view text = Trim(std::string_view(input).substr(s->stmt_location, s->stmt_len));
        if (!text.empty()) out.emplace_back(text);
    }
    return out;
}

}  // namespace optischema::sqlparse
