#include "pg/capabilities.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "common/quote.hpp"

namespace optischema::pg {
namespace {

constexpr std::string_view kDetectSql = R"sql(
SELECT current_setting('server_version_num'),
       (SELECT rolsuper FROM pg_roles WHERE rolname = current_user),
       pg_has_role(current_user, 'pg_read_all_stats', 'USAGE'),
       EXISTS (SELECT 1 FROM pg_settings WHERE name = 'pg_stat_statements.max'),
       (SELECT e.extversion FROM pg_extension e WHERE e.extname = 'pg_stat_statements'),
       (SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
         WHERE e.extname = 'pg_stat_statements'),
       current_setting('pg_stat_statements.track', true),
       EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'hypopg'),
       (SELECT e.extversion FROM pg_extension e WHERE e.extname = 'hypopg'),
       current_database(), current_user,
       (SELECT to_regclass(format('%I.pg_stat_statements_info', n.nspname)) IS NOT NULL
          FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
         WHERE e.extname = 'pg_stat_statements'))sql";

constexpr std::string_view kColumnsSql = R"sql(
SELECT a.attname FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = $1 AND c.relname = 'pg_stat_statements' AND a.attnum > 0 AND NOT a.attisdropped
 ORDER BY a.attnum)sql";

bool IsTrue(const std::optional<std::string>& v) { return v && (*v == "t" || *v == "on" || *v == "true"); }

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
    const auto& r = (*rows)[0];
    Capabilities caps;
    caps.server_version_num = std::stoi(r[0].value_or("0"));
    caps.server_version = conn.ServerVersion();
    caps.is_superuser = IsTrue(r[1]);
    caps.can_read_all_stats = caps.is_superuser || IsTrue(r[2]);
    caps.pg_stat_statements_loaded = IsTrue(r[3]);
    caps.pg_stat_statements_version = r[4];
    caps.pg_stat_statements_schema = r[5].value_or("");
    caps.pg_stat_statements_track = r[6].value_or("");
    caps.hypopg_available = IsTrue(r[7]);
    caps.hypopg_version = r[8];
    caps.database = r[9].value_or("");
    caps.user = r[10].value_or("");
    caps.pg_stat_statements_info = IsTrue(r[11]);

    if (caps.pg_stat_statements_version) {
        const std::optional<std::string> schema[] = {caps.pg_stat_statements_schema};
        auto cols = conn.Query(kColumnsSql, schema);
        if (!cols) return tl::unexpected(cols.error());
        for (const auto& row : *cols) caps.pg_stat_statements_columns.push_back(row[0].value_or(""));
    }
    return caps;
}

}  // namespace optischema::pg
