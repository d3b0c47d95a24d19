#include "pg/explain.hpp"

#include <optional>

#include <fmt/format.h>

namespace optischema::pg {

Result<std::string> ExplainJson(Connection& conn,
                                std::string_view options,
                                std::string_view sql,
                                ExplainTransaction transaction) {
    const std::string explain = options.empty() ? fmt::format("EXPLAIN (FORMAT JSON) {}", sql)
                                                : fmt::format("EXPLAIN ({}, FORMAT JSON) {}", options, sql);
    const bool rolled_back = transaction != ExplainTransaction::kNone;
    if (rolled_back) {
        const char* begin = transaction == ExplainTransaction::kReadOnly ? "BEGIN TRANSACTION READ ONLY" : "BEGIN";
        if (auto ok = conn.Execute(begin); !ok) return tl::unexpected(ok.error());
    }
    // The extended protocol would bind the $n of a GENERIC_PLAN text, and refuses to bind none
    // (PostgreSQL 16+: "bind message supplies 0 parameters"); the simple protocol plans them unbound.
    const bool generic = options.find("GENERIC_PLAN") != std::string_view::npos;
    auto rows = generic ? conn.QuerySimple(explain) : conn.Query(explain);
    if (rolled_back) {
        // Whatever the statement did is undone; statement_timeout bounds how long it ran.
        if (auto ok = conn.Execute("ROLLBACK"); !ok && rows) return tl::unexpected(ok.error());
    }
    if (!rows) return tl::unexpected(rows.error());
    auto plan = rows->Scalar<std::optional<std::string>>();
    if (!plan || !*plan) return MakeError(ErrorCode::kInternal, "EXPLAIN returned no plan");
    return std::move(**plan);
}

}  // namespace optischema::pg
