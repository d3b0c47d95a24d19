#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "model/column_stats.hpp"
#include "model/parsed_query.hpp"
#include "model/schema.hpp"

/// Index candidates for one statement, from its ParsedQuery, the catalog and pg_stats. Pure.
namespace optischema::advisor {

/// A proposed index, before any costing.
struct IndexCandidate {
    std::string schema;  // empty: resolved through the search_path
    std::string table;
    std::string method = "btree";
    std::vector<std::string> columns;    // column names, or parenthesised expressions "(lower(email))"
    std::vector<bool> descending;        // per column
    std::vector<std::string> opclasses;  // per column; empty for the default operator class
    std::vector<std::string> include;
    std::string where;                   // partial index predicate; empty when none
    std::string reason;                  // why it was proposed, for the user
    bool needs_real_validation = false;  // the planner's what-if cannot cost it (e.g. GIN in HypoPG)
    bool covers_order_by = false;        // ends with the statement's ORDER BY: no sort, LIMIT stops early

    /// "schema.table" or "table".
    [[nodiscard]] std::string QualifiedTable() const;
    /// A deterministic readable name, e.g. "orders_customer_id_created_at_idx" (at most 63 bytes).
    [[nodiscard]] std::string Name() const;
    /// `CREATE INDEX [CONCURRENTLY] name ON table USING method (...) [INCLUDE (...)] [WHERE ...]`.
    [[nodiscard]] std::string Ddl(bool concurrently = true) const;
    /// `DROP INDEX CONCURRENTLY IF EXISTS schema.name`.
    [[nodiscard]] std::string RollbackDdl() const;
    /// Identity for de-duplication: same table, method, columns, order, opclasses, include, predicate.
    [[nodiscard]] std::string Key() const;
    /// True when `other` on the same table and method starts with all of this index's columns.
    [[nodiscard]] bool IsPrefixOf(const IndexCandidate& other) const;
};

/// pg_stats of a column, when known: (table, column) -> stats.
using StatsLookup =
    std::function<std::optional<model::ColumnStats>(const std::string& table, const std::string& column)>;

/// Candidates for one statement: equality columns first (most selective first), then one range
/// column; ORDER BY columns with their direction (to remove a sort under LIMIT); join keys;
/// expression indexes for wrapped columns; text_pattern_ops for LIKE 'prefix%'; GIN for jsonb
/// containment; partial indexes for filters on rare values of skewed columns. Candidates an
/// existing valid index already serves (same leading columns, method and predicate) are left out, and
/// so are those on a table, column or expression whose name holds a control character (a newline, ...):
/// OptiSchema writes no DDL with one (HasControlCharacters).
[[nodiscard]] std::vector<IndexCandidate> GenerateCandidates(const model::ParsedQuery& query,
                                                             const model::SchemaSnapshot& schema,
                                                             const StatsLookup& stats);

}  // namespace optischema::advisor
