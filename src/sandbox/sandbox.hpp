#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "guard/gate.hpp"
#include "pg/connection.hpp"
#include "sandbox/managed_cluster.hpp"

namespace optischema::sandbox {

/// A table as a statement names it; an empty schema is resolved through the target's search_path.
struct TableName {
    std::string schema;
    std::string name;
};

/// What was copied of one table into a managed sandbox.
struct CopiedTable {
    std::string schema;
    std::string name;
    std::int64_t target_rows = 0;  // the target's estimate (pg_class.reltuples)
    std::int64_t target_bytes = 0;
    std::int64_t copied_rows = 0;
    double sample_percent = 100;  // below 100: a TABLESAMPLE SYSTEM of the target's pages
};

struct CopyOptions {
    std::int64_t max_table_bytes = 256LL << 20;  // larger tables are sampled down to about this size
    std::chrono::milliseconds copy_timeout{10 * 60 * 1000};
};

/// Planner settings copied from the target, so the sandbox plans the way the target would.
[[nodiscard]] const std::vector<std::string>& PlannerSettings();

/// Where a recommendation is proven. Three kinds: a database of OptiSchema's own managed cluster
/// holding copies of the tables involved; a database the user named as a sandbox (a staging copy);
/// or the target itself when the user marked it as non-production. In the last two, the only writes
/// are the indexes being validated, and they are dropped again. Not thread-safe.
class Sandbox {
public:
    enum class Kind { kManaged, kDsn, kTarget };

    /// Copies the schema (columns, types, constraints, indexes) and data of `tables` from the target
    /// into a new database of `cluster`: whole tables up to CopyOptions::max_table_bytes, a repeatable
    /// TABLESAMPLE beyond it; then ANALYZE. Reads the target in one read-only snapshot.
    [[nodiscard]] static Result<std::unique_ptr<Sandbox>> Managed(ManagedCluster& cluster,
                                                                  pg::Connection& target,
                                                                  const std::vector<TableName>& tables,
                                                                  const CopyOptions& options = {});
    /// An existing database: a staging copy (kDsn) or the non-production target (kTarget).
    [[nodiscard]] static Result<std::unique_ptr<Sandbox>> Existing(const std::string& dsn, Kind kind);

    Sandbox(const Sandbox&) = delete;
    Sandbox& operator=(const Sandbox&) = delete;
    /// Drops what the sandbox created: the indexes it built and, when managed, its database.
    ~Sandbox();

    /// Builds an index for a benchmark, returning the build time in ms: plainly in a managed sandbox,
    /// CONCURRENTLY elsewhere (a staging server may be shared). `drop_sql` undoes it.
    /// The DDL passes the safety gate (`allow`: functions outside pg_catalog it may call), runs under the
    /// target's search_path, and its table is analyzed after.
    [[nodiscard]] Result<double> BuildIndex(const std::string& create_sql,
                                            const std::string& drop_sql,
                                            const guard::Allowlist& allow = {});
    /// Drops the indexes built so far.
    [[nodiscard]] Result<void> DropBuiltIndexes();

    [[nodiscard]] pg::Connection& conn() { return conn_; }
    [[nodiscard]] Kind kind() const { return kind_; }
    [[nodiscard]] const std::vector<CopiedTable>& copied() const { return copied_; }
    /// What was not reproduced exactly (an index that failed to build, a sampled table, ...).
    [[nodiscard]] const std::vector<std::string>& notes() const { return notes_; }
    /// "managed sandbox (PostgreSQL 15.4, database optischema_sb_...)", "staging database ...".
    [[nodiscard]] std::string Describe() const;

private:
    Sandbox(Kind kind, pg::Connection conn);

    Kind kind_;
    pg::Connection conn_;
    std::string admin_dsn_;           // managed: the cluster's maintenance database, to drop this one
    std::string database_;            // managed: the database created for this sandbox
    struct Drop {
        std::string sql;
        std::string search_path;  // the one the index was built under
    };
    std::vector<Drop> drops_;  // DROP statements of the indexes built, newest last
    std::vector<CopiedTable> copied_;
    std::vector<std::string> notes_;
};

/// "managed", "dsn" or "target".
[[nodiscard]] const char* SandboxKindName(Sandbox::Kind kind);

}  // namespace optischema::sandbox
