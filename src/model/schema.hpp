#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace optischema::model {

/// One index as the catalog describes it.
struct IndexInfo {
    std::string schema;
    std::string table;
    std::string name;
    std::string definition;              // pg_get_indexdef(), e.g. "CREATE INDEX ... USING btree (a, lower(b))"
    std::string method;                  // "btree", "gin", "gist", "hash", "brin", ...
    std::vector<std::string> columns;    // key columns or expressions, in order, as pg_get_indexdef shows them
    std::vector<std::string> include;    // INCLUDE columns
    std::vector<std::string> opclasses;  // per key column; empty string for the default operator class
    std::vector<bool> descending;        // per key column
    std::string predicate;               // partial index WHERE clause; empty when none
    bool unique = false;
    bool primary = false;
    bool constraint_backed = false;  // backs a PRIMARY KEY, UNIQUE or EXCLUDE constraint
    bool valid = true;               // false after a failed CREATE INDEX CONCURRENTLY
    std::int64_t size_bytes = 0;
    std::int64_t scans = 0;  // pg_stat_user_indexes.idx_scan since the statistics reset
};

/// One table with its size and write activity.
struct TableInfo {
    std::string schema;
    std::string name;
    double rows = 0;              // pg_class.reltuples (estimate; -1 when never analyzed)
    std::int64_t size_bytes = 0;  // heap only
    std::int64_t inserts = 0;     // pg_stat_user_tables counters since the statistics reset
    std::int64_t updates = 0;
    std::int64_t hot_updates = 0;
    std::int64_t deletes = 0;
    std::int64_t seq_scans = 0;
    std::int64_t index_scans = 0;
};

/// A foreign key constraint.
struct ForeignKeyInfo {
    std::string schema;
    std::string table;
    std::string name;
    std::vector<std::string> columns;  // referencing columns, in constraint order
    std::string referenced_schema;
    std::string referenced_table;
};

/// The parts of a database's schema the advisor and the health checks need.
struct SchemaSnapshot {
    std::vector<TableInfo> tables;
    std::vector<IndexInfo> indexes;
    std::vector<ForeignKeyInfo> foreign_keys;
    std::optional<double> stats_age_s;    // seconds since pg_stat_database.stats_reset, when known
    std::vector<std::string> extensions;  // installed in the database, e.g. "pg_trgm", "hypopg"

    [[nodiscard]] bool HasExtension(const std::string& name) const {
        for (const auto& e : extensions) {
            if (e == name) return true;
        }
        return false;
    }
};

}  // namespace optischema::model
