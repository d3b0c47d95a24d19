#include <memory>
#include <string>

#include <fmt/format.h>
#include <pg_query.h>

#include "sqlparse/pg_query_error.hpp"
#include "sqlparse/sqlparse.hpp"

namespace optischema::sqlparse {
namespace {

// libpg_query wants NUL-terminated input; string_view may not be.
std::string Terminated(std::string_view sql) { return std::string(sql); }

struct FingerprintFree {
    void operator()(PgQueryFingerprintResult* r) const {
        pg_query_free_fingerprint_result(*r);
        delete r;
    }
};
struct NormalizeFree {
    void operator()(PgQueryNormalizeResult* r) const {
        pg_query_free_normalize_result(*r);
        delete r;
    }
};

}  // namespace

Error ParserError(const PgQueryError& e, std::string_view sql) {
    std::string msg = fmt::format("cannot parse SQL: {}", e.message != nullptr ? e.message : "syntax error");
    if (e.cursorpos > 0 && static_cast<std::size_t>(e.cursorpos) <= sql.size()) {
        msg += fmt::format(" at character {}", e.cursorpos);
    }
    return Error{ErrorCode::kParseError, msg + "; check the statement is complete, valid PostgreSQL SQL", {}};
}

Result<std::string> Fingerprint(std::string_view sql) {
    const std::string input = Terminated(sql);
    std::unique_ptr<PgQueryFingerprintResult, FingerprintFree> r(
        new PgQueryFingerprintResult(pg_query_fingerprint(input.c_str())));
    if (r->error != nullptr) return tl::unexpected(ParserError(*r->error, sql));
    return fmt::format("{:016x}", r->fingerprint);
}

Result<std::string> Normalize(std::string_view sql) {
    const std::string input = Terminated(sql);
    std::unique_ptr<PgQueryNormalizeResult, NormalizeFree> r(
        new PgQueryNormalizeResult(pg_query_normalize(input.c_str())));
    if (r->error != nullptr) return tl::unexpected(ParserError(*r->error, sql));
    return std::string(r->normalized_query);
}

}  // namespace optischema::sqlparse
