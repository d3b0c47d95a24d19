#include <string>

#include <fmt/format.h>

#include "sqlparse/internal/pg_query_result.hpp"
#include "sqlparse/sqlparse.hpp"

namespace optischema::sqlparse {

Error ParserError(const PgQueryError& e, std::string_view sql) {
    std::string msg = fmt::format("cannot parse SQL: {}", e.message != nullptr ? e.message : "syntax error");
    if (e.cursorpos > 0 && static_cast<std::size_t>(e.cursorpos) <= sql.size()) {
        msg += fmt::format(" at character {}", e.cursorpos);
    }
    return Error{ErrorCode::kParseError, msg + "; check the statement is complete, valid PostgreSQL SQL", {}};
}

Result<std::string> Fingerprint(std::string_view sql) {
    const std::string input = Terminated(sql);
    const PgQueryResult<PgQueryFingerprintResult, pg_query_free_fingerprint_result> r(
        pg_query_fingerprint(input.c_str()));
    if (r->error != nullptr) return tl::unexpected(ParserError(*r->error, sql));
    return fmt::format("{:016x}", r->fingerprint);
}

Result<std::string> Normalize(std::string_view sql) {
    const std::string input = Terminated(sql);
    const PgQueryResult<PgQueryNormalizeResult, pg_query_free_normalize_result> r(pg_query_normalize(input.c_str()));
    if (r->error != nullptr) return tl::unexpected(ParserError(*r->error, sql));
    return std::string(r->normalized_query);
}

}  // namespace optischema::sqlparse
