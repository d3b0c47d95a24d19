#include "sandbox/sandbox.hpp"

#include <atomic>
#include <chrono>
#include <map>
#include <set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include "common/quote.hpp"
#include "pg/catalog.hpp"
#include "sqlparse/sqlparse.hpp"

namespace optischema::sandbox {
namespace {

using Params = std::vector<std::optional<std::string>>;

std::string Qualified(const std::string& schema, const std::string& name) {
    return QuoteIdent(schema) + "." + QuoteIdent(name);
}

Error Unreadable(const Error& e, std::string_view what) {
    return Error{e.code, fmt::format("cannot read {} from the target's catalog: {}", what, e.message), e.sqlstate};
}

double ElapsedMs(std::chrono::steady_clock::time_point since) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - since).count();
}

/// One table of the target, as read from its catalog.
struct SourceTable {
    std::string oid;
    std::string schema;
    std::string name;
    std::int64_t rows = 0;
    std::int64_t bytes = 0;
    std::string create_sql;
    std::vector<std::string> constraints;  // ALTER TABLE ... ADD CONSTRAINT, after the data
    std::vector<std::string> indexes;      // CREATE INDEX, after the data
};

Result<SourceTable> ReadTable(pg::Connection& target, const TableName& table) {
    const std::string ref = table.schema.empty() ? QuoteIdent(table.name) : Qualified(table.schema, table.name);
    auto resolved = pg::RelationOid(target, ref);
    if (!resolved) return tl::unexpected(resolved.error());
    auto rel = target.Query(
        "SELECT c.oid::text, n.nspname, c.relname, c.relkind::text, greatest(c.reltuples, 0)::bigint, "
        "pg_table_size(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.oid = $1::oid",
        Params{*resolved});
    if (!rel) return tl::unexpected(rel.error());
    if (rel->empty()) {
        return MakeError(ErrorCode::kNotFound,
                         fmt::format("table {} does not exist on the target (as seen through its search_path)", ref));
    }
    // A size is NULL for a table dropped meanwhile: it reads as 0.
    auto row = (*rel)[0]
                   .As<std::string, std::string, std::string, std::string, std::optional<std::int64_t>,
                       std::optional<std::int64_t>>();
    if (!row) return tl::unexpected(Unreadable(row.error(), "table " + ref));
    const auto& [oid, schema, name, relkind, rows, bytes] = *row;
    SourceTable out{oid, schema, name, rows.value_or(0), bytes.value_or(0), {}, {}, {}};
    if (relkind != "r") {
        const char* what = relkind == "v"   ? "a view"
                           : relkind == "m" ? "a materialized view"
                           : relkind == "p" ? "a partitioned table"
                           : relkind == "f" ? "a foreign table"
                                            : "not a plain table";
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("{} is {}, which the managed sandbox does not copy yet: validate with "
                                     "--sandbox DSN (a staging copy) instead",
                                     Qualified(out.schema, out.name), what));
    }
    const std::string qualified = Qualified(out.schema, out.name);

    auto cols = target.Query(
        "SELECT quote_ident(a.attname), format_type(a.atttypid, a.atttypmod), a.attnotnull, "
        "CASE WHEN a.attcollation <> t.typcollation AND a.attcollation <> 0 THEN "
        "  (SELECT quote_ident(n.nspname) || '.' || quote_ident(co.collname) FROM pg_collation co "
        "   JOIN pg_namespace n ON n.oid = co.collnamespace WHERE co.oid = a.attcollation) END "
        "FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid "
        "WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
        Params{out.oid});
    if (!cols) return tl::unexpected(cols.error());
    auto col_rows = cols->As<std::string, std::string, bool, std::optional<std::string>>();
    if (!col_rows) return tl::unexpected(Unreadable(col_rows.error(), "the columns of " + qualified));
    std::string columns;
    for (const auto& [column, type, not_null, collation] : *col_rows) {
        if (!columns.empty()) columns += ",\n    ";
        columns += fmt::format("{} {}", column, type);
        if (collation) columns += " COLLATE " + *collation;
        if (not_null) columns += " NOT NULL";
    }
    out.create_sql = fmt::format("CREATE TABLE {} (\n    {}\n)", qualified, columns);

    auto cons = target.Query(
        "SELECT quote_ident(conname), pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = $1::oid AND contype IN ('p', 'u', 'x', 'c') ORDER BY contype DESC, conname",
        Params{out.oid});
    if (!cons) return tl::unexpected(cons.error());
    auto con_rows = cons->As<std::string, std::string>();
    if (!con_rows) return tl::unexpected(Unreadable(con_rows.error(), "the constraints of " + qualified));
    for (const auto& [constraint, definition] : *con_rows) {
        out.constraints.push_back(
            fmt::format("ALTER TABLE {} ADD CONSTRAINT {} {}", qualified, constraint, definition));
    }
    auto idx = target.Query(
        "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i WHERE i.indrelid = $1::oid AND i.indisvalid "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conrelid = i.indrelid AND c.conindid = i.indexrelid "
        "AND c.contype IN ('p', 'u', 'x')) ORDER BY i.indexrelid",
        Params{out.oid});
    if (!idx) return tl::unexpected(idx.error());
    auto index_rows = idx->As<std::string>();
    if (!index_rows) return tl::unexpected(Unreadable(index_rows.error(), "the indexes of " + qualified));
    out.indexes = std::move(*index_rows);
    return out;
}

// Types the tables' columns use that are not built in: enums and domains are recreated, types of
// extensions come with the extension; anything else cannot be copied yet.
Result<std::vector<std::string>> TypeStatements(pg::Connection& target, const std::vector<SourceTable>& tables) {
    std::string oids = "{";
    for (const auto& t : tables) oids += (oids.size() > 1 ? "," : "") + t.oid;
    oids += "}";
    auto types = target.Query(
        "SELECT DISTINCT t.oid, quote_ident(n.nspname) || '.' || quote_ident(t.typname), t.typtype::text, "
        "  format_type(t.typbasetype, t.typtypmod), "
        "  (SELECT string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder) FROM pg_enum e "
        "   WHERE e.enumtypid = t.oid), "
        "  EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid "
        "          AND d.deptype = 'e'), "
        "  quote_ident(n.nspname) "
        "FROM pg_attribute a JOIN pg_type t0 ON t0.oid = a.atttypid "
        "JOIN pg_type t ON t.oid = CASE WHEN t0.typelem <> 0 AND t0.typlen = -1 THEN t0.typelem ELSE t0.oid END "
        "JOIN pg_namespace n ON n.oid = t.typnamespace "
        "WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped "
        "AND n.nspname NOT IN ('pg_catalog', 'information_schema') ORDER BY t.oid",
        Params{oids});
    if (!types) return tl::unexpected(types.error());
    // oid, name, typtype, base type (of a domain), enum labels, made by an extension, schema
    auto type_rows = types->As<std::string, std::string, std::string, std::optional<std::string>,
                               std::optional<std::string>, bool, std::string>();
    if (!type_rows) return tl::unexpected(Unreadable(type_rows.error(), "the column types"));
    std::vector<std::string> out;
    for (const auto& [oid, name, kind, base_type, labels, from_extension, schema] : *type_rows) {
        if (from_extension) continue;  // CREATE EXTENSION brings it
        out.push_back("CREATE SCHEMA IF NOT EXISTS " + schema);
        if (kind == "e") {
            out.push_back(fmt::format("CREATE TYPE {} AS ENUM ({})", name, labels.value_or("")));
        } else if (kind == "d") {
            out.push_back(fmt::format("CREATE DOMAIN {} AS {}", name, base_type.value_or("")));
        } else {
            return MakeError(ErrorCode::kInvalidArgument,
                             fmt::format("a column uses the type {}, which the managed sandbox does not copy yet: "
                                         "validate with --sandbox DSN (a staging copy) instead",
                                         name));
        }
    }
    return out;
}

std::string SandboxDatabaseName() {
    static std::atomic<int> counter{0};
    return fmt::format(
        "optischema_sb_{}_{}_{}", ::getpid(),
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count(),
        counter++);
}

}  // namespace

const std::vector<std::string>& PlannerSettings() {
    static const std::vector<std::string> kSettings = {"work_mem",
                                                       "hash_mem_multiplier",
                                                       "effective_cache_size",
                                                       "random_page_cost",
                                                       "seq_page_cost",
                                                       "cpu_tuple_cost",
                                                       "cpu_index_tuple_cost",
                                                       "cpu_operator_cost",
                                                       "effective_io_concurrency",
                                                       "default_statistics_target",
                                                       "from_collapse_limit",
                                                       "join_collapse_limit",
                                                       "geqo",
                                                       "geqo_threshold",
                                                       "max_parallel_workers_per_gather",
                                                       "parallel_setup_cost",
                                                       "parallel_tuple_cost",
                                                       "min_parallel_table_scan_size",
                                                       "min_parallel_index_scan_size",
                                                       "jit",
                                                       "plan_cache_mode",
                                                       "constraint_exclusion",
                                                       "enable_bitmapscan",
                                                       "enable_hashagg",
                                                       "enable_hashjoin",
                                                       "enable_indexonlyscan",
                                                       "enable_indexscan",
                                                       "enable_material",
                                                       "enable_memoize",
                                                       "enable_mergejoin",
                                                       "enable_nestloop",
                                                       "enable_parallel_append",
                                                       "enable_parallel_hash",
                                                       "enable_partition_pruning",
                                                       "enable_seqscan",
                                                       "enable_sort",
                                                       "enable_incremental_sort",
                                                       "enable_tidscan"};
    return kSettings;
}

const char* SandboxKindName(Sandbox::Kind kind) {
    switch (kind) {
        case Sandbox::Kind::kManaged:
            return "managed";
        case Sandbox::Kind::kDsn:
            return "dsn";
        case Sandbox::Kind::kTarget:
            return "target";
    }
    return "managed";
}

Sandbox::Sandbox(Kind kind, pg::Connection conn) : kind_(kind), conn_(std::move(conn)) {}

Sandbox::~Sandbox() {
    if (auto ok = DropBuiltIndexes(); !ok) spdlog::warn("sandbox cleanup: {}", ok.error().message);
    if (kind_ != Kind::kManaged || database_.empty()) return;
    auto admin = pg::Connection::Open(admin_dsn_);
    if (!admin) {
        spdlog::warn("sandbox cleanup: {}", admin.error().message);
        return;
    }
    // Our own connection must be gone before the database can be dropped.
    conn_ = std::move(*admin);
    if (auto ok = conn_.Execute(fmt::format("DROP DATABASE IF EXISTS {} WITH (FORCE)", QuoteIdent(database_))); !ok) {
        spdlog::warn("sandbox cleanup: {}", ok.error().message);
    }
}

Result<std::unique_ptr<Sandbox>> Sandbox::Existing(const std::string& dsn, Kind kind) {
    auto conn = pg::Connection::Open(dsn);
    if (!conn) return tl::unexpected(conn.error());
    return std::unique_ptr<Sandbox>(new Sandbox(kind, std::move(*conn)));
}

Result<std::unique_ptr<Sandbox>> Sandbox::Managed(ManagedCluster& cluster,
                                                  pg::Connection& target,
                                                  const std::vector<TableName>& tables,
                                                  const CopyOptions& options) {
    // 1. Read everything from the target in one read-only snapshot.
    if (auto ok = target.ExecuteAll({"BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
                                     fmt::format("SET LOCAL statement_timeout = {}", options.copy_timeout.count()),
                                     "SET LOCAL client_encoding = 'UTF8'"});
        !ok) {
        return tl::unexpected(ok.error());
    }
    struct Rollback {
        pg::Connection& conn;
        ~Rollback() { (void)conn.Execute("ROLLBACK"); }
    } end_snapshot{target};

    std::vector<SourceTable> sources;
    std::set<std::string> seen;
    for (const auto& t : tables) {
        auto source = ReadTable(target, t);
        if (!source) return tl::unexpected(source.error());
        if (seen.insert(source->oid).second) sources.push_back(std::move(*source));
    }
    auto type_sql = TypeStatements(target, sources);
    if (!type_sql) return tl::unexpected(type_sql.error());
    auto extensions = target.Query(
        "SELECT quote_ident(e.extname), quote_ident(n.nspname) FROM pg_extension e "
        "JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname NOT IN ('plpgsql') ORDER BY e.oid");
    if (!extensions) return tl::unexpected(extensions.error());
    auto extension_rows = extensions->As<std::string, std::string>();
    if (!extension_rows) return tl::unexpected(Unreadable(extension_rows.error(), "the extensions"));
    auto db = target.Query("SELECT datcollate, datctype FROM pg_database WHERE datname = current_database()");
    if (!db) return tl::unexpected(db.error());
    auto db_rows = db->As<std::optional<std::string>, std::optional<std::string>>();
    if (!db_rows) return tl::unexpected(Unreadable(db_rows.error(), "the database's collation"));
    std::string settings_list = "{";
    for (const auto& s : PlannerSettings()) settings_list += (settings_list.size() > 1 ? "," : "") + s;
    settings_list += "}";
    auto settings =
        target.Query("SELECT name, setting FROM pg_settings WHERE name = ANY($1::text[])", Params{settings_list});
    if (!settings) return tl::unexpected(settings.error());
    auto setting_rows = settings->As<std::string, std::optional<std::string>>();
    if (!setting_rows) return tl::unexpected(Unreadable(setting_rows.error(), "the planner settings"));

    // 2. A database of its own in the managed cluster, collated like the target's.
    const std::string name = SandboxDatabaseName();
    auto admin = pg::Connection::Open(cluster.Dsn("postgres"));
    if (!admin) return tl::unexpected(admin.error());
    std::vector<std::string> notes;
    const std::string collate = db_rows->empty() ? "C.UTF-8" : std::get<0>(db_rows->front()).value_or("C.UTF-8");
    const std::string ctype = db_rows->empty() ? "C.UTF-8" : std::get<1>(db_rows->front()).value_or("C.UTF-8");
    auto created =
        admin->Execute(fmt::format("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE {} LC_CTYPE {}",
                                   QuoteIdent(name), QuoteLiteral(collate), QuoteLiteral(ctype)));
    if (!created) {
        notes.push_back(
            fmt::format("the target's collation {} is not available here; the sandbox sorts text as "
                        "C.UTF-8 does",
                        collate));
        created =
            admin->Execute(fmt::format("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'", QuoteIdent(name)));
        if (!created) return tl::unexpected(created.error());
    }
    for (const auto& [setting, value] : *setting_rows) {
        if (auto ok = admin->Execute(fmt::format("ALTER DATABASE {} SET {} = {}", QuoteIdent(name), setting,
                                                 QuoteLiteral(value.value_or(""))));
            !ok) {
            notes.push_back(fmt::format("planner setting {} not copied: {}", setting, ok.error().message));
        }
    }
    auto conn = pg::Connection::Open(cluster.Dsn(name), pg::SessionLimits{.statement_timeout = options.copy_timeout});
    if (!conn) {
        (void)admin->Execute(fmt::format("DROP DATABASE IF EXISTS {} WITH (FORCE)", QuoteIdent(name)));
        return tl::unexpected(conn.error());
    }
    std::unique_ptr<Sandbox> sandbox(new Sandbox(Kind::kManaged, std::move(*conn)));
    sandbox->admin_dsn_ = cluster.Dsn("postgres");
    sandbox->database_ = name;
    sandbox->notes_ = std::move(notes);
    pg::Connection& sb = sandbox->conn_;

    // 3. Schema: extensions (they bring their types, operator classes and functions), schemas, types, tables.
    for (const auto& [extension, schema] : *extension_rows) {
        const std::string create = fmt::format("CREATE EXTENSION IF NOT EXISTS {} WITH SCHEMA {}", extension, schema);
        if (auto ok = sb.Execute("CREATE SCHEMA IF NOT EXISTS " + schema); !ok) return tl::unexpected(ok.error());
        if (auto ok = sb.Execute(create); !ok) {
            sandbox->notes_.push_back(fmt::format("extension {} is not available in the sandbox", extension));
        }
    }
    for (const auto& s : sources) {
        if (auto ok = sb.Execute("CREATE SCHEMA IF NOT EXISTS " + QuoteIdent(s.schema)); !ok) {
            return tl::unexpected(ok.error());
        }
    }
    for (const auto& sql : *type_sql) {
        if (auto ok = sb.Execute(sql); !ok) return tl::unexpected(ok.error());
    }

    // 4. Data, then constraints and indexes (faster than maintaining them row by row), then ANALYZE.
    for (const auto& s : sources) {
        const std::string qualified = Qualified(s.schema, s.name);
        if (auto ok = sb.Execute(s.create_sql); !ok) return tl::unexpected(ok.error());
        CopiedTable copied{s.schema, s.name, s.rows, s.bytes, 0, 100};
        std::string copy_out = fmt::format("COPY {} TO STDOUT", qualified);
        if (s.bytes > options.max_table_bytes) {
            copied.sample_percent =
                std::max(0.01, 100.0 * static_cast<double>(options.max_table_bytes) / static_cast<double>(s.bytes));
            copy_out = fmt::format("COPY (SELECT * FROM {} TABLESAMPLE SYSTEM ({:.4f}) REPEATABLE (42)) TO STDOUT",
                                   qualified, copied.sample_percent);
        }
        const auto start = std::chrono::steady_clock::now();
        auto rows = target.CopyTo(sb, copy_out, fmt::format("COPY {} FROM STDIN", qualified));
        if (!rows) return tl::unexpected(rows.error());
        copied.copied_rows = *rows;
        spdlog::debug("sandbox: copied {} rows of {} in {:.0f} ms", *rows, qualified, ElapsedMs(start));
        for (const auto& sql : s.constraints) {
            if (auto ok = sb.Execute(sql); !ok) {
                sandbox->notes_.push_back(fmt::format("constraint not reproduced: {}", ok.error().message));
            }
        }
        for (const auto& sql : s.indexes) {
            if (auto ok = sb.Execute(sql); !ok) {
                sandbox->notes_.push_back(fmt::format("existing index not reproduced: {}", ok.error().message));
            }
        }
        // VACUUM as well: a freshly copied table has no hint bits or visibility map yet, which would make the
        // first (the "before") runs slower than the rest and skew the comparison.
        if (auto ok = sb.Execute("VACUUM (ANALYZE) " + qualified); !ok) return tl::unexpected(ok.error());
        if (copied.sample_percent < 100) {
            sandbox->notes_.push_back(fmt::format("{} was sampled: {} of about {} rows ({:.2f}% of its pages)",
                                                  qualified, copied.copied_rows, copied.target_rows,
                                                  copied.sample_percent));
        }
        sandbox->copied_.push_back(copied);
    }
    return sandbox;
}

Result<double> Sandbox::BuildIndex(const std::string& create_sql,
                                   const std::string& drop_sql,
                                   const guard::Allowlist& allow) {
    // The index's expressions run for every row: the DDL passes the gate, and runs under the target's
    // search_path like the statements it serves.
    auto ddl = guard::Clear(conn_, create_sql, {.use = guard::Use::kRun, .index_ddl = true, .allow = allow});
    if (!ddl) return tl::unexpected(ddl.error());
    auto parsed = sqlparse::ParseIndexDdl(create_sql);
    if (!parsed) return tl::unexpected(parsed.error());
    const std::string table = parsed->schema.empty() ? QuoteIdent(parsed->table)
                                                     : QuoteIdent(parsed->schema) + "." + QuoteIdent(parsed->table);
    double build_ms = 0;
    auto built = guard::OnStatementSearchPath(conn_, *ddl, [&]() -> Result<void> {
        const auto start = std::chrono::steady_clock::now();
        if (auto ok = conn_.Execute(create_sql); !ok) return ok;
        build_ms = ElapsedMs(start);
        drops_.push_back({drop_sql, ddl->search_path()});
        // Expression indexes get their own statistics only from ANALYZE.
        return conn_.Execute("ANALYZE " + table);
    });
    if (!built) return tl::unexpected(built.error());
    return build_ms;
}

Result<void> Sandbox::DropBuiltIndexes() {
    while (!drops_.empty()) {
        const Drop& drop = drops_.back();
        if (auto ok = conn_.OnSearchPath(drop.search_path, [&] { return conn_.Execute(drop.sql); }); !ok) return ok;
        drops_.pop_back();
    }
    return {};
}

std::string Sandbox::Describe() const {
    switch (kind_) {
        case Kind::kManaged:
            return fmt::format("managed sandbox (PostgreSQL {}, database {})", conn_.ServerVersion(), database_);
        case Kind::kDsn:
            return fmt::format("sandbox database {} (PostgreSQL {})", conn_.Database(), conn_.ServerVersion());
        case Kind::kTarget:
            return fmt::format("the non-production target {} (PostgreSQL {})", conn_.Database(), conn_.ServerVersion());
    }
    return "";
}

}  // namespace optischema::sandbox
