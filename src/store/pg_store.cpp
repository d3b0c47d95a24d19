#include "store/pg_store.hpp"

#include <unordered_map>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/quote.hpp"
#include "pg/dsn.hpp"
#include "store/internal/pg_util.hpp"
#include "store/internal/rollup.hpp"
#include "store/internal/snapshot_rules.hpp"

namespace optischema::store {
namespace {

using detail::AsBool;
using detail::AsCounters;
using detail::AsInt;
using detail::AsIntArray;
using detail::AsOptInt;
using detail::AsReal;
using detail::AsText;
using detail::Params;
using detail::Row;

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
};

std::int64_t NowMs() { return ToUnixMs(std::chrono::system_clock::now()); }

constexpr const char* kTargetColumns =
    "id, name, dsn_display, created_at_ms, dsn_secret, interval_s, production, source";

TargetRecord ReadTarget(const Row& r) {
    TargetRecord t;
    t.id = AsInt(r, 0);
    t.name = AsText(r, 1);
    t.dsn_display = AsText(r, 2);
    t.created_at = FromUnixMs(AsInt(r, 3));
    t.dsn_secret = AsText(r, 4);
    t.interval_s = static_cast<int>(AsInt(r, 5));
    t.production = AsBool(r, 6);
    t.source = AsText(r, 7);
    return t;
}

constexpr const char* kRecommendationColumns =
    "id, target_id, kind, title, sql, rollback_sql, evidence_json, validation_json, created_at_ms, updated_at_ms";

RecommendationRecord ReadRecommendation(const Row& r) {
    return RecommendationRecord{AsText(r, 0),           AsInt(r, 1),  AsText(r, 2),
                                AsText(r, 3),           AsText(r, 4), AsText(r, 5),
                                AsText(r, 6),           AsText(r, 7), FromUnixMs(AsInt(r, 8)),
                                FromUnixMs(AsInt(r, 9))};
}

constexpr const char* kAuditColumns =
    "id, at_ms, actor, target, action, sql, outcome, error, duration_ms, detail_json, related_id";

model::AuditEvent ReadAudit(const Row& r) {
    return model::AuditEvent{AsInt(r, 0),    FromUnixMs(AsInt(r, 1)),
                             AsText(r, 2),   AsText(r, 3),
                             AsText(r, 4),   AsText(r, 5),
                             AsText(r, 6),   AsText(r, 7),
                             AsReal(r, 8),   AsText(r, 9),
                             AsOptInt(r, 10)};
}

std::optional<std::int64_t> OptMs(const std::optional<TimePoint>& t) {
    if (!t) return std::nullopt;
    return ToUnixMs(*t);
}

// The statements SaveSnapshot sends; each writes a whole column set from array parameters in one round
// trip (unnest zips the arrays into rows).
const std::string& GroupInsertSql() {
    static const std::string sql = fmt::format(
        "INSERT INTO optischema.snapshot_groups (snapshot_id, fingerprint, queryids, query, {0}) "
        "SELECT $1, u.fingerprint, u.queryids::bigint[], u.query, {1} "
        "FROM unnest($2::text[], $3::text[], $4::text[]{2}) AS u(fingerprint, queryids, query, {0})",
        detail::CounterColumns(), detail::CounterColumns("u."), detail::CounterArrayParams(5));
    return sql;
}

const std::string& BaselineInsertSql() {
    static const std::string sql = fmt::format(
        "INSERT INTO optischema.baseline_counters (target_id, userid, dbid, queryid, toplevel, {0}) "
        "SELECT $1, u.userid, u.dbid, u.queryid, u.toplevel, {1} "
        "FROM unnest($2::bigint[], $3::bigint[], $4::bigint[], $5::boolean[]{2}) "
        "AS u(userid, dbid, queryid, toplevel, {0})",
        detail::CounterColumns(), detail::CounterColumns("u."), detail::CounterArrayParams(6));
    return sql;
}

// Adds snapshot $3's groups (but "other") to the rollups of target $1 for the hour starting at $2.
const std::string& RollupUpsertSql() {
    static const std::string sql = [] {
        std::string add;
        for (std::string_view name : detail::kCounterNames) add += fmt::format(", {0} = r.{0} + excluded.{0}", name);
        return fmt::format(
            "INSERT INTO optischema.group_rollups AS r (target_id, hour_ms, fingerprint, query, snapshot_count, "
            "total_ms, {0}) SELECT $1, $2, g.fingerprint, g.query, 1, g.total_exec_ms + g.total_plan_ms, {1} "
            "FROM optischema.snapshot_groups g WHERE g.snapshot_id = $3 AND g.fingerprint <> 'other' "
            "ON CONFLICT (target_id, hour_ms, fingerprint) DO UPDATE SET "
            "query = greatest(r.query COLLATE \"C\", excluded.query COLLATE \"C\"), "
            "snapshot_count = r.snapshot_count + 1, total_ms = r.total_ms + excluded.total_ms{2}",
            detail::CounterColumns(), detail::CounterColumns("g."), add);
    }();
    return sql;
}

// RangeGroups: the raw groups of the edges $2..$3 and $4..$5 and the rollups of the whole hours
// [$6, $7), each summed per fingerprint, then summed again (sums of sums are the same sums, the max of
// maxima the same max), as in SqliteStore.
const std::string& RangeGroupsSql() {
    static const std::string sql = [] {
        std::string sums, raw_sums, rollup_sums;
        for (std::string_view name : detail::kCounterNames) {
            sums += fmt::format(", sum(u.{})", name);
            raw_sums += fmt::format(", sum(g.{0}) AS {0}", name);
            rollup_sums += fmt::format(", sum(r.{0}) AS {0}", name);
        }
        const std::string raw =
            "SELECT g.fingerprint, max(g.query COLLATE \"C\") AS query, sum(g.total_exec_ms + g.total_plan_ms) "
            "AS total_ms{0} FROM optischema.snapshots s JOIN optischema.snapshot_groups g ON g.snapshot_id = s.id "
            "WHERE s.target_id = $1 AND s.taken_at_ms BETWEEN {1} AND {2} AND s.interval_ms IS NOT NULL "
            "AND g.fingerprint <> 'other' GROUP BY g.fingerprint";
        return fmt::format(
            "SELECT u.fingerprint, max(u.query COLLATE \"C\"){0} FROM ({1} UNION ALL {2} UNION ALL "
            "SELECT r.fingerprint, max(r.query COLLATE \"C\"), sum(r.total_ms){3} FROM optischema.group_rollups r "
            "WHERE r.target_id = $1 AND r.hour_ms >= $6 AND r.hour_ms < $7 GROUP BY r.fingerprint) u "
            "GROUP BY u.fingerprint ORDER BY sum(u.total_ms) DESC, u.fingerprint LIMIT $8",
            sums, fmt::format(fmt::runtime(raw), raw_sums, "$2", "$3"),
            fmt::format(fmt::runtime(raw), raw_sums, "$4", "$5"), rollup_sums);
    }();
    return sql;
}

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
                        Params(current + 1, NowMs()));
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

Result<TargetRecord> PgStore::EnsureTarget(const std::string& name, const std::string& dsn_display) {
    TargetRecord out;
    auto ok = Run("save target", Mode::kIdempotent, [&]() -> Result<void> {
        auto rows = Query(fmt::format("INSERT INTO optischema.targets (name, dsn_display, created_at_ms) "
                                      "VALUES ($1, $2, $3) ON CONFLICT (name) DO UPDATE SET dsn_display = "
                                      "excluded.dsn_display RETURNING {}",
                                      kTargetColumns),
                          Params(name, dsn_display, NowMs()));
        if (!rows) return tl::unexpected(rows.error());
        out = ReadTarget((*rows)[0]);
        return {};
    });
    if (!ok) return tl::unexpected(ok.error());
    return out;
}

Result<std::vector<TargetRecord>> PgStore::ListTargets() {
    std::vector<TargetRecord> out;
    auto ok = Run("list targets", Mode::kIdempotent, [&]() -> Result<void> {
        // COLLATE "C": the same order as SqliteStore's, whatever the database's collation.
        auto rows =
            Query(fmt::format("SELECT {} FROM optischema.targets ORDER BY name COLLATE \"C\"", kTargetColumns), {});
        if (!rows) return tl::unexpected(rows.error());
        out.clear();
        for (const auto& r : *rows) out.push_back(ReadTarget(r));
        return {};
    });
    if (!ok) return tl::unexpected(ok.error());
    return out;
}

Result<TargetRecord> PgStore::SaveTarget(const TargetRecord& t) {
    TargetRecord out;
    auto ok = Run("save target", Mode::kTransaction, [&]() -> Result<void> {
        auto rows =
            t.id == 0
                ? Query(fmt::format("INSERT INTO optischema.targets (name, dsn_display, created_at_ms, "
                                    "dsn_secret, interval_s, production, source) VALUES ($1, $2, $3, $4, $5, "
                                    "$6, $7) RETURNING {}",
                                    kTargetColumns),
                        Params(t.name, t.dsn_display, NowMs(), t.dsn_secret, t.interval_s, t.production, t.source))
                : Query(fmt::format("UPDATE optischema.targets SET name = $1, dsn_display = $2, dsn_secret = "
                                    "$3, interval_s = $4, production = $5, source = $6 WHERE id = $7 "
                                    "RETURNING {}",
                                    kTargetColumns),
                        Params(t.name, t.dsn_display, t.dsn_secret, t.interval_s, t.production, t.source, t.id));
        if (!rows) {
            if (rows.error().sqlstate == "23505") {
                return MakeError(ErrorCode::kInvalidArgument,
                                 fmt::format("a target named {} already exists: choose another name", t.name));
            }
            return tl::unexpected(rows.error());
        }
        if (rows->empty()) return MakeError(ErrorCode::kNotFound, fmt::format("no target {}", t.id));
        out = ReadTarget((*rows)[0]);
        return {};
    });
    if (!ok) return tl::unexpected(ok.error());
    return out;
}

Result<void> PgStore::DeleteTarget(std::int64_t id) {
    return Run("delete target", Mode::kTransaction, [&]() -> Result<void> {
        auto rows = Query("DELETE FROM optischema.targets WHERE id = $1 RETURNING id", Params(id));
        if (!rows) return tl::unexpected(rows.error());
        if (rows->empty()) return MakeError(ErrorCode::kNotFound, fmt::format("no target {}", id));
        return {};
    });
}

Result<std::int64_t> PgStore::SaveSnapshot(const SnapshotWrite& write) {
    const SnapshotRecord& snap = write.snapshot;

    // The columns are built once, outside the retried body.
    detail::ArrayLiteral fingerprints, queryids, queries;
    detail::CounterArrays group_counters;
    auto add_group = [&](const model::StatementGroup& g) {
        fingerprints.Add(g.fingerprint);
        detail::ArrayLiteral ids;
        for (std::int64_t id : g.queryids) ids.Add(id);
        queryids.Add(ids.Finish());
        queries.Add(g.query);
        group_counters.Add(g.counters);
    };
    for (const auto& g : write.ranking.top) add_group(g);
    if (write.ranking.other) add_group(*write.ranking.other);
    std::vector<std::optional<std::string>> group_params = {std::nullopt, fingerprints.Finish(), queryids.Finish(),
                                                            queries.Finish()};
    group_counters.AppendTo(group_params);

    // A queryid given twice keeps its last text (ON CONFLICT cannot update one row twice in a statement).
    std::unordered_map<std::int64_t, std::size_t> last_text;
    for (std::size_t i = 0; i < write.new_queries.size(); ++i) last_text[write.new_queries[i].first] = i;
    detail::ArrayLiteral text_ids, text_fingerprints, texts, owns;
    for (std::size_t i = 0; i < write.new_queries.size(); ++i) {
        const auto& [queryid, q] = write.new_queries[i];
        if (last_text[queryid] != i) continue;
        text_ids.Add(queryid);
        text_fingerprints.Add(q.fingerprint);
        texts.Add(q.text);
        owns.Add(q.own);
    }
    const auto text_params =
        Params(snap.target_id, text_ids.Finish(), text_fingerprints.Finish(), texts.Finish(), owns.Finish());

    std::vector<std::optional<std::string>> baseline_params;
    if (write.baseline != nullptr) {
        detail::ArrayLiteral userids, dbids, ids, toplevels;
        detail::CounterArrays counters;
        for (const auto& [key, c] : write.baseline->counters) {
            userids.Add(static_cast<std::int64_t>(key.userid));
            dbids.Add(static_cast<std::int64_t>(key.dbid));
            ids.Add(key.queryid);
            toplevels.Add(key.toplevel);
            counters.Add(c);
        }
        baseline_params = Params(snap.target_id, userids.Finish(), dbids.Finish(), ids.Finish(), toplevels.Finish());
        counters.AppendTo(baseline_params);
    }

    std::int64_t snapshot_id = 0;
    auto ok = Run("save snapshot", Mode::kTransaction, [&]() -> Result<void> {
        if (write.delta_from) {
            // The baseline row is locked until commit, so two collectors of one target cannot both pass.
            auto stored = Query("SELECT taken_at_ms FROM optischema.baselines WHERE target_id = $1 FOR UPDATE",
                                Params(snap.target_id));
            if (!stored) return tl::unexpected(stored.error());
            const std::optional<std::int64_t> stored_ms =
                stored->empty() ? std::nullopt : std::optional<std::int64_t>(AsInt((*stored)[0], 0));
            if (auto conflict = detail::DeltaConflict(snap.target_id, *write.delta_from, stored_ms)) {
                return tl::unexpected(*conflict);
            }
        }
        auto inserted = Query(
            "INSERT INTO optischema.snapshots (target_id, taken_at_ms, server_version, stats_reset_ms, dealloc, "
            "interval_ms, full_reset, total_ms, group_count) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            Params(snap.target_id, ToUnixMs(snap.info.taken_at), snap.info.server_version, OptMs(snap.info.stats_reset),
                   snap.info.dealloc, snap.interval_ms, snap.full_reset, write.ranking.total_ms,
                   write.ranking.group_count));
        if (!inserted) return tl::unexpected(inserted.error());
        snapshot_id = AsInt((*inserted)[0], 0);
        group_params[0] = std::to_string(snapshot_id);
        if (auto rows = Query(GroupInsertSql(), group_params); !rows) return tl::unexpected(rows.error());
        if (snap.interval_ms) {
            // The groups just written, added to their hour's rollup (RangeGroups sums only delta snapshots).
            auto rows = Query(RollupUpsertSql(),
                              Params(snap.target_id, detail::HourStart(ToUnixMs(snap.info.taken_at)), snapshot_id));
            if (!rows) return tl::unexpected(rows.error());
        }
        if (!write.new_queries.empty()) {
            auto rows = Query(
                "INSERT INTO optischema.queries (target_id, queryid, fingerprint, text, own) "
                "SELECT $1, u.queryid, u.fingerprint, u.text, u.own "
                "FROM unnest($2::bigint[], $3::text[], $4::text[], $5::boolean[]) AS u(queryid, fingerprint, text, "
                "own) "
                "ON CONFLICT (target_id, queryid) DO UPDATE SET fingerprint = excluded.fingerprint, "
                "text = excluded.text, own = excluded.own",
                text_params);
            if (!rows) return tl::unexpected(rows.error());
        }
        if (write.baseline != nullptr) {
            const model::Baseline& b = *write.baseline;
            if (auto rows =
                    Query("DELETE FROM optischema.baseline_counters WHERE target_id = $1", Params(snap.target_id));
                !rows) {
                return tl::unexpected(rows.error());
            }
            auto head = Query(
                "INSERT INTO optischema.baselines (target_id, taken_at_ms, server_version, stats_reset_ms, dealloc) "
                "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (target_id) DO UPDATE SET taken_at_ms = "
                "excluded.taken_at_ms, server_version = excluded.server_version, stats_reset_ms = "
                "excluded.stats_reset_ms, dealloc = excluded.dealloc",
                Params(snap.target_id, ToUnixMs(b.info.taken_at), b.info.server_version, OptMs(b.info.stats_reset),
                       b.info.dealloc));
            if (!head) return tl::unexpected(head.error());
            if (auto rows = Query(BaselineInsertSql(), baseline_params); !rows) return tl::unexpected(rows.error());
        }
        return {};
    });
    if (!ok) return tl::unexpected(ok.error());
    return snapshot_id;
}

Result<std::vector<SnapshotRecord>> PgStore::ListSnapshots(std::int64_t target_id, std::size_t limit) {
    std::vector<SnapshotRecord> out;
    auto ok = Run("list snapshots", Mode::kIdempotent, [&]() -> Result<void> {
        auto rows = Query(
            "SELECT id, target_id, taken_at_ms, server_version, stats_reset_ms, dealloc, interval_ms, full_reset, "
            "total_ms, group_count FROM optischema.snapshots WHERE target_id = $1 "
            "ORDER BY taken_at_ms DESC, id DESC LIMIT $2",
            {detail::ToParam(target_id), detail::LimitParam(limit)});
        if (!rows) return tl::unexpected(rows.error());
        out.clear();
        for (const auto& r : *rows) {
            SnapshotRecord s;
            s.id = AsInt(r, 0);
            s.target_id = AsInt(r, 1);
            s.info.taken_at = FromUnixMs(AsInt(r, 2));
            s.info.server_version = AsText(r, 3);
            if (auto reset = AsOptInt(r, 4)) s.info.stats_reset = FromUnixMs(*reset);
            s.info.dealloc = AsInt(r, 5);
            s.interval_ms = AsOptInt(r, 6);
            s.full_reset = AsBool(r, 7);
            s.total_ms = AsReal(r, 8);
            s.group_count = static_cast<std::size_t>(AsInt(r, 9));
            out.push_back(std::move(s));
        }
        return {};
    });
    if (!ok) return tl::unexpected(ok.error());
    return out;
}

Result<std::vector<model::StatementGroup>> PgStore::SnapshotGroups(std::int64_t snapshot_id) {
    std::vector<model::StatementGroup> out;
    auto ok = Run("list groups", Mode::kIdempotent, [&]() -> Result<void> {
        auto rows = Query(fmt::format("SELECT fingerprint, queryids, query, {} FROM optischema.snapshot_groups "
                                      "WHERE snapshot_id = $1 "
                                      "ORDER BY fingerprint = 'other', total_exec_ms + total_plan_ms DESC",
                                      detail::CounterColumns()),
                          Params(snapshot_id));
        if (!rows) return tl::unexpected(rows.error());
        out.clear();
        for (const auto& r : *rows) {
            model::StatementGroup g;
            g.fingerprint = AsText(r, 0);
            g.queryids = AsIntArray(r, 1);
            g.query = AsText(r, 2);
            g.counters = AsCounters(r, 3);
            out.push_back(std::move(g));
        }
        return {};
    });
    if (!ok) return tl::unexpected(ok.error());
    return out;
}

Result<std::vector<GroupPoint>> PgStore::GroupHistory(std::int64_t target_id,
                                                      const std::string& fingerprint,
                                                      TimePoint from,
                                                      TimePoint to) {
    std::vector<GroupPoint> out;
    auto ok = Run("read history", Mode::kIdempotent, [&]() -> Result<void> {
        auto rows = Query(fmt::format("SELECT s.id, s.taken_at_ms, s.interval_ms, g.fingerprint, g.queryids, g.query, "
                                      "{} FROM optischema.snapshot_groups g JOIN optischema.snapshots s ON s.id = "
                                      "g.snapshot_id WHERE s.target_id = $1 AND g.fingerprint = $2 AND s.interval_ms "
                                      "IS NOT NULL AND s.taken_at_ms BETWEEN $3 AND $4 ORDER BY s.taken_at_ms, s.id",
                                      detail::CounterColumns("g.")),
                          Params(target_id, fingerprint, ToUnixMs(from), ToUnixMs(to)));
        if (!rows) return tl::unexpected(rows.error());
        out.clear();
        for (const auto& r : *rows) {
            GroupPoint p;
            p.snapshot_id = AsInt(r, 0);
            p.taken_at = FromUnixMs(AsInt(r, 1));
            p.interval_ms = AsOptInt(r, 2);
            p.group.fingerprint = AsText(r, 3);
            p.group.queryids = AsIntArray(r, 4);
            p.group.query = AsText(r, 5);
            p.group.counters = AsCounters(r, 6);
            out.push_back(std::move(p));
        }
        return {};
    });
    if (!ok) return tl::unexpected(ok.error());
    return out;
}

Result<std::vector<model::StatementGroup>> PgStore::RangeGroups(std::int64_t target_id,
                                                                TimePoint from,
                                                                TimePoint to,
                                                                std::size_t limit) {
    const detail::RangeSplit split = detail::SplitRange(ToUnixMs(from), ToUnixMs(to));
    std::vector<model::StatementGroup> out;
    auto ok = Run("sum groups over a range", Mode::kIdempotent, [&]() -> Result<void> {
        auto rows = Query(RangeGroupsSql(), {detail::ToParam(target_id), detail::ToParam(split.head_from),
                                             detail::ToParam(split.head_to), detail::ToParam(split.tail_from),
                                             detail::ToParam(split.tail_to), detail::ToParam(split.hours_from),
                                             detail::ToParam(split.hours_to), detail::LimitParam(limit)});
        if (!rows) return tl::unexpected(rows.error());
        out.clear();
        for (const auto& r : *rows) {
            model::StatementGroup g;
            g.fingerprint = AsText(r, 0);
            g.query = AsText(r, 1);
            g.counters = AsCounters(r, 2);
            out.push_back(std::move(g));
        }
        return {};
    });
    if (!ok) return tl::unexpected(ok.error());
    return out;
}

Result<PruneCounts> PgStore::PruneHistory(std::int64_t target_id,
                                          std::optional<TimePoint> raw_before,
                                          std::optional<TimePoint> rollups_before,
                                          const std::function<bool()>& keep_going) {
    PruneCounts counts;
    // Each batch's statement commits on its own.
    auto delete_batch = [&](const detail::PruneStep& step) -> Result<std::int64_t> {
        const std::string sql = fmt::format("WITH d AS ({} RETURNING 1) SELECT count(*) FROM d", step.sql);
        std::int64_t n = 0;
        auto ok = Run("prune history", Mode::kIdempotent, [&]() -> Result<void> {
            auto rows = Query(sql, Params(target_id, ToUnixMs(*step.before), step.batch));
            if (!rows) return tl::unexpected(rows.error());
            n = AsInt((*rows)[0], 0);
            return {};
        });
        if (!ok) return tl::unexpected(ok.error());
        return n;
    };
    // The groups go with their snapshot (ON DELETE CASCADE); the latest snapshot stays.
    auto ok = detail::RunPruneSteps(
        {
            detail::PruneStep{raw_before,
                              "DELETE FROM optischema.snapshots WHERE id IN (SELECT id FROM optischema.snapshots WHERE "
                              "target_id = $1 AND taken_at_ms < $2 AND taken_at_ms < (SELECT max(taken_at_ms) FROM "
                              "optischema.snapshots WHERE target_id = $1) LIMIT $3)",
                              detail::kPruneBatchSnapshots, &counts.snapshots},
            detail::PruneStep{raw_before,
                              "DELETE FROM optischema.latency_samples WHERE (target_id, at_ms) IN (SELECT target_id, "
                              "at_ms FROM optischema.latency_samples WHERE target_id = $1 AND at_ms < $2 LIMIT $3)",
                              detail::kPruneBatchRows, &counts.latency_samples},
            detail::PruneStep{rollups_before,
                              "DELETE FROM optischema.group_rollups WHERE (target_id, hour_ms, fingerprint) IN (SELECT "
                              "target_id, hour_ms, fingerprint FROM optischema.group_rollups WHERE target_id = $1 AND "
                              "hour_ms < $2 LIMIT $3)",
                              detail::kPruneBatchRows, &counts.rollup_rows},
        },
        keep_going, counts.complete, delete_batch);
    if (!ok) return tl::unexpected(ok.error());
    return counts;
}

Result<std::optional<model::Baseline>> PgStore::LoadBaseline(std::int64_t target_id) {
    std::optional<model::Baseline> out;
    // The head and its rows from one moment, even while another instance saves.
    auto ok = Run("load baseline", Mode::kSnapshotRead, [&]() -> Result<void> {
        out.reset();
        auto head = Query(
            "SELECT taken_at_ms, server_version, stats_reset_ms, dealloc FROM optischema.baselines "
            "WHERE target_id = $1",
            Params(target_id));
        if (!head) return tl::unexpected(head.error());
        if (head->empty()) return {};
        model::Baseline b;
        const Row& h = (*head)[0];
        b.info.taken_at = FromUnixMs(AsInt(h, 0));
        b.info.server_version = AsText(h, 1);
        if (auto reset = AsOptInt(h, 2)) b.info.stats_reset = FromUnixMs(*reset);
        b.info.dealloc = AsInt(h, 3);
        auto rows = Query(fmt::format("SELECT userid, dbid, queryid, toplevel, {} FROM optischema.baseline_counters "
                                      "WHERE target_id = $1",
                                      detail::CounterColumns()),
                          Params(target_id));
        if (!rows) return tl::unexpected(rows.error());
        b.counters.reserve(rows->size());
        for (const auto& r : *rows) {
            model::StatementKey key{static_cast<std::uint32_t>(AsInt(r, 0)), static_cast<std::uint32_t>(AsInt(r, 1)),
                                    AsInt(r, 2), AsBool(r, 3)};
            b.counters.emplace(key, AsCounters(r, 4));
        }
        out = std::move(b);
        return {};
    });
    if (!ok) return tl::unexpected(ok.error());
    return out;
}

Result<std::vector<std::pair<std::int64_t, model::QueryText>>> PgStore::LoadQueries(std::int64_t target_id) {
    std::vector<std::pair<std::int64_t, model::QueryText>> out;
    auto ok = Run("load query texts", Mode::kIdempotent, [&]() -> Result<void> {
        auto rows = Query("SELECT queryid, fingerprint, text, own FROM optischema.queries WHERE target_id = $1",
                          Params(target_id));
        if (!rows) return tl::unexpected(rows.error());
        out.clear();
        out.reserve(rows->size());
        for (const auto& r : *rows) {
            out.emplace_back(AsInt(r, 0), model::QueryText{AsText(r, 2), AsText(r, 1), AsBool(r, 3)});
        }
        return {};
    });
    if (!ok) return tl::unexpected(ok.error());
    return out;
}

Result<void> PgStore::SaveRecommendation(const RecommendationRecord& r) {
    return Run("save recommendation", Mode::kIdempotent, [&]() -> Result<void> {
        auto rows = Query(
            "INSERT INTO optischema.recommendations AS old (id, target_id, kind, title, sql, rollback_sql, "
            "evidence_json, validation_json, created_at_ms, updated_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, "
            "$9) ON CONFLICT (id) DO UPDATE SET target_id = excluded.target_id, kind = excluded.kind, "
            "title = excluded.title, rollback_sql = excluded.rollback_sql, evidence_json = excluded.evidence_json, "
            "validation_json = CASE WHEN old.sql = excluded.sql THEN old.validation_json "
            "ELSE excluded.validation_json END, sql = excluded.sql, updated_at_ms = excluded.updated_at_ms",
            Params(r.id, r.target_id, r.kind, r.title, r.sql, r.rollback_sql, r.evidence_json, r.validation_json,
                   NowMs()));
        if (!rows) return tl::unexpected(rows.error());
        return {};
    });
}

Result<std::optional<RecommendationRecord>> PgStore::GetRecommendation(const std::string& id) {
    std::optional<RecommendationRecord> out;
    auto ok = Run("read recommendation", Mode::kIdempotent, [&]() -> Result<void> {
        auto rows = Query(
            fmt::format("SELECT {} FROM optischema.recommendations WHERE id = $1", kRecommendationColumns), Params(id));
        if (!rows) return tl::unexpected(rows.error());
        out.reset();
        if (!rows->empty()) out = ReadRecommendation((*rows)[0]);
        return {};
    });
    if (!ok) return tl::unexpected(ok.error());
    return out;
}

Result<std::vector<RecommendationRecord>> PgStore::ListRecommendations(std::int64_t target_id) {
    std::vector<RecommendationRecord> out;
    auto ok = Run("list recommendations", Mode::kIdempotent, [&]() -> Result<void> {
        auto rows = Query(fmt::format("SELECT {} FROM optischema.recommendations WHERE target_id = $1 "
                                      "ORDER BY updated_at_ms DESC, id COLLATE \"C\"",
                                      kRecommendationColumns),
                          Params(target_id));
        if (!rows) return tl::unexpected(rows.error());
        out.clear();
        for (const auto& r : *rows) out.push_back(ReadRecommendation(r));
        return {};
    });
    if (!ok) return tl::unexpected(ok.error());
    return out;
}

Result<void> PgStore::SaveValidation(const std::string& id, const std::string& validation_json) {
    return Run("save validation", Mode::kIdempotent, [&]() -> Result<void> {
        auto rows = Query(
            "UPDATE optischema.recommendations SET validation_json = $2, updated_at_ms = $3 WHERE id = $1 RETURNING id",
            Params(id, validation_json, NowMs()));
        if (!rows) return tl::unexpected(rows.error());
        if (rows->empty()) return MakeError(ErrorCode::kNotFound, fmt::format("no recommendation {} in the store", id));
        return {};
    });
}

Result<std::int64_t> PgStore::AppendAudit(const model::AuditEvent& e) {
    std::int64_t id = 0;
    auto ok = Run("append audit event", Mode::kTransaction, [&]() -> Result<void> {
        auto rows = Query(
            "INSERT INTO optischema.audit_events (at_ms, actor, target, action, sql, outcome, error, duration_ms, "
            "detail_json, related_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            Params(ToUnixMs(e.at), e.actor, e.target, e.action, e.sql, e.outcome, e.error, e.duration_ms, e.detail_json,
                   e.related_id));
        if (!rows) return tl::unexpected(rows.error());
        id = AsInt((*rows)[0], 0);
        return {};
    });
    if (!ok) return tl::unexpected(ok.error());
    return id;
}

Result<std::vector<model::AuditEvent>> PgStore::ListAudit(std::size_t limit) {
    std::vector<model::AuditEvent> out;
    auto ok = Run("list audit events", Mode::kIdempotent, [&]() -> Result<void> {
        auto rows =
            Query(fmt::format("SELECT {} FROM optischema.audit_events ORDER BY id DESC LIMIT $1", kAuditColumns),
                  {limit == 0 ? std::nullopt : detail::LimitParam(limit)});
        if (!rows) return tl::unexpected(rows.error());
        out.clear();
        for (const auto& r : *rows) out.push_back(ReadAudit(r));
        return {};
    });
    if (!ok) return tl::unexpected(ok.error());
    return out;
}

Result<std::optional<model::AuditEvent>> PgStore::GetAudit(std::int64_t id) {
    std::optional<model::AuditEvent> out;
    auto ok = Run("read audit event", Mode::kIdempotent, [&]() -> Result<void> {
        auto rows =
            Query(fmt::format("SELECT {} FROM optischema.audit_events WHERE id = $1", kAuditColumns), Params(id));
        if (!rows) return tl::unexpected(rows.error());
        out.reset();
        if (!rows->empty()) out = ReadAudit((*rows)[0]);
        return {};
    });
    if (!ok) return tl::unexpected(ok.error());
    return out;
}

}  // namespace optischema::store
