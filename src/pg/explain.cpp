#include "pg/explain.hpp"

#include <optional>

#include <fmt/format.h>

namespace optischema::pg {

Result<std::string> ExplainJson(Connection& conn, std::string_view options, std::string_view sql) {
    const std::string explain = options.empty() ? fmt::format("EXPLAIN (FORMAT JSON) {}", sql)
                                                : fmt::format("EXPLAIN ({}, FORMAT JSON) {}", options, sql);
    // The extended protocol would bind the $n of a GENERIC_PLAN text, and refuses to bind none
    // (PostgreSQL 16+: "bind message supplies 0 parameters"); the simple protocol plans them unbound.
    const bool generic = options.find("GENERIC_PLAN") != std::string_view::npos;
    auto rows = generic ? conn.QuerySimple(explain) : conn.Query(explain);
    if (!rows) return tl::unexpected(rows.error());
    auto plan = rows->Scalar<std::optional<std::string>>();
    if (!plan || !*plan) return MakeError(ErrorCode::kInternal, "EXPLAIN returned no plan");
    return std::move(**plan);
}

}  // namespace optischema::pg
