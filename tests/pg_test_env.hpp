#pragma once

#include <optional>
#include <string>

/// Access to the throwaway cluster that the pg_cluster_start CTest fixture started for this run.
namespace optischema::testing {

/// DSN of the cluster's postgres database (superuser). Fails the test when there is no cluster:
/// a pgtest never passes by skipping. When OPTISCHEMA_TEST_PG_MAJOR is set (scripts/pg_versions.sh run),
/// also fails unless the cluster runs that major.
[[nodiscard]] std::string ClusterDsn();

/// The major the test runs against when it is one of the multi-version runs (OPTISCHEMA_TEST_PG_MAJOR),
/// else nullopt (the main cluster, Debian's PostgreSQL 15).
[[nodiscard]] std::optional<int> ExpectedMajor();

/// Whether the cluster has HypoPG: the main cluster does, the packaged servers of other runs do not.
[[nodiscard]] bool ClusterHasHypoPG();

/// Drops and re-creates database `name` (pg_stat_statements and hypopg created) and returns its DSN.
[[nodiscard]] std::string FreshDatabase(const std::string& name);

/// ClusterDsn() with `key=value` pairs appended (later keys win in libpq).
[[nodiscard]] std::string WithParams(const std::string& dsn, const std::string& extra);

/// The first column of the first row of `sql` (empty when no row), through libpq directly.
[[nodiscard]] std::string QueryValue(const std::string& dsn, const std::string& sql);

/// Runs SQL on a DSN through libpq directly (not our pg/ code), failing the test on error.
void RunSql(const std::string& dsn, const std::string& sql);

}  // namespace optischema::testing
