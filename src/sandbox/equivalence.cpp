#include "sandbox/equivalence.hpp"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

namespace optischema::sandbox {
namespace {

// A row as one string: each field length-prefixed so that ("ab","c") and ("a","bc") differ, NULL
// distinct from every string.
std::string RowKey(const pg::Row& row) {
    std::string key;
    for (const auto& field : row) {
        if (!field) {
            key += "N;";
        } else {
            key += fmt::format("{}:", field->size());
            key += *field;
            key += ';';
        }
    }
    return key;
}

std::vector<std::string> Keys(const pg::Rows& rows) {
    std::vector<std::string> keys;
    keys.reserve(rows.size());
    for (const auto& row : rows) keys.push_back(RowKey(row));
    return keys;
}

}  // namespace

Result<Equivalence> CompareResults(pg::Connection& conn,
                                   const std::string& original_sql,
                                   const std::string& rewrite_sql,
                                   bool ordered,
                                   const EquivalenceOptions& options) {
    const guard::GateOptions gate{.use = guard::Use::kRun, .allow = options.allow};
    auto original_statement = guard::Clear(conn, original_sql, gate);
    if (!original_statement) return tl::unexpected(original_statement.error());
    Equivalence out;
    auto rewrite_statement = guard::Clear(conn, rewrite_sql, gate);
    if (!rewrite_statement) {
        out.equal = false;
        out.reason = fmt::format("the rewrite cannot be run: {}", rewrite_statement.error().message);
        return out;
    }
    // Both in one REPEATABLE READ transaction, so that both see the same data.
    Result<pg::Rows> original = pg::Rows();
    Result<pg::Rows> rewrite = pg::Rows();
    auto ran = guard::InStatementTransaction(
        conn, *original_statement,
        [&]() -> Result<void> {
            original = conn.Query(original_statement->sql());
            if (!original) return tl::unexpected(original.error());
            rewrite = conn.Query(rewrite_statement->sql());
            return {};
        },
        "ISOLATION LEVEL REPEATABLE READ");
    if (!ran) return tl::unexpected(ran.error());
    if (!rewrite) {
        out.equal = false;
        out.reason = fmt::format("the rewrite fails: {}", rewrite.error().message);
        return out;
    }
    out.original_rows = static_cast<std::int64_t>(original->size());
    out.rewrite_rows = static_cast<std::int64_t>(rewrite->size());
    if (original->columns().size() != rewrite->columns().size()) {
        out.equal = false;
        out.reason = fmt::format("the rewrite returns {} columns, the original {}", rewrite->columns().size(),
                                 original->columns().size());
        return out;
    }
    if (original->size() != rewrite->size()) {
        out.equal = false;
        out.reason = fmt::format("the rewrite returns {} rows, the original {}", rewrite->size(), original->size());
        return out;
    }
    if (original->size() > options.max_rows) {
        out.reason = fmt::format("{} rows are more than the {} compared", original->size(), options.max_rows);
        return out;
    }
    auto a = Keys(*original);
    auto b = Keys(*rewrite);
    if (ordered && a == b) {
        out.equal = true;
        return out;
    }
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    if (a != b) {
        const auto count = std::count_if(
            a.begin(), a.end(), [&](const std::string& k) { return !std::binary_search(b.begin(), b.end(), k); });
        // Duplicates make a multiset differ without any row missing.
        out.equal = false;
        out.reason = count > 0 ? fmt::format(
                                     "the rewrite returns different rows: {} of the original's {} rows are "
                                     "missing from its result",
                                     count, a.size())
                               : "the rewrite returns the same distinct rows but a different number of duplicates";
        return out;
    }
    if (ordered) {
        out.equal = false;
        out.reason = "the rewrite returns the same rows in a different order, and the original has ORDER BY";
        return out;
    }
    out.equal = true;
    return out;
}

}  // namespace optischema::sandbox
