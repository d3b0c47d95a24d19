#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "pg/connection.hpp"

namespace optischema::pg {

/// What a target server offers OptiSchema, detected once per connection.
struct Capabilities {
    int server_version_num = 0;  // e.g. 150018
    std::string server_version;  // e.g. "15.18"
    std::string database;
    std::string user;
    bool is_superuser = false;
    bool can_read_all_stats = false;  // superuser or member of pg_read_all_stats

    bool pg_stat_statements_loaded = false;                 // in shared_preload_libraries
    std::optional<std::string> pg_stat_statements_version;  // set when CREATE EXTENSION was run here
    std::string pg_stat_statements_schema;                  // schema holding the view, e.g. "public"
    std::vector<std::string> pg_stat_statements_columns;
    bool pg_stat_statements_info = false;  // pg_stat_statements_info view (1.9+, PostgreSQL 14+)
    std::string pg_stat_statements_track;  // "top", "all" or "none"

    bool hypopg_available = false;              // the extension can be created
    std::optional<std::string> hypopg_version;  // created in this database

    [[nodiscard]] bool HasColumn(std::string_view name) const;
    /// Ok when pg_stat_statements can be read here; otherwise an error saying exactly how to fix it.
    [[nodiscard]] Result<void> RequireStatStatements() const;
    /// Ok when other users' statements are visible; otherwise the GRANT that fixes it.
    [[nodiscard]] Result<void> RequireReadAllStats() const;
};

/// Reads the server's version, extensions, settings and the current role's privileges (two queries).
[[nodiscard]] Result<Capabilities> DetectCapabilities(Connection& conn);

}  // namespace optischema::pg
