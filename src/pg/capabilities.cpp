#include "pg/capabilities.hpp"

#include <algorithm>
#include <tuple>

#include <fmt/format.h>

#include "common/quote.hpp"

namespace optischema::pg {
namespace {

// Named columns, so that an error reading one names it.
constexpr std::string_view kDetectSql = R"sql(
SELECT current_setting('server_version_num') AS server_version_num,
       (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS is_superuser,
       pg_has_role(current_user, 'pg_read_all_stats', 'USAGE') AS read_all_stats,
       EXISTS (SELECT 1 FROM pg_settings WHERE name = 'pg_stat_statements.max') AS pg_stat_statements_loaded,
       (SELECT e.extversion FROM pg_extension e WHERE e.extname = 'pg_stat_statements') AS pg_stat_statements_version,
       (SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
         WHERE e.extname = 'pg_stat_statements') AS pg_stat_statements_schema,
       current_setting('pg_stat_statements.track', true) AS pg_stat_statements_track,
       EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'hypopg') AS hypopg_available,
       (SELECT e.extversion FROM pg_extension e WHERE e.extname = 'hypopg') AS hypopg_version,
       current_database(), current_user,
       (SELECT to_regclass(format('%I.pg_stat_statements_info', n.nspname)) IS NOT NULL
          FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
         WHERE e.extname = 'pg_stat_statements') AS pg_stat_statements_info)sql";

constexpr std::string_view kColumnsSql = R"sql(
SELECT a.attname FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = $1 AND c.relname = 'pg_stat_statements' AND a.attnum > 0 AND NOT a.attisdropped
 ORDER BY a.attnum)sql";

Error Unreadable(const Error& e) {
    return Error{e.code,
                 "cannot read the capabilities of the server: " + e.message +
                     "; OptiSchema supports PostgreSQL 13 and later: check that the DSN points at one",
                 e.sqlstate};
}

}  // namespace

bool Capabilities::HasColumn(std::string_view name) const {
    return std::find(pg_stat_statements_columns.begin(), pg_stat_statements_columns.end(), name) !=
           pg_stat_statements_columns.end();
}

Result<void> Capabilities::RequireStatStatements() const {
    if (!pg_stat_statements_loaded) {
        return MakeError(ErrorCode::kPrerequisiteMissing,
                         "pg_stat_statements is not loaded on this server: add 'pg_stat_statements' to "
                         "shared_preload_libraries in postgresql.conf (keeping any libraries already listed) "
                         "and restart PostgreSQL");
    }
    if (!pg_stat_statements_version) {
        return MakeError(ErrorCode::kPrerequisiteMissing,
                         fmt::format("the pg_stat_statements extension is not created in database \"{}\": run "
                                     "CREATE EXTENSION pg_stat_statements; in that database",
                                     database));
    }
    return {};
}

Result<void> Capabilities::RequireReadAllStats() const {
    if (can_read_all_stats) return {};
    return MakeError(ErrorCode::kPrerequisiteMissing,
                     fmt::format("role \"{}\" can see only its own statements in pg_stat_statements: run GRANT "
                                 "pg_read_all_stats TO {}; as a superuser (or pass --own-statements-only)",
                                 user, QuoteIdent(user)));
}

Result<Capabilities> DetectCapabilities(Connection& conn) {
    auto rows = conn.Query(kDetectSql);
    if (!rows) return tl::unexpected(rows.error());
    if (rows->size() != 1) return MakeError(ErrorCode::kInternal, "capability query returned no row");
    // A NULL flag (no such role or extension) reads as false.
    auto row = (*rows)[0]
                   .As<int, std::optional<bool>, bool, bool, std::optional<std::string>, std::optional<std::string>,
                       std::optional<std::string>, bool, std::optional<std::string>, std::string, std::string,
                       std::optional<bool>>();
    if (!row) return tl::unexpected(Unreadable(row.error()));
    Capabilities caps;
    bool read_all_stats = false;
    std::optional<std::string> schema;
    std::optional<std::string> track;
    std::optional<bool> superuser;
    std::optional<bool> info;
    std::tie(caps.server_version_num, superuser, read_all_stats, caps.pg_stat_statements_loaded,
             caps.pg_stat_statements_version, schema, track, caps.hypopg_available, caps.hypopg_version, caps.database,
             caps.user, info) = std::move(*row);
    caps.server_version = conn.ServerVersion();
    caps.is_superuser = superuser.value_or(false);
    caps.can_read_all_stats = caps.is_superuser || read_all_stats;
    caps.pg_stat_statements_schema = schema.value_or("");
    caps.pg_stat_statements_track = track.value_or("");
    caps.pg_stat_statements_info = info.value_or(false);

    if (caps.pg_stat_statements_version) {
        const std::optional<std::string> params[] = {caps.pg_stat_statements_schema};
        auto cols = conn.Query(kColumnsSql, params);
        if (!cols) return tl::unexpected(cols.error());
        auto names = cols->As<std::string>();
        if (!names) return tl::unexpected(Unreadable(names.error()));
        caps.pg_stat_statements_columns = std::move(*names);
    }
    return caps;
}

}  // namespace optischema::pg
