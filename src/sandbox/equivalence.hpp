#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/error.hpp"
#include "guard/gate.hpp"
#include "pg/connection.hpp"

namespace optischema::sandbox {

/// Whether a rewrite returns what the original returns.
struct Equivalence {
    std::optional<bool> equal;  // empty: could not be decided (e.g. too many rows to compare)
    std::int64_t original_rows = 0;
    std::int64_t rewrite_rows = 0;
    std::string reason;  // why not equal, or why undecided; empty when equal
};

struct EquivalenceOptions {
    std::size_t max_rows = 1'000'000;  // larger results are not compared
    guard::Allowlist allow;             // functions outside pg_catalog the statements may run (guard::Clear)
};

/// Runs both statements (SELECTs) in one read-only REPEATABLE READ transaction, so both see the same
/// data, and compares their rows: as sequences when `ordered` (the original has ORDER BY), else as
/// multisets. Rows are compared on their text form column by column (names may differ, positions and
/// values may not).
[[nodiscard]] Result<Equivalence> CompareResults(pg::Connection& conn,
                                                 const std::string& original_sql,
                                                 const std::string& rewrite_sql,
                                                 bool ordered,
                                                 const EquivalenceOptions& options = {});

}  // namespace optischema::sandbox
