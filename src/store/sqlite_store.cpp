#include "store/sqlite_store.hpp"

#include <filesystem>
#include <span>
#include <type_traits>

#include <fmt/format.h>
#include <sqlite3.h>

#include "common/strings.hpp"
#include "store/internal/rollup.hpp"
#include "store/internal/snapshot_rules.hpp"
#include "store/internal/sqlite_util.hpp"

namespace optischema::store {
namespace {

using detail::Statement;
using detail::StorageError;
using detail::Transaction;

TargetRecord ReadTarget(const Statement& s) {
    TargetRecord t;
    t.id = s.Int(0);
    t.name = s.Text(1);
    t.dsn_display = s.Text(2);
    t.created_at = FromUnixMs(s.Int(3));
    t.dsn_secret = s.Text(4);
    t.interval_s = static_cast<int>(s.Int(5));
    t.production = s.Int(6) != 0;
    t.source = s.Text(7);
    return t;
}

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
};

// Counter columns are stored in kCounterFields order: binds them starting at `first`.
void BindCounters(Statement& s, int first, const model::Counters& c) {
    int i = first;
    model::ForEachCounterField([&](auto field) { s.Bind(i++, c.*field); });
}

model::Counters ReadCounters(const Statement& s, int first) {
    model::Counters c;
    int i = first;
    model::ForEachCounterField([&](auto field) {
        if constexpr (std::is_same_v<std::remove_reference_t<decltype(c.*field)>, double>) {
            c.*field = s.Real(i++);
        } else {
            c.*field = s.Int(i++);
        }
    });
    return c;
}

constexpr const char* kCounterColumns =
    "calls, total_exec_ms, total_plan_ms, rows, shared_blks_hit, shared_blks_read, shared_blks_dirtied, "
    "shared_blks_written, temp_blks_read, temp_blks_written, blk_read_ms, blk_write_ms";

std::string JoinIds(const std::vector<std::int64_t>& ids) {
    std::string out;
    for (std::size_t i = 0; i < ids.size(); ++i) {
        if (i > 0) out += ',';
        out += std::to_string(ids[i]);
    }
    return out;
}

std::vector<std::int64_t> SplitIds(const std::string& text) {
    std::vector<std::int64_t> ids;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find(',', start);
        if (end == std::string::npos) end = text.size();
        ids.push_back(std::stoll(text.substr(start, end - start)));
        start = end + 1;
    }
    return ids;
}

std::optional<std::int64_t> OptMs(const std::optional<TimePoint>& t) {
    if (!t) return std::nullopt;
    return ToUnixMs(*t);
}

std::vector<std::string> CounterNames() {
    std::vector<std::string> names;
    for (const auto& column : Split(kCounterColumns, ',')) names.emplace_back(Trim(column));
    return names;
}

// Adds snapshot ?3's groups (but "other") to the rollups of target ?1 for the hour starting at ?2.
const std::string& RollupUpsertSql() {
    static const std::string sql = [] {
        std::string add;
        for (const auto& name : CounterNames()) add += fmt::format(", {0} = {0} + excluded.{0}", name);
        return fmt::format(
            "INSERT INTO group_rollups (target_id, hour_ms, fingerprint, query, snapshot_count, total_ms, {0}) "
            "SELECT ?1, ?2, fingerprint, query, 1, total_exec_ms + total_plan_ms, {0} FROM snapshot_groups "
            "WHERE snapshot_id = ?3 AND fingerprint <> 'other' "
            "ON CONFLICT (target_id, hour_ms, fingerprint) DO UPDATE SET query = max(query, excluded.query), "
            "snapshot_count = snapshot_count + 1, total_ms = total_ms + excluded.total_ms{1}",
            kCounterColumns, add);
    }();
    return sql;
}

// RangeGroups: the raw groups of the edges ?2..?3 and ?4..?5 and the rollups of the whole hours
// [?6, ?7), each summed per fingerprint, then summed again (sums of sums are the same sums, the max of
// maxima the same max). Summing each part first keeps a range without whole hours as fast as before.
const std::string& RangeGroupsSql() {
    static const std::string sql = [] {
        std::string sums, raw_sums;
        for (const auto& name : CounterNames()) {
            sums += fmt::format(", sum({0}) AS {0}", name);
            raw_sums += fmt::format(", sum(g.{0}) AS {0}", name);
        }
        const std::string raw =
            "SELECT g.fingerprint, max(g.query) AS query, sum(g.total_exec_ms + g.total_plan_ms) AS total_ms{0} "
            "FROM snapshots s JOIN snapshot_groups g ON g.snapshot_id = s.id "
            "WHERE s.target_id = ?1 AND s.taken_at_ms BETWEEN {1} AND {2} AND s.interval_ms IS NOT NULL "
            "AND g.fingerprint <> 'other' GROUP BY g.fingerprint";
        return fmt::format(
            "SELECT fingerprint, max(query){0} FROM ({1} UNION ALL {2} UNION ALL "
            "SELECT fingerprint, max(query), sum(total_ms){0} FROM group_rollups "
            "WHERE target_id = ?1 AND hour_ms >= ?6 AND hour_ms < ?7 GROUP BY fingerprint) "
            "GROUP BY fingerprint ORDER BY sum(total_ms) DESC, fingerprint LIMIT ?8",
            sums, fmt::format(fmt::runtime(raw), raw_sums, "?2", "?3"),
            fmt::format(fmt::runtime(raw), raw_sums, "?4", "?5"));
    }();
    return sql;
}

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
    const std::string path = (std::filesystem::path(data_dir) / "optischema.db").string();
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

Result<TargetRecord> SqliteStore::EnsureTarget(const std::string& name, const std::string& dsn_display) {
    Statement up(db_.get(),
                 "INSERT INTO targets (name, dsn_display, created_at_ms) VALUES (?1, ?2, ?3) "
                 "ON CONFLICT (name) DO UPDATE SET dsn_display = excluded.dsn_display "
                 "RETURNING id, name, dsn_display, created_at_ms, dsn_secret, interval_s, production, source");
    if (!up.ok()) return tl::unexpected(StorageError(db_.get(), "prepare target upsert"));
    up.Bind(1, name)
        .Bind(2, dsn_display)
        .Bind(3, static_cast<std::int64_t>(ToUnixMs(std::chrono::system_clock::now())));
    if (up.Step() != SQLITE_ROW) return tl::unexpected(StorageError(db_.get(), "save target"));
    TargetRecord t = ReadTarget(up);
    up.Step();
    return t;
}

Result<std::vector<TargetRecord>> SqliteStore::ListTargets() {
    Statement s(db_.get(),
                "SELECT id, name, dsn_display, created_at_ms, dsn_secret, interval_s, production, source FROM targets "
                "ORDER BY name");
    if (!s.ok()) return tl::unexpected(StorageError(db_.get(), "prepare target list"));
    std::vector<TargetRecord> out;
    while (s.Step() == SQLITE_ROW) out.push_back(ReadTarget(s));
    return out;
}

Result<std::int64_t> SqliteStore::SaveSnapshot(const SnapshotWrite& write) {
    sqlite3* db = db_.get();
    Transaction tx(db);
    if (!tx.ok()) return tl::unexpected(StorageError(db, "begin snapshot"));
    const SnapshotRecord& snap = write.snapshot;
    if (write.delta_from) {
        Statement stored(db, "SELECT taken_at_ms FROM baselines WHERE target_id = ?1");
        if (!stored.ok()) return tl::unexpected(StorageError(db, "prepare baseline check"));
        stored.Bind(1, snap.target_id);
        std::optional<std::int64_t> stored_ms;
        if (stored.Step() == SQLITE_ROW) stored_ms = stored.Int(0);
        if (auto conflict = detail::DeltaConflict(snap.target_id, *write.delta_from, stored_ms)) {
            return tl::unexpected(*conflict);
        }
    }

    Statement ins(db,
                  "INSERT INTO snapshots (target_id, taken_at_ms, server_version, stats_reset_ms, dealloc, "
                  "interval_ms, full_reset, total_ms, group_count) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    if (!ins.ok()) return tl::unexpected(StorageError(db, "prepare snapshot insert"));
    ins.Bind(1, snap.target_id).Bind(2, static_cast<std::int64_t>(ToUnixMs(snap.info.taken_at)));
    ins.Bind(3, snap.info.server_version).Bind(4, OptMs(snap.info.stats_reset)).Bind(5, snap.info.dealloc);
    ins.Bind(6, snap.interval_ms).Bind(7, static_cast<std::int64_t>(snap.full_reset));
    ins.Bind(8, write.ranking.total_ms).Bind(9, static_cast<std::int64_t>(write.ranking.group_count));
    if (ins.Step() != SQLITE_DONE) return tl::unexpected(StorageError(db, "insert snapshot"));
    const std::int64_t snapshot_id = sqlite3_last_insert_rowid(db);

    const std::string group_sql = fmt::format(
        "INSERT INTO snapshot_groups (snapshot_id, fingerprint, queryids, query, {}) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
        kCounterColumns);
    Statement group(db, group_sql.c_str());
    if (!group.ok()) return tl::unexpected(StorageError(db, "prepare group insert"));
    auto save_group = [&](const model::StatementGroup& g) {
        group.Bind(1, snapshot_id).Bind(2, g.fingerprint).Bind(3, JoinIds(g.queryids)).Bind(4, g.query);
        BindCounters(group, 5, g.counters);
        const int rc = group.Step();
        group.Reset();
        return rc == SQLITE_DONE;
    };
    for (const auto& g : write.ranking.top) {
        if (!save_group(g)) return tl::unexpected(StorageError(db, "insert group"));
    }
    if (write.ranking.other && !save_group(*write.ranking.other)) {
        return tl::unexpected(StorageError(db, "insert other group"));
    }
    if (snap.interval_ms) {
        // The groups just written, added to their hour's rollup (RangeGroups sums only delta snapshots).
        Statement roll(db, RollupUpsertSql().c_str());
        if (!roll.ok()) return tl::unexpected(StorageError(db, "prepare rollup upsert"));
        roll.Bind(1, snap.target_id).Bind(2, detail::HourStart(ToUnixMs(snap.info.taken_at))).Bind(3, snapshot_id);
        if (roll.Step() != SQLITE_DONE) return tl::unexpected(StorageError(db, "add to the hourly rollup"));
    }

    Statement query(db,
                    "INSERT INTO queries (target_id, queryid, fingerprint, text, own) VALUES (?1, ?2, ?3, ?4, ?5) "
                    "ON CONFLICT DO UPDATE SET fingerprint = excluded.fingerprint, text = excluded.text, "
                    "own = excluded.own");
    if (!query.ok()) return tl::unexpected(StorageError(db, "prepare query insert"));
    for (const auto& [queryid, q] : write.new_queries) {
        query.Bind(1, snap.target_id).Bind(2, queryid).Bind(3, q.fingerprint).Bind(4, q.text);
        query.Bind(5, static_cast<std::int64_t>(q.own));
        if (query.Step() != SQLITE_DONE) return tl::unexpected(StorageError(db, "insert query text"));
        query.Reset();
    }

    if (write.baseline != nullptr) {
        const model::Baseline& b = *write.baseline;
        Statement del(db, "DELETE FROM baseline_counters WHERE target_id = ?1");
        del.Bind(1, snap.target_id);
        if (del.Step() != SQLITE_DONE) return tl::unexpected(StorageError(db, "clear baseline"));
        Statement head(db,
                       "INSERT OR REPLACE INTO baselines (target_id, taken_at_ms, server_version, stats_reset_ms, "
                       "dealloc) VALUES (?1, ?2, ?3, ?4, ?5)");
        head.Bind(1, snap.target_id).Bind(2, static_cast<std::int64_t>(ToUnixMs(b.info.taken_at)));
        head.Bind(3, b.info.server_version).Bind(4, OptMs(b.info.stats_reset)).Bind(5, b.info.dealloc);
        if (head.Step() != SQLITE_DONE) return tl::unexpected(StorageError(db, "save baseline"));
        const std::string counter_sql = fmt::format(
            "INSERT INTO baseline_counters (target_id, userid, dbid, queryid, toplevel, {}) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
            kCounterColumns);
        Statement row(db, counter_sql.c_str());
        if (!row.ok()) return tl::unexpected(StorageError(db, "prepare baseline insert"));
        for (const auto& [key, counters] : b.counters) {
            row.Bind(1, snap.target_id).Bind(2, static_cast<std::int64_t>(key.userid));
            row.Bind(3, static_cast<std::int64_t>(key.dbid)).Bind(4, key.queryid);
            row.Bind(5, static_cast<std::int64_t>(key.toplevel));
            BindCounters(row, 6, counters);
            if (row.Step() != SQLITE_DONE) return tl::unexpected(StorageError(db, "insert baseline row"));
            row.Reset();
        }
    }
    if (!tx.Commit()) return tl::unexpected(StorageError(db, "commit snapshot"));
    return snapshot_id;
}

Result<std::vector<SnapshotRecord>> SqliteStore::ListSnapshots(std::int64_t target_id, std::size_t limit) {
    Statement s(db_.get(),
                "SELECT id, target_id, taken_at_ms, server_version, stats_reset_ms, dealloc, interval_ms, full_reset, "
                "total_ms, group_count FROM snapshots WHERE target_id = ?1 ORDER BY taken_at_ms DESC, id DESC "
                "LIMIT ?2");
    if (!s.ok()) return tl::unexpected(StorageError(db_.get(), "prepare snapshot list"));
    s.Bind(1, target_id).Bind(2, static_cast<std::int64_t>(limit));
    std::vector<SnapshotRecord> out;
    while (s.Step() == SQLITE_ROW) {
        SnapshotRecord r;
        r.id = s.Int(0);
        r.target_id = s.Int(1);
        r.info.taken_at = FromUnixMs(s.Int(2));
        r.info.server_version = s.Text(3);
        if (auto reset = s.OptInt(4)) r.info.stats_reset = FromUnixMs(*reset);
        r.info.dealloc = s.Int(5);
        r.interval_ms = s.OptInt(6);
        r.full_reset = s.Int(7) != 0;
        r.total_ms = s.Real(8);
        r.group_count = static_cast<std::size_t>(s.Int(9));
        out.push_back(std::move(r));
    }
    return out;
}

Result<std::vector<model::StatementGroup>> SqliteStore::SnapshotGroups(std::int64_t snapshot_id) {
    const std::string sql = fmt::format(
        "SELECT fingerprint, queryids, query, {} FROM snapshot_groups WHERE snapshot_id = ?1 "
        "ORDER BY fingerprint = 'other', total_exec_ms + total_plan_ms DESC",
        kCounterColumns);
    Statement s(db_.get(), sql.c_str());
    if (!s.ok()) return tl::unexpected(StorageError(db_.get(), "prepare group list"));
    s.Bind(1, snapshot_id);
    std::vector<model::StatementGroup> out;
    while (s.Step() == SQLITE_ROW) {
        model::StatementGroup g;
        g.fingerprint = s.Text(0);
        g.queryids = SplitIds(s.Text(1));
        g.query = s.Text(2);
        g.counters = ReadCounters(s, 3);
        out.push_back(std::move(g));
    }
    return out;
}

Result<std::vector<GroupPoint>> SqliteStore::GroupHistory(std::int64_t target_id,
                                                          const std::string& fingerprint,
                                                          TimePoint from,
                                                          TimePoint to) {
    const std::string sql = fmt::format(
        "SELECT s.id, s.taken_at_ms, s.interval_ms, g.fingerprint, g.queryids, g.query, {} "
        "FROM snapshot_groups g JOIN snapshots s ON s.id = g.snapshot_id "
        "WHERE s.target_id = ?1 AND g.fingerprint = ?2 AND s.interval_ms IS NOT NULL "
        "AND s.taken_at_ms BETWEEN ?3 AND ?4 ORDER BY s.taken_at_ms, s.id",
        kCounterColumns);
    Statement s(db_.get(), sql.c_str());
    if (!s.ok()) return tl::unexpected(StorageError(db_.get(), "prepare history"));
    s.Bind(1, target_id).Bind(2, fingerprint);
    s.Bind(3, static_cast<std::int64_t>(ToUnixMs(from))).Bind(4, static_cast<std::int64_t>(ToUnixMs(to)));
    std::vector<GroupPoint> out;
    while (s.Step() == SQLITE_ROW) {
        GroupPoint p;
        p.snapshot_id = s.Int(0);
        p.taken_at = FromUnixMs(s.Int(1));
        p.interval_ms = s.OptInt(2);
        p.group.fingerprint = s.Text(3);
        p.group.queryids = SplitIds(s.Text(4));
        p.group.query = s.Text(5);
        p.group.counters = ReadCounters(s, 6);
        out.push_back(std::move(p));
    }
    return out;
}

Result<std::optional<model::Baseline>> SqliteStore::LoadBaseline(std::int64_t target_id) {
    Statement head(db_.get(),
                   "SELECT taken_at_ms, server_version, stats_reset_ms, dealloc FROM baselines WHERE target_id = ?1");
    if (!head.ok()) return tl::unexpected(StorageError(db_.get(), "prepare baseline"));
    head.Bind(1, target_id);
    if (head.Step() != SQLITE_ROW) return std::optional<model::Baseline>();
    model::Baseline b;
    b.info.taken_at = FromUnixMs(head.Int(0));
    b.info.server_version = head.Text(1);
    if (auto reset = head.OptInt(2)) b.info.stats_reset = FromUnixMs(*reset);
    b.info.dealloc = head.Int(3);
    const std::string sql = fmt::format(
        "SELECT userid, dbid, queryid, toplevel, {} FROM baseline_counters WHERE target_id = ?1", kCounterColumns);
    Statement rows(db_.get(), sql.c_str());
    if (!rows.ok()) return tl::unexpected(StorageError(db_.get(), "prepare baseline rows"));
    rows.Bind(1, target_id);
    while (rows.Step() == SQLITE_ROW) {
        model::StatementKey key{static_cast<std::uint32_t>(rows.Int(0)), static_cast<std::uint32_t>(rows.Int(1)),
                                rows.Int(2), rows.Int(3) != 0};
        b.counters.emplace(key, ReadCounters(rows, 4));
    }
    return std::optional<model::Baseline>(std::move(b));
}

Result<std::vector<std::pair<std::int64_t, model::QueryText>>> SqliteStore::LoadQueries(std::int64_t target_id) {
    Statement s(db_.get(), "SELECT queryid, fingerprint, text, own FROM queries WHERE target_id = ?1");
    if (!s.ok()) return tl::unexpected(StorageError(db_.get(), "prepare query list"));
    s.Bind(1, target_id);
    std::vector<std::pair<std::int64_t, model::QueryText>> out;
    while (s.Step() == SQLITE_ROW) out.emplace_back(s.Int(0), model::QueryText{s.Text(2), s.Text(1), s.Int(3) != 0});
    return out;
}

namespace {

constexpr const char* kRecommendationColumns =
    "id, target_id, kind, title, sql, rollback_sql, evidence_json, validation_json, created_at_ms, updated_at_ms";

RecommendationRecord ReadRecommendation(const Statement& s) {
    return RecommendationRecord{s.Text(0),           s.Int(1),  s.Text(2),
                                s.Text(3),           s.Text(4), s.Text(5),
                                s.Text(6),           s.Text(7), FromUnixMs(s.Int(8)),
                                FromUnixMs(s.Int(9))};
}

constexpr const char* kAuditColumns =
    "id, at_ms, actor, target, action, sql, outcome, error, duration_ms, detail_json, related_id";

model::AuditEvent ReadAudit(const Statement& s) {
    return model::AuditEvent{
        s.Int(0),  FromUnixMs(s.Int(1)), s.Text(2), s.Text(3), s.Text(4), s.Text(5), s.Text(6), s.Text(7), s.Real(8),
        s.Text(9), s.OptInt(10)};
}

}  // namespace

Result<void> SqliteStore::SaveRecommendation(const RecommendationRecord& r) {
    Statement up(
        db_.get(),
        "INSERT INTO recommendations (id, target_id, kind, title, sql, rollback_sql, evidence_json, "
        "validation_json, created_at_ms, updated_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9) "
        "ON CONFLICT (id) DO UPDATE SET target_id = excluded.target_id, kind = excluded.kind, "
        "title = excluded.title, rollback_sql = excluded.rollback_sql, evidence_json = excluded.evidence_json, "
        "validation_json = CASE WHEN recommendations.sql = excluded.sql THEN recommendations.validation_json "
        "ELSE excluded.validation_json END, sql = excluded.sql, updated_at_ms = excluded.updated_at_ms");
    if (!up.ok()) return tl::unexpected(StorageError(db_.get(), "prepare recommendation upsert"));
    up.Bind(1, r.id)
        .Bind(2, r.target_id)
        .Bind(3, r.kind)
        .Bind(4, r.title)
        .Bind(5, r.sql)
        .Bind(6, r.rollback_sql)
        .Bind(7, r.evidence_json)
        .Bind(8, r.validation_json)
        .Bind(9, static_cast<std::int64_t>(ToUnixMs(std::chrono::system_clock::now())));
    if (up.Step() != SQLITE_DONE) return tl::unexpected(StorageError(db_.get(), "save recommendation"));
    return {};
}

Result<std::optional<RecommendationRecord>> SqliteStore::GetRecommendation(const std::string& id) {
    const std::string sql = fmt::format("SELECT {} FROM recommendations WHERE id = ?1", kRecommendationColumns);
    Statement s(db_.get(), sql.c_str());
    if (!s.ok()) return tl::unexpected(StorageError(db_.get(), "prepare recommendation"));
    s.Bind(1, id);
    if (s.Step() != SQLITE_ROW) return std::optional<RecommendationRecord>();
    return std::optional<RecommendationRecord>(ReadRecommendation(s));
}

Result<std::vector<RecommendationRecord>> SqliteStore::ListRecommendations(std::int64_t target_id) {
    const std::string sql = fmt::format(
        "SELECT {} FROM recommendations WHERE target_id = ?1 ORDER BY updated_at_ms DESC, id", kRecommendationColumns);
    Statement s(db_.get(), sql.c_str());
    if (!s.ok()) return tl::unexpected(StorageError(db_.get(), "prepare recommendation list"));
    s.Bind(1, target_id);
    std::vector<RecommendationRecord> out;
    while (s.Step() == SQLITE_ROW) out.push_back(ReadRecommendation(s));
    return out;
}

Result<void> SqliteStore::SaveValidation(const std::string& id, const std::string& validation_json) {
    Statement s(db_.get(), "UPDATE recommendations SET validation_json = ?2, updated_at_ms = ?3 WHERE id = ?1");
    if (!s.ok()) return tl::unexpected(StorageError(db_.get(), "prepare validation"));
    s.Bind(1, id)
        .Bind(2, validation_json)
        .Bind(3, static_cast<std::int64_t>(ToUnixMs(std::chrono::system_clock::now())));
    if (s.Step() != SQLITE_DONE) return tl::unexpected(StorageError(db_.get(), "save validation"));
    if (sqlite3_changes(db_.get()) == 0) {
        return MakeError(ErrorCode::kNotFound, fmt::format("no recommendation {} in the store", id));
    }
    return {};
}

Result<std::int64_t> SqliteStore::AppendAudit(const model::AuditEvent& e) {
    Statement s(db_.get(),
                "INSERT INTO audit_events (at_ms, actor, target, action, sql, outcome, error, duration_ms, "
                "detail_json, related_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) RETURNING id");
    if (!s.ok()) return tl::unexpected(StorageError(db_.get(), "prepare audit append"));
    s.Bind(1, static_cast<std::int64_t>(ToUnixMs(e.at)))
        .Bind(2, e.actor)
        .Bind(3, e.target)
        .Bind(4, e.action)
        .Bind(5, e.sql)
        .Bind(6, e.outcome)
        .Bind(7, e.error)
        .Bind(8, e.duration_ms)
        .Bind(9, e.detail_json)
        .Bind(10, e.related_id);
    if (s.Step() != SQLITE_ROW) return tl::unexpected(StorageError(db_.get(), "append audit event"));
    const std::int64_t id = s.Int(0);
    s.Step();
    return id;
}

Result<std::vector<model::AuditEvent>> SqliteStore::ListAudit(std::size_t limit) {
    const std::string sql = fmt::format("SELECT {} FROM audit_events ORDER BY id DESC LIMIT ?1", kAuditColumns);
    Statement s(db_.get(), sql.c_str());
    if (!s.ok()) return tl::unexpected(StorageError(db_.get(), "prepare audit list"));
    s.Bind(1, limit == 0 ? std::int64_t{-1} : static_cast<std::int64_t>(limit));
    std::vector<model::AuditEvent> out;
    while (s.Step() == SQLITE_ROW) out.push_back(ReadAudit(s));
    return out;
}

Result<std::optional<model::AuditEvent>> SqliteStore::GetAudit(std::int64_t id) {
    const std::string sql = fmt::format("SELECT {} FROM audit_events WHERE id = ?1", kAuditColumns);
    Statement s(db_.get(), sql.c_str());
    if (!s.ok()) return tl::unexpected(StorageError(db_.get(), "prepare audit event"));
    s.Bind(1, id);
    if (s.Step() != SQLITE_ROW) return std::optional<model::AuditEvent>();
    return std::optional<model::AuditEvent>(ReadAudit(s));
}

Result<TargetRecord> SqliteStore::SaveTarget(const TargetRecord& t) {
    const char* sql =
        t.id == 0 ? "INSERT INTO targets (name, dsn_display, created_at_ms, dsn_secret, interval_s, production, "
                    "source) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id, name, dsn_display, "
                    "created_at_ms, dsn_secret, interval_s, production, source"
                  : "UPDATE targets SET name = ?1, dsn_display = ?2, dsn_secret = ?4, interval_s = ?5, "
                    "production = ?6, source = ?7 WHERE id = ?8 RETURNING id, name, dsn_display, "
                    "created_at_ms, dsn_secret, interval_s, production, source";
    Statement s(db_.get(), sql);
    if (!s.ok()) return tl::unexpected(StorageError(db_.get(), "prepare target save"));
    s.Bind(1, t.name)
        .Bind(2, t.dsn_display)
        .Bind(3, static_cast<std::int64_t>(ToUnixMs(std::chrono::system_clock::now())))
        .Bind(4, t.dsn_secret)
        .Bind(5, static_cast<std::int64_t>(t.interval_s))
        .Bind(6, static_cast<std::int64_t>(t.production ? 1 : 0))
        .Bind(7, t.source);
    if (t.id != 0) s.Bind(8, t.id);
    const int rc = s.Step();
    if (rc == SQLITE_CONSTRAINT) {
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("a target named {} already exists: choose another name", t.name));
    }
    if (rc != SQLITE_ROW) {
        if (rc == SQLITE_DONE) return MakeError(ErrorCode::kNotFound, fmt::format("no target {}", t.id));
        return tl::unexpected(StorageError(db_.get(), "save target"));
    }
    TargetRecord out = ReadTarget(s);
    s.Step();
    return out;
}

Result<void> SqliteStore::DeleteTarget(std::int64_t id) {
    Statement s(db_.get(), "DELETE FROM targets WHERE id = ?1");
    if (!s.ok()) return tl::unexpected(StorageError(db_.get(), "prepare target delete"));
    s.Bind(1, id);
    if (s.Step() != SQLITE_DONE) return tl::unexpected(StorageError(db_.get(), "delete target"));
    if (sqlite3_changes(db_.get()) == 0) return MakeError(ErrorCode::kNotFound, fmt::format("no target {}", id));
    return {};
}

Result<PruneCounts> SqliteStore::PruneHistory(std::int64_t target_id,
                                              std::optional<TimePoint> raw_before,
                                              std::optional<TimePoint> rollups_before,
                                              const std::function<bool()>& keep_going) {
    sqlite3* db = db_.get();
    PruneCounts counts;
    // Each batch's DELETE commits on its own (autocommit).
    auto delete_batch = [&](const detail::PruneStep& step) -> Result<std::int64_t> {
        Statement s(db, step.sql);
        if (!s.ok()) return tl::unexpected(StorageError(db, "prepare prune"));
        const std::int64_t before = ToUnixMs(*step.before);
        s.Bind(1, target_id).Bind(2, before).Bind(3, step.batch);
        if (s.Step() != SQLITE_DONE) return tl::unexpected(StorageError(db, "prune history"));
        return static_cast<std::int64_t>(sqlite3_changes(db));
    };
    // The groups go with their snapshot (ON DELETE CASCADE); the latest snapshot stays.
    auto ok = detail::RunPruneSteps(
        {
            detail::PruneStep{raw_before,
                              "DELETE FROM snapshots WHERE id IN (SELECT id FROM snapshots WHERE target_id = ?1 AND "
                              "taken_at_ms < ?2 AND taken_at_ms < (SELECT max(taken_at_ms) FROM snapshots WHERE "
                              "target_id = ?1) LIMIT ?3)",
                              detail::kPruneBatchSnapshots, &counts.snapshots},
            detail::PruneStep{raw_before,
                              "DELETE FROM latency_samples WHERE (target_id, at_ms) IN (SELECT target_id, at_ms FROM "
                              "latency_samples WHERE target_id = ?1 AND at_ms < ?2 LIMIT ?3)",
                              detail::kPruneBatchRows, &counts.latency_samples},
            detail::PruneStep{rollups_before,
                              "DELETE FROM group_rollups WHERE (target_id, hour_ms, fingerprint) IN (SELECT target_id, "
                              "hour_ms, fingerprint FROM group_rollups WHERE target_id = ?1 AND hour_ms < ?2 LIMIT ?3)",
                              detail::kPruneBatchRows, &counts.rollup_rows},
        },
        keep_going, counts.complete, delete_batch);
    if (!ok) return tl::unexpected(ok.error());
    return counts;
}

Result<std::vector<model::StatementGroup>> SqliteStore::RangeGroups(std::int64_t target_id,
                                                                    TimePoint from,
                                                                    TimePoint to,
                                                                    std::size_t limit) {
    Statement s(db_.get(), RangeGroupsSql().c_str());
    if (!s.ok()) return tl::unexpected(StorageError(db_.get(), "prepare range groups"));
    const detail::RangeSplit split = detail::SplitRange(ToUnixMs(from), ToUnixMs(to));
    s.Bind(1, target_id).Bind(2, split.head_from).Bind(3, split.head_to).Bind(4, split.tail_from);
    s.Bind(5, split.tail_to).Bind(6, split.hours_from).Bind(7, split.hours_to);
    s.Bind(8, static_cast<std::int64_t>(limit));
    std::vector<model::StatementGroup> out;
    while (s.Step() == SQLITE_ROW) {
        model::StatementGroup g;
        g.fingerprint = s.Text(0);
        g.query = s.Text(1);
        g.counters = ReadCounters(s, 2);
        out.push_back(std::move(g));
    }
    return out;
}

}  // namespace optischema::store
