#include "store/sqlite_store.hpp"

#include <filesystem>

#include <fmt/format.h>
#include <sqlite3.h>

#include "sqlite/statement.hpp"
#include "store/internal/sqlite_util.hpp"

namespace optischema::store {
namespace {

using detail::Statement;
using detail::StorageError;
using detail::Transaction;

// Numbered migrations: index i brings the schema from version i to i + 1. Append only.
constexpr const char* kMigrations[] = {
    R"sql(
CREATE TABLE targets (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    dsn_display TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL
);
CREATE TABLE snapshots (
    id INTEGER PRIMARY KEY,
    target_id INTEGER NOT NULL REFERENCES targets(id) ON DELETE CASCADE,
    taken_at_ms INTEGER NOT NULL,
    server_version TEXT NOT NULL,
    stats_reset_ms INTEGER,
    dealloc INTEGER NOT NULL,
    interval_ms INTEGER,
    full_reset INTEGER NOT NULL,
    total_ms REAL NOT NULL,
    group_count INTEGER NOT NULL
);
CREATE INDEX snapshots_target_time ON snapshots (target_id, taken_at_ms);
CREATE TABLE snapshot_groups (
    snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
    fingerprint TEXT NOT NULL,
    queryids TEXT NOT NULL,
    query TEXT NOT NULL,
    calls INTEGER NOT NULL, total_exec_ms REAL NOT NULL, total_plan_ms REAL NOT NULL, rows INTEGER NOT NULL,
    shared_blks_hit INTEGER NOT NULL, shared_blks_read INTEGER NOT NULL,
    shared_blks_dirtied INTEGER NOT NULL, shared_blks_written INTEGER NOT NULL,
    temp_blks_read INTEGER NOT NULL, temp_blks_written INTEGER NOT NULL,
    blk_read_ms REAL NOT NULL, blk_write_ms REAL NOT NULL,
    PRIMARY KEY (snapshot_id, fingerprint)
) WITHOUT ROWID;
CREATE INDEX snapshot_groups_fingerprint ON snapshot_groups (fingerprint, snapshot_id);
CREATE TABLE queries (
    target_id INTEGER NOT NULL REFERENCES targets(id) ON DELETE CASCADE,
    queryid INTEGER NOT NULL,
    fingerprint TEXT NOT NULL,
    text TEXT NOT NULL,
    own INTEGER NOT NULL,
    PRIMARY KEY (target_id, queryid)
) WITHOUT ROWID;
CREATE TABLE baselines (
    target_id INTEGER PRIMARY KEY REFERENCES targets(id) ON DELETE CASCADE,
    taken_at_ms INTEGER NOT NULL,
    server_version TEXT NOT NULL,
    stats_reset_ms INTEGER,
    dealloc INTEGER NOT NULL
);
CREATE TABLE baseline_counters (
    target_id INTEGER NOT NULL REFERENCES targets(id) ON DELETE CASCADE,
    userid INTEGER NOT NULL, dbid INTEGER NOT NULL, queryid INTEGER NOT NULL, toplevel INTEGER NOT NULL,
    calls INTEGER NOT NULL, total_exec_ms REAL NOT NULL, total_plan_ms REAL NOT NULL, rows INTEGER NOT NULL,
    shared_blks_hit INTEGER NOT NULL, shared_blks_read INTEGER NOT NULL,
    shared_blks_dirtied INTEGER NOT NULL, shared_blks_written INTEGER NOT NULL,
    temp_blks_read INTEGER NOT NULL, temp_blks_written INTEGER NOT NULL,
    blk_read_ms REAL NOT NULL, blk_write_ms REAL NOT NULL,
    PRIMARY KEY (target_id, userid, dbid, queryid, toplevel)
) WITHOUT ROWID;
)sql",
    R"sql(
CREATE TABLE recommendations (
    id TEXT PRIMARY KEY,
    target_id INTEGER NOT NULL REFERENCES targets(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    sql TEXT NOT NULL,
    rollback_sql TEXT NOT NULL,
    evidence_json TEXT NOT NULL,
    validation_json TEXT NOT NULL DEFAULT '',
    created_at_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL
);
CREATE INDEX recommendations_target ON recommendations (target_id, updated_at_ms);
CREATE TABLE audit_events (
    id INTEGER PRIMARY KEY,
    at_ms INTEGER NOT NULL,
    actor TEXT NOT NULL,
    target TEXT NOT NULL,
    action TEXT NOT NULL,
    sql TEXT NOT NULL,
    outcome TEXT NOT NULL,
    error TEXT NOT NULL,
    duration_ms REAL NOT NULL,
    detail_json TEXT NOT NULL,
    related_id INTEGER REFERENCES audit_events(id)
);
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
)sql",
    R"sql(
ALTER TABLE targets ADD COLUMN dsn_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE targets ADD COLUMN interval_s INTEGER NOT NULL DEFAULT 60;
ALTER TABLE targets ADD COLUMN production INTEGER NOT NULL DEFAULT 1;
ALTER TABLE targets ADD COLUMN source TEXT NOT NULL DEFAULT 'cli';
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL
);
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    label TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    expires_at_ms INTEGER
) WITHOUT ROWID;
CREATE TABLE latency_samples (
    target_id INTEGER NOT NULL REFERENCES targets(id) ON DELETE CASCADE,
    at_ms INTEGER NOT NULL,
    connect_ms REAL,
    p50_ms REAL,
    p95_ms REAL,
    error TEXT NOT NULL,
    PRIMARY KEY (target_id, at_ms)
) WITHOUT ROWID;
)sql",
    // 4: settings changed in the dashboard.
    R"sql(
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at_ms INTEGER NOT NULL
) WITHOUT ROWID;
)sql",
    // 5: hourly rollups of the delta snapshots' groups ("other" left out, as RangeGroups leaves it out),
    // so RangeGroups reads one row per fingerprint and hour for the whole hours of a range. hour_ms is
    // the start of the UTC hour of the snapshots' taken_at_ms; query is the greatest text (RangeGroups
    // reports max(query)); total_ms sums total_exec_ms + total_plan_ms per row, RangeGroups' sort key.
    // Every counter of model::Counters is a sum, so each column is the sum over the hour's snapshots.
    R"sql(
CREATE TABLE group_rollups (
    target_id INTEGER NOT NULL REFERENCES targets(id) ON DELETE CASCADE,
    hour_ms INTEGER NOT NULL,
    fingerprint TEXT NOT NULL,
    query TEXT NOT NULL,
    snapshot_count INTEGER NOT NULL,
    total_ms REAL NOT NULL,
    calls INTEGER NOT NULL, total_exec_ms REAL NOT NULL, total_plan_ms REAL NOT NULL, rows INTEGER NOT NULL,
    shared_blks_hit INTEGER NOT NULL, shared_blks_read INTEGER NOT NULL,
    shared_blks_dirtied INTEGER NOT NULL, shared_blks_written INTEGER NOT NULL,
    temp_blks_read INTEGER NOT NULL, temp_blks_written INTEGER NOT NULL,
    blk_read_ms REAL NOT NULL, blk_write_ms REAL NOT NULL,
    PRIMARY KEY (target_id, hour_ms, fingerprint)
) WITHOUT ROWID;
INSERT INTO group_rollups (target_id, hour_ms, fingerprint, query, snapshot_count, total_ms,
    calls, total_exec_ms, total_plan_ms, rows, shared_blks_hit, shared_blks_read, shared_blks_dirtied,
    shared_blks_written, temp_blks_read, temp_blks_written, blk_read_ms, blk_write_ms)
SELECT s.target_id, s.taken_at_ms - ((s.taken_at_ms % 3600000) + 3600000) % 3600000, g.fingerprint, max(g.query),
    count(*), sum(g.total_exec_ms + g.total_plan_ms),
    sum(g.calls), sum(g.total_exec_ms), sum(g.total_plan_ms), sum(g.rows), sum(g.shared_blks_hit),
    sum(g.shared_blks_read), sum(g.shared_blks_dirtied), sum(g.shared_blks_written), sum(g.temp_blks_read),
    sum(g.temp_blks_written), sum(g.blk_read_ms), sum(g.blk_write_ms)
FROM snapshot_groups g JOIN snapshots s ON s.id = g.snapshot_id
WHERE s.interval_ms IS NOT NULL AND g.fingerprint <> 'other'
GROUP BY 1, 2, 3;
)sql",
    // 6: API tokens in a table of their own, found by their public id; sessions keep browser logins only
    // (nothing created API tokens in sessions before), and are deleted once expired.
    R"sql(
DELETE FROM sessions WHERE kind <> 'session';
CREATE INDEX sessions_expiry ON sessions (expires_at_ms);
CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    expires_at_ms INTEGER,
    last_used_at_ms INTEGER,
    revoked_at_ms INTEGER
) WITHOUT ROWID;
CREATE INDEX api_tokens_user ON api_tokens (user_id);
)sql",
};

}  // namespace

void SqliteStore::Closer::operator()(sqlite3* db) const { sqlite3_close_v2(db); }

SqliteStore::SqliteStore(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
SqliteStore::~SqliteStore() = default;

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& data_dir) {
    std::error_code ec;
    std::filesystem::create_directories(data_dir, ec);
    if (ec) {
        return MakeError(ErrorCode::kStorage, fmt::format("cannot create data directory {}: {}; choose another "
                                                          "with --data-dir",
                                                          data_dir, ec.message()));
    }
    // The store holds password hashes, the audit trail, query texts and sampled values: the owner's alone.
    std::filesystem::permissions(data_dir, std::filesystem::perms::owner_all, std::filesystem::perm_options::replace,
                                 ec);
    const std::string path = (std::filesystem::path(data_dir) / "optischema.db").string();
    if (!sqlite::MakePrivateFile(path)) {
        return MakeError(ErrorCode::kStorage,
                         fmt::format("cannot create {} (mode 0600); choose another --data-dir", path));
    }
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &raw,
                                   SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
    std::unique_ptr<SqliteStore> store(new SqliteStore(raw, path));
    if (rc != SQLITE_OK) return tl::unexpected(StorageError(raw, "cannot open " + path));
    sqlite3_busy_timeout(raw, 5000);
    // WAL + NORMAL: a killed process loses nothing committed; only a power loss may drop the last commit.
    for (const char* pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON"}) {
        if (auto ok = store->Exec(pragma); !ok) return tl::unexpected(ok.error());
    }
    if (auto ok = store->Migrate(); !ok) return tl::unexpected(ok.error());
    return store;
}

Result<void> SqliteStore::Exec(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_.get(), sql, nullptr, nullptr, &err) != SQLITE_OK) {
        std::string msg = err != nullptr ? err : "unknown error";
        sqlite3_free(err);
        return MakeError(ErrorCode::kStorage, fmt::format("store {}: {}", path_, msg));
    }
    return {};
}

int SqliteStore::SchemaVersion() const {
    Statement s(db_.get(), "PRAGMA user_version");
    return s.ok() && s.Step() == SQLITE_ROW ? static_cast<int>(s.Int(0)) : -1;
}

Result<void> SqliteStore::Migrate() {
    const int current = SchemaVersion();
    const int latest = static_cast<int>(std::size(kMigrations));
    if (current < 0) return tl::unexpected(StorageError(db_.get(), "cannot read the schema version of " + path_));
    if (current > latest) {
        return MakeError(ErrorCode::kStorage,
                         fmt::format("store {} has schema version {}, newer than this optischema ({}): upgrade "
                                     "optischema or use another --data-dir",
                                     path_, current, latest));
    }
    for (int v = current; v < latest; ++v) {
        Transaction tx(db_.get());
        if (!tx.ok()) return tl::unexpected(StorageError(db_.get(), "cannot start migration"));
        if (auto ok = Exec(kMigrations[v]); !ok) return ok;
        if (auto ok = Exec(fmt::format("PRAGMA user_version = {}", v + 1).c_str()); !ok) return ok;
        if (!tx.Commit()) return tl::unexpected(StorageError(db_.get(), "cannot commit migration"));
    }
    return {};
}

}  // namespace optischema::store
