#pragma once

// Internal to sqlparse/: the only header that includes <pg_query.h>.

#include <string>
#include <string_view>

#include <pg_query.h>

#include "common/error.hpp"

namespace optischema::sqlparse {

/// One result of a libpg_query call, freed with `Free` (its pg_query_free_* function) when it goes
/// out of scope: `PgQueryResult<PgQueryScanResult, pg_query_free_scan_result> r(pg_query_scan(...))`.
template <typename R, void (*Free)(R)>
class PgQueryResult {
public:
    explicit PgQueryResult(R result) : result_(result) {}
    PgQueryResult(const PgQueryResult&) = delete;
    PgQueryResult& operator=(const PgQueryResult&) = delete;
    ~PgQueryResult() { Free(result_); }

    const R* operator->() const { return &result_; }

private:
    R result_;
};

/// `sql` with the NUL that libpg_query's input needs (a string_view may not end in one).
[[nodiscard]] inline std::string Terminated(std::string_view sql) { return std::string(sql); }

/// Turns libpg_query's error into a kParseError with the parser's message and cursor position.
[[nodiscard]] Error ParserError(const PgQueryError& e, std::string_view sql);

}  // namespace optischema::sqlparse
