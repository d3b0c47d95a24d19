#include "store/pg_store.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/quote.hpp"
#include "pg/dsn.hpp"
#include "store/internal/pg_util.hpp"
#include "store/internal/unix_ms.hpp"

namespace optischema::store {
namespace {

using detail::AsBool;
using detail::AsInt;
using detail::Params;

// Generous limits: a store statement may wait behind another instance's write, and a week of history
// is a large read. The store holds no locks a user's workload waits for.
const pg::SessionLimits kStoreLimits{.statement_timeout = std::chrono::seconds(60),
                                     .lock_timeout = std::chrono::seconds(30),
                                     .idle_in_transaction_timeout = std::chrono::seconds(60)};

// pg_advisory_xact_lock(kMigrationLockClass, 0) serialises migrations of one store database.
constexpr std::int32_t kMigrationLockClass = 0x4F50544D;  // "OPTM"

// Numbered migrations: index i brings the schema from version i to i + 1. Append only. Tables mirror
// SqliteStore's (migrations 1 to 4 there are migration 1 here). Instants are bigint Unix milliseconds,
// as in SqliteStore and the API: exact round trips of TimePoint, plain integer parameters, and nothing
// that depends on the session's TimeZone or DateStyle (to_timestamp(at_ms / 1000.0) shows them in psql).
constexpr const char* kMigrations[] = {
    R"sql(
CREATE TABLE optischema.targets (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL UNIQUE,
    dsn_display text NOT NULL,
    created_at_ms bigint NOT NULL,
    dsn_secret text NOT NULL DEFAULT '',
    interval_s integer NOT NULL DEFAULT 60,
    production boolean NOT NULL DEFAULT true,
    source text NOT NULL DEFAULT 'cli'
);
CREATE TABLE optischema.snapshots (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    target_id bigint NOT NULL REFERENCES optischema.targets(id) ON DELETE CASCADE,
    taken_at_ms bigint NOT NULL,
    server_version text NOT NULL,
    stats_reset_ms bigint,
    dealloc bigint NOT NULL,
    interval_ms bigint,
    full_reset boolean NOT NULL,
    total_ms double precision NOT NULL,
    group_count bigint NOT NULL
);
CREATE INDEX snapshots_target_time ON optischema.snapshots (target_id, taken_at_ms);
CREATE TABLE optischema.snapshot_groups (
    snapshot_id bigint NOT NULL REFERENCES optischema.snapshots(id) ON DELETE CASCADE,
    fingerprint text NOT NULL,
    queryids bigint[] NOT NULL,
    query text NOT NULL,
    calls bigint NOT NULL, total_exec_ms double precision NOT NULL, total_plan_ms double precision NOT NULL,
    rows bigint NOT NULL,
    shared_blks_hit bigint NOT NULL, shared_blks_read bigint NOT NULL,
    shared_blks_dirtied bigint NOT NULL, shared_blks_written bigint NOT NULL,
    temp_blks_read bigint NOT NULL, temp_blks_written bigint NOT NULL,
    blk_read_ms double precision NOT NULL, blk_write_ms double precision NOT NULL,
    PRIMARY KEY (snapshot_id, fingerprint)
);
CREATE INDEX snapshot_groups_fingerprint ON optischema.snapshot_groups (fingerprint, snapshot_id);
CREATE TABLE optischema.queries (
    target_id bigint NOT NULL REFERENCES optischema.targets(id) ON DELETE CASCADE,
    queryid bigint NOT NULL,
    fingerprint text NOT NULL,
    text text NOT NULL,
    own boolean NOT NULL,
    PRIMARY KEY (target_id, queryid)
);
CREATE TABLE optischema.baselines (
    target_id bigint PRIMARY KEY REFERENCES optischema.targets(id) ON DELETE CASCADE,
    taken_at_ms bigint NOT NULL,
    server_version text NOT NULL,
    stats_reset_ms bigint,
    dealloc bigint NOT NULL
);
CREATE TABLE optischema.baseline_counters (
    target_id bigint NOT NULL REFERENCES optischema.targets(id) ON DELETE CASCADE,
    userid bigint NOT NULL, dbid bigint NOT NULL, queryid bigint NOT NULL, toplevel boolean NOT NULL,
    calls bigint NOT NULL, total_exec_ms double precision NOT NULL, total_plan_ms double precision NOT NULL,
    rows bigint NOT NULL,
    shared_blks_hit bigint NOT NULL, shared_blks_read bigint NOT NULL,
    shared_blks_dirtied bigint NOT NULL, shared_blks_written bigint NOT NULL,
    temp_blks_read bigint NOT NULL, temp_blks_written bigint NOT NULL,
    blk_read_ms double precision NOT NULL, blk_write_ms double precision NOT NULL,
    PRIMARY KEY (target_id, userid, dbid, queryid, toplevel)
);
CREATE TABLE optischema.recommendations (
    id text PRIMARY KEY,
    target_id bigint NOT NULL REFERENCES optischema.targets(id) ON DELETE CASCADE,
    kind text NOT NULL,
    title text NOT NULL,
    sql text NOT NULL,
    rollback_sql text NOT NULL,
    evidence_json text NOT NULL,
    validation_json text NOT NULL DEFAULT '',
    created_at_ms bigint NOT NULL,
    updated_at_ms bigint NOT NULL
);
CREATE INDEX recommendations_target ON optischema.recommendations (target_id, updated_at_ms);
CREATE TABLE optischema.audit_events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at_ms bigint NOT NULL,
    actor text NOT NULL,
    target text NOT NULL,
    action text NOT NULL,
    sql text NOT NULL,
    outcome text NOT NULL,
    error text NOT NULL,
    duration_ms double precision NOT NULL,
    detail_json text NOT NULL,
    related_id bigint REFERENCES optischema.audit_events(id)
);
CREATE FUNCTION optischema.audit_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END
$$;
CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON optischema.audit_events
    FOR EACH ROW EXECUTE FUNCTION optischema.audit_events_refuse_change();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON optischema.audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION optischema.audit_events_refuse_change();
CREATE TABLE optischema.users (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username text NOT NULL,
    password_hash text NOT NULL,
    role text NOT NULL,
    created_at_ms bigint NOT NULL
);
CREATE UNIQUE INDEX users_username_key ON optischema.users (lower(username));
CREATE TABLE optischema.sessions (
    token_hash text PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES optischema.users(id) ON DELETE CASCADE,
    kind text NOT NULL,
    label text NOT NULL,
    created_at_ms bigint NOT NULL,
    expires_at_ms bigint
);
CREATE INDEX sessions_user ON optischema.sessions (user_id);
CREATE TABLE optischema.latency_samples (
    target_id bigint NOT NULL REFERENCES optischema.targets(id) ON DELETE CASCADE,
    at_ms bigint NOT NULL,
    connect_ms double precision,
    p50_ms double precision,
    p95_ms double precision,
    error text NOT NULL,
    PRIMARY KEY (target_id, at_ms)
);
CREATE TABLE optischema.settings (
    key text PRIMARY KEY,
    value text NOT NULL,
    updated_at_ms bigint NOT NULL
);
)sql",
    // 2: the instances of a fleet, for target claims (PgClaims). heartbeat_at_ms is the database's clock.
    R"sql(
CREATE TABLE optischema.instances (
    id text PRIMARY KEY,
    host text NOT NULL,
    pid integer NOT NULL,
    started_at_ms bigint NOT NULL,
    heartbeat_at_ms bigint NOT NULL
);
)sql",
    // 3: hourly rollups of the delta snapshots' groups, as SqliteStore's migration 5 (see there), backfilled.
    // query keeps the greatest text in the "C" collation, the order RangeGroups' max() uses. Each row of the
    // current hour is updated by every snapshot: half-empty pages let those updates stay on their page (HOT)
    // and be pruned there, where full pages left the table ten times its live size after a week of loading.
    R"sql(
CREATE TABLE optischema.group_rollups (
    target_id bigint NOT NULL REFERENCES optischema.targets(id) ON DELETE CASCADE,
    hour_ms bigint NOT NULL,
    fingerprint text NOT NULL,
    query text NOT NULL,
    snapshot_count bigint NOT NULL,
    total_ms double precision NOT NULL,
    calls bigint NOT NULL, total_exec_ms double precision NOT NULL, total_plan_ms double precision NOT NULL,
    rows bigint NOT NULL,
    shared_blks_hit bigint NOT NULL, shared_blks_read bigint NOT NULL,
    shared_blks_dirtied bigint NOT NULL, shared_blks_written bigint NOT NULL,
    temp_blks_read bigint NOT NULL, temp_blks_written bigint NOT NULL,
    blk_read_ms double precision NOT NULL, blk_write_ms double precision NOT NULL,
    PRIMARY KEY (target_id, hour_ms, fingerprint)
) WITH (fillfactor = 50);
INSERT INTO optischema.group_rollups (target_id, hour_ms, fingerprint, query, snapshot_count, total_ms,
    calls, total_exec_ms, total_plan_ms, rows, shared_blks_hit, shared_blks_read, shared_blks_dirtied,
    shared_blks_written, temp_blks_read, temp_blks_written, blk_read_ms, blk_write_ms)
SELECT s.target_id, s.taken_at_ms - ((s.taken_at_ms % 3600000) + 3600000) % 3600000, g.fingerprint,
    max(g.query COLLATE "C"), count(*), sum(g.total_exec_ms + g.total_plan_ms),
    sum(g.calls), sum(g.total_exec_ms), sum(g.total_plan_ms), sum(g.rows), sum(g.shared_blks_hit),
    sum(g.shared_blks_read), sum(g.shared_blks_dirtied), sum(g.shared_blks_written), sum(g.temp_blks_read),
    sum(g.temp_blks_written), sum(g.blk_read_ms), sum(g.blk_write_ms)
FROM optischema.snapshot_groups g JOIN optischema.snapshots s ON s.id = g.snapshot_id
WHERE s.interval_ms IS NOT NULL AND g.fingerprint <> 'other'
GROUP BY 1, 2, 3;
)sql",
    // 4: API tokens, as SqliteStore's migration 6 (see there).
    R"sql(
DELETE FROM optischema.sessions WHERE kind <> 'session';
CREATE INDEX sessions_expiry ON optischema.sessions (expires_at_ms);
CREATE TABLE optischema.api_tokens (
    id text PRIMARY KEY,
    name text NOT NULL,
    user_id bigint NOT NULL REFERENCES optischema.users(id) ON DELETE CASCADE,
    role text NOT NULL,
    secret_hash text NOT NULL,
    created_at_ms bigint NOT NULL,
    expires_at_ms bigint,
    last_used_at_ms bigint,
    revoked_at_ms bigint
);
CREATE INDEX api_tokens_user ON optischema.api_tokens (user_id);
)sql",
};

}  // namespace

PgStore::PgStore(pg::Connection conn, std::string where) : conn_(std::move(conn)), where_(std::move(where)) {}
PgStore::~PgStore() = default;

int PgStore::LatestSchemaVersion() { return static_cast<int>(std::size(kMigrations)); }

Result<std::unique_ptr<PgStore>> PgStore::Open(const std::string& dsn) {
    auto conn = pg::Connection::Open(dsn, kStoreLimits);
    if (!conn) {
        return MakeError(ErrorCode::kStorage, fmt::format("cannot open the PostgreSQL store: {}", conn.error().message),
                         conn.error().sqlstate);
    }
    std::string where = pg::RedactDsn(dsn);
    if (conn->ServerVersionNum() < 120000) {
        return MakeError(ErrorCode::kStorage,
                         fmt::format("the PostgreSQL store {} runs PostgreSQL {}; the store needs 12 or newer: "
                                     "point the store at a newer server",
                                     where, conn->ServerVersion()));
    }
    auto standby = conn->Query("SELECT pg_is_in_recovery()");
    if (!standby) {
        return MakeError(ErrorCode::kStorage, fmt::format("PostgreSQL store {}: {}", where, standby.error().message),
                         standby.error().sqlstate);
    }
    if (detail::AsBool((*standby)[0], 0)) {
        return MakeError(ErrorCode::kStorage,
                         fmt::format("PostgreSQL store {} is a read-only standby: point the store DSN at the primary "
                                     "(with several hosts, add target_session_attrs=read-write)",
                                     where));
    }
    std::unique_ptr<PgStore> store(new PgStore(std::move(*conn), std::move(where)));
    if (auto ok = store->Migrate(); !ok) return tl::unexpected(ok.error());
    return store;
}

Result<void> PgStore::Migrate() {
    // One transaction per migration, each under the migration lock, so an instance that starts while
    // another migrates waits and then finds the work done.
    for (;;) {
        if (auto ok = conn_.Execute("BEGIN"); !ok) return tl::unexpected(StorageError("begin migration", ok.error()));
        auto done = MigrateStep();
        if (!done) {
            if (!conn_.IsBroken()) (void)conn_.Execute("ROLLBACK");
            return tl::unexpected(done.error());
        }
        if (auto ok = conn_.Execute("COMMIT"); !ok) return tl::unexpected(StorageError("commit migration", ok.error()));
        if (*done) return {};
    }
}

Result<bool> PgStore::MigrateStep() {
    auto fail = [&](std::string_view what, const Error& e) { return tl::unexpected(StorageError(what, e)); };
    // A migration may rewrite large tables, and may wait for another instance's.
    if (auto ok = conn_.ExecuteAll({"SET LOCAL statement_timeout = '30min'", "SET LOCAL lock_timeout = '5min'"}); !ok) {
        return fail("migration settings", ok.error());
    }
    if (auto ok = Query("SELECT pg_advisory_xact_lock($1, 0)", Params(kMigrationLockClass)); !ok) {
        return fail("take the migration lock", ok.error());
    }
    // From the catalogs: to_regclass() fails outright on a schema the role may not use.
    auto exists = Query(
        "SELECT n.oid IS NOT NULL, has_schema_privilege(n.oid, 'USAGE'), EXISTS (SELECT 1 FROM pg_class c WHERE "
        "c.relnamespace = n.oid AND c.relname = 'schema_migrations') FROM (SELECT 1) one LEFT JOIN pg_namespace n "
        "ON n.nspname = 'optischema'",
        {});
    if (!exists) return fail("look for the schema", exists.error());
    const bool have_schema = AsBool((*exists)[0], 0);
    const bool may_use_schema = AsBool((*exists)[0], 1);
    const bool have_table = AsBool((*exists)[0], 2);
    const std::string user = conn_.User();
    const std::string db = conn_.Database();
    auto schema_grant = [&](const std::string& sqlstate) {
        return MakeError(ErrorCode::kStorage,
                         fmt::format("PostgreSQL store {}: role {} may not use or create tables in the schema "
                                     "optischema: as its owner run GRANT USAGE, CREATE ON SCHEMA optischema TO {}",
                                     where_, user, QuoteIdent(user)),
                         sqlstate);
    };
    // Checked first: CREATE SCHEMA IF NOT EXISTS needs the privilege even when the schema is there.
    if (!have_schema) {
        if (auto ok = conn_.Execute("CREATE SCHEMA optischema"); !ok) {
            if (ok.error().sqlstate == "42501") {
                return MakeError(ErrorCode::kStorage,
                                 fmt::format("PostgreSQL store {}: role {} may not create the schema optischema in "
                                             "database {}: as the database owner run GRANT CREATE ON DATABASE {} TO "
                                             "{}, or CREATE SCHEMA optischema AUTHORIZATION {}",
                                             where_, user, db, QuoteIdent(db), QuoteIdent(user), QuoteIdent(user)),
                                 ok.error().sqlstate);
            }
            return fail("create the schema optischema", ok.error());
        }
    } else if (!may_use_schema) {
        return schema_grant("42501");
    }
    if (!have_table) {
        auto ok = conn_.Execute(
            "CREATE TABLE optischema.schema_migrations (version integer PRIMARY KEY, applied_at_ms bigint NOT NULL)");
        if (!ok) {
            if (ok.error().sqlstate == "42501") return schema_grant(ok.error().sqlstate);
            return fail("create the migrations table", ok.error());
        }
    }
    auto version = Query("SELECT coalesce(max(version), 0) FROM optischema.schema_migrations", {});
    if (!version) return fail("read the schema version", version.error());
    const int current = static_cast<int>(AsInt((*version)[0], 0));
    const int latest = LatestSchemaVersion();
    schema_version_ = current;
    if (current > latest) {
        return MakeError(ErrorCode::kStorage,
                         fmt::format("PostgreSQL store {} has schema version {}, newer than this optischema ({}): "
                                     "upgrade optischema or use another store",
                                     where_, current, latest));
    }
    if (current == latest) return true;
    if (auto ok = conn_.ExecuteScript(kMigrations[current]); !ok) {
        if (ok.error().sqlstate == "42501") return schema_grant(ok.error().sqlstate);
        return fail(fmt::format("migration to schema version {}", current + 1), ok.error());
    }
    if (auto ok = Query("INSERT INTO optischema.schema_migrations (version, applied_at_ms) VALUES ($1, $2)",
                        Params(current + 1, detail::NowMs()));
        !ok) {
        return fail("record the schema version", ok.error());
    }
    spdlog::info("PostgreSQL store {}: migrated to schema version {}", where_, current + 1);
    schema_version_ = current + 1;
    return current + 1 == latest;
}

Error PgStore::StorageError(std::string_view what, const Error& cause) const {
    // Errors the store itself decides (a name taken, an id unknown) are the caller's to show as they are.
    if (cause.code == ErrorCode::kNotFound || cause.code == ErrorCode::kInvalidArgument ||
        cause.code == ErrorCode::kStorage || cause.code == ErrorCode::kConflict) {
        return cause;
    }
    return Error{ErrorCode::kStorage, fmt::format("PostgreSQL store {}: {}: {}", where_, what, cause.message),
                 cause.sqlstate};
}

Result<pg::Rows> PgStore::Query(std::string_view sql, const std::vector<std::optional<std::string>>& params) {
    return conn_.Query(sql, params);
}

Result<pg::Rows> PgStore::Fetch(std::string_view what,
                                Mode mode,
                                std::string_view sql,
                                const std::vector<std::optional<std::string>>& params) {
    pg::Rows rows;
    auto ok = Run(what, mode, [&]() -> Result<void> {
        auto got = Query(sql, params);
        if (!got) return tl::unexpected(got.error());
        rows = std::move(*got);
        return {};
    });
    if (!ok) return tl::unexpected(ok.error());
    return rows;
}

Result<void> PgStore::Exec(std::string_view what,
                           Mode mode,
                           std::string_view sql,
                           const std::vector<std::optional<std::string>>& params) {
    return Run(what, mode, [&]() -> Result<void> {
        auto rows = Query(sql, params);
        if (!rows) return tl::unexpected(rows.error());
        return {};
    });
}

Result<void> PgStore::InTransaction(bool read_only, const std::function<Result<void>()>& body) {
    if (auto ok = conn_.Execute(read_only ? "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY" : "BEGIN"); !ok) {
        return ok;
    }
    auto result = body();
    if (!result) {
        if (!conn_.IsBroken()) (void)conn_.Execute("ROLLBACK");
        return result;
    }
    if (auto ok = conn_.Execute("COMMIT"); !ok) {
        commit_in_doubt_ = !read_only && conn_.IsBroken();
        return ok;
    }
    return result;
}

Result<void> PgStore::Run(std::string_view what, Mode mode, const std::function<Result<void>()>& body) {
    for (int attempt = 0;; ++attempt) {
        commit_in_doubt_ = false;
        auto result = mode == Mode::kIdempotent ? body() : InTransaction(mode == Mode::kSnapshotRead, body);
        if (result) return result;
        if (!conn_.IsBroken() || attempt > 0) return tl::unexpected(StorageError(what, result.error()));
        if (commit_in_doubt_) {
            return MakeError(ErrorCode::kStorage,
                             fmt::format("PostgreSQL store {}: the connection broke while committing ({}): the "
                                         "change may or may not have been saved; look before repeating it",
                                         where_, what));
        }
        // Nothing was committed: reconnect and run the whole call again.
        spdlog::warn("PostgreSQL store {}: connection lost ({}); reconnecting", where_, result.error().message);
        if (auto ok = conn_.Reconnect(); !ok) {
            return MakeError(ErrorCode::kStorage,
                             fmt::format("the PostgreSQL store is unreachable: {}", ok.error().message));
        }
    }
}

}  // namespace optischema::store
