// SnapshotStore on SQLite: targets, snapshots with their groups and hourly rollups, ranges, baselines
// and query texts, latency samples and retention.
#include <span>

#include <fmt/format.h>
#include <sqlite3.h>

#include "store/internal/columns.hpp"
#include "store/internal/errors.hpp"
#include "store/internal/read_records.hpp"
#include "store/internal/rollup.hpp"
#include "store/internal/snapshot_rules.hpp"
#include "store/internal/sqlite_util.hpp"
#include "store/internal/unix_ms.hpp"
#include "store/sqlite_store.hpp"

namespace optischema::store {
namespace {

using detail::NowMs;
using detail::OptMs;
using detail::SqliteRow;
using detail::Statement;
using detail::StorageError;
using detail::Transaction;

// Counter columns are stored in kCounterFields order: binds them starting at `first`.
void BindCounters(Statement& s, int first, const model::Counters& c) {
    int i = first;
    model::ForEachCounterField([&](auto field) { s.Bind(i++, c.*field); });
}

// Adds snapshot ?3's groups (but "other") to the rollups of target ?1 for the hour starting at ?2.
const std::string& RollupUpsertSql() {
    static const std::string sql = [] {
        std::string add;
        for (std::string_view name : detail::kCounterNames) add += fmt::format(", {0} = {0} + excluded.{0}", name);
        return fmt::format(
            "INSERT INTO group_rollups (target_id, hour_ms, fingerprint, query, snapshot_count, total_ms, {0}) "
            "SELECT ?1, ?2, fingerprint, query, 1, total_exec_ms + total_plan_ms, {0} FROM snapshot_groups "
            "WHERE snapshot_id = ?3 AND fingerprint <> 'other' "
            "ON CONFLICT (target_id, hour_ms, fingerprint) DO UPDATE SET query = max(query, excluded.query), "
            "snapshot_count = snapshot_count + 1, total_ms = total_ms + excluded.total_ms{1}",
            detail::CounterColumns(), add);
    }();
    return sql;
}

// RangeGroups: the raw groups of the edges ?2..?3 and ?4..?5 and the rollups of the whole hours
// [?6, ?7), each summed per fingerprint, then summed again (sums of sums are the same sums, the max of
// maxima the same max). Summing each part first keeps a range without whole hours as fast as before.
const std::string& RangeGroupsSql() {
    static const std::string sql = [] {
        std::string sums, raw_sums;
        for (std::string_view name : detail::kCounterNames) {
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

// SaveSnapshot's parts, each run inside its transaction.

Result<void> SaveGroups(sqlite3* db, std::int64_t snapshot_id, const model::WorkloadRanking& ranking) {
    const std::string sql = fmt::format(
        "INSERT INTO snapshot_groups (snapshot_id, fingerprint, queryids, query, {}) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
        detail::CounterColumns());
    auto bind = [&](Statement& s, const model::StatementGroup& g) {
        detail::BindParams(s, snapshot_id, g.fingerprint, detail::JoinIds(g.queryids), g.query);
        BindCounters(s, 5, g.counters);
    };
    if (auto ok = detail::ExecuteEach(db, sql, "insert group", ranking.top, bind); !ok) return ok;
    if (!ranking.other) return {};
    return detail::ExecuteEach(db, sql, "insert other group", std::span(&*ranking.other, 1), bind);
}

Result<void> SaveQueryTexts(sqlite3* db,
                            std::int64_t target_id,
                            const std::vector<std::pair<std::int64_t, model::QueryText>>& texts) {
    return detail::ExecuteEach(db,
                               "INSERT INTO queries (target_id, queryid, fingerprint, text, own) VALUES (?1, ?2, ?3, "
                               "?4, ?5) ON CONFLICT DO UPDATE SET fingerprint = excluded.fingerprint, text = "
                               "excluded.text, own = excluded.own",
                               "insert query text", texts, [&](Statement& s, const auto& text) {
                                   const auto& [queryid, q] = text;
                                   detail::BindParams(s, target_id, queryid, q.fingerprint, q.text, q.own);
                               });
}

// Only the latest baseline is kept: the new one replaces the target's old one entirely.
Result<void> SaveBaseline(sqlite3* db, std::int64_t target_id, const model::Baseline& b) {
    if (auto ok =
            detail::Execute(db, "DELETE FROM baseline_counters WHERE target_id = ?1", "clear baseline", target_id);
        !ok) {
        return ok;
    }
    if (auto ok = detail::Execute(db,
                                  "INSERT OR REPLACE INTO baselines (target_id, taken_at_ms, server_version, "
                                  "stats_reset_ms, dealloc) VALUES (?1, ?2, ?3, ?4, ?5)",
                                  "save baseline", target_id, ToUnixMs(b.info.taken_at), b.info.server_version,
                                  OptMs(b.info.stats_reset), b.info.dealloc);
        !ok) {
        return ok;
    }
    return detail::ExecuteEach(db,
                               fmt::format("INSERT INTO baseline_counters (target_id, userid, dbid, queryid, toplevel, "
                                           "{}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
                                           "?15, ?16, ?17)",
                                           detail::CounterColumns()),
                               "insert baseline row", b.counters, [&](Statement& s, const auto& entry) {
                                   const auto& [key, counters] = entry;
                                   detail::BindParams(s, target_id, key.userid, key.dbid, key.queryid, key.toplevel);
                                   BindCounters(s, 6, counters);
                               });
}

}  // namespace

Result<TargetRecord> SqliteStore::EnsureTarget(const std::string& name, const std::string& dsn_display) {
    auto target = detail::SelectOne(db(),
                                    fmt::format("INSERT INTO targets (name, dsn_display, created_at_ms) VALUES (?1, "
                                                "?2, ?3) ON CONFLICT (name) DO UPDATE SET dsn_display = "
                                                "excluded.dsn_display RETURNING {}",
                                                detail::kTargetColumns),
                                    "save target", detail::ReadTarget<SqliteRow>, name, dsn_display, NowMs());
    if (!target) return tl::unexpected(target.error());
    if (!*target) return tl::unexpected(StorageError(db(), "save target"));
    return std::move(**target);
}

Result<std::vector<TargetRecord>> SqliteStore::ListTargets() {
    return detail::SelectAll(db(), fmt::format("SELECT {} FROM targets ORDER BY name", detail::kTargetColumns),
                             "list targets", detail::ReadTarget<SqliteRow>);
}

Result<TargetRecord> SqliteStore::SaveTarget(const TargetRecord& t) {
    const std::string sql =
        t.id == 0 ? fmt::format(
                        "INSERT INTO targets (name, dsn_display, created_at_ms, dsn_secret, interval_s, "
                        "production, source) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING {}",
                        detail::kTargetColumns)
                  : fmt::format(
                        "UPDATE targets SET name = ?1, dsn_display = ?2, dsn_secret = ?4, interval_s = ?5, "
                        "production = ?6, source = ?7 WHERE id = ?8 RETURNING {}",
                        detail::kTargetColumns);
    Statement s(db(), sql.c_str());
    if (!s.ok()) return tl::unexpected(StorageError(db(), "prepare target save"));
    detail::BindParams(s, t.name, t.dsn_display, NowMs(), t.dsn_secret, t.interval_s, t.production, t.source);
    if (t.id != 0) s.Bind(8, t.id);
    const int rc = s.Step();
    if (rc == SQLITE_CONSTRAINT) return detail::TargetNameTaken(t.name);
    if (rc == SQLITE_DONE) return detail::NoTarget(t.id);
    if (rc != SQLITE_ROW) return tl::unexpected(StorageError(db(), "save target"));
    TargetRecord out = detail::ReadTarget(SqliteRow(s));
    s.Step();
    return out;
}

Result<void> SqliteStore::DeleteTarget(std::int64_t id) {
    auto deleted = detail::Change(db(), "DELETE FROM targets WHERE id = ?1", "delete target", id);
    if (!deleted) return tl::unexpected(deleted.error());
    if (*deleted == 0) return detail::NoTarget(id);
    return {};
}

Result<std::int64_t> SqliteStore::SaveSnapshot(const SnapshotWrite& write) {
    sqlite3* db = db_.get();
    Transaction tx(db);
    if (!tx.ok()) return tl::unexpected(StorageError(db, "begin snapshot"));
    const SnapshotRecord& snap = write.snapshot;
    if (write.delta_from) {
        auto stored = detail::SelectOne(
            db, "SELECT taken_at_ms FROM baselines WHERE target_id = ?1", "baseline check",
            [](const SqliteRow& r) { return r.Int(0); }, snap.target_id);
        if (!stored) return tl::unexpected(stored.error());
        if (auto conflict = detail::DeltaConflict(snap.target_id, *write.delta_from, *stored)) {
            return tl::unexpected(*conflict);
        }
    }

    if (auto ok = detail::Execute(db,
                                  "INSERT INTO snapshots (target_id, taken_at_ms, server_version, stats_reset_ms, "
                                  "dealloc, interval_ms, full_reset, total_ms, group_count) VALUES (?1, ?2, ?3, ?4, "
                                  "?5, ?6, ?7, ?8, ?9)",
                                  "insert snapshot", snap.target_id, ToUnixMs(snap.info.taken_at),
                                  snap.info.server_version, OptMs(snap.info.stats_reset), snap.info.dealloc,
                                  snap.interval_ms, snap.full_reset, write.ranking.total_ms, write.ranking.group_count);
        !ok) {
        return tl::unexpected(ok.error());
    }
    const std::int64_t snapshot_id = sqlite3_last_insert_rowid(db);

    if (auto ok = SaveGroups(db, snapshot_id, write.ranking); !ok) return tl::unexpected(ok.error());
    if (snap.interval_ms) {
        // The groups just written, added to their hour's rollup (RangeGroups sums only delta snapshots).
        if (auto ok = detail::Execute(db, RollupUpsertSql(), "add to the hourly rollup", snap.target_id,
                                      detail::HourStart(ToUnixMs(snap.info.taken_at)), snapshot_id);
            !ok) {
            return tl::unexpected(ok.error());
        }
    }
    if (auto ok = SaveQueryTexts(db, snap.target_id, write.new_queries); !ok) return tl::unexpected(ok.error());
    if (write.baseline != nullptr) {
        if (auto ok = SaveBaseline(db, snap.target_id, *write.baseline); !ok) return tl::unexpected(ok.error());
    }
    if (!tx.Commit()) return tl::unexpected(StorageError(db, "commit snapshot"));
    return snapshot_id;
}

Result<std::vector<SnapshotRecord>> SqliteStore::ListSnapshots(std::int64_t target_id, std::size_t limit) {
    return detail::SelectAll(db(),
                             fmt::format("SELECT {} FROM snapshots WHERE target_id = ?1 ORDER BY taken_at_ms DESC, id "
                                         "DESC LIMIT ?2",
                                         detail::kSnapshotColumns),
                             "list snapshots", detail::ReadSnapshot<SqliteRow>, target_id, limit);
}

Result<std::vector<model::StatementGroup>> SqliteStore::SnapshotGroups(std::int64_t snapshot_id) {
    return detail::SelectAll(db(),
                             fmt::format("SELECT fingerprint, queryids, query, {} FROM snapshot_groups WHERE "
                                         "snapshot_id = ?1 ORDER BY fingerprint = 'other', total_exec_ms + "
                                         "total_plan_ms DESC",
                                         detail::CounterColumns()),
                             "list groups", detail::ReadGroup<SqliteRow>, snapshot_id);
}

Result<std::vector<GroupPoint>> SqliteStore::GroupHistory(std::int64_t target_id,
                                                          const std::string& fingerprint,
                                                          TimePoint from,
                                                          TimePoint to) {
    return detail::SelectAll(db(),
                             fmt::format("SELECT s.id, s.taken_at_ms, s.interval_ms, g.fingerprint, g.queryids, "
                                         "g.query, {} FROM snapshot_groups g JOIN snapshots s ON s.id = g.snapshot_id "
                                         "WHERE s.target_id = ?1 AND g.fingerprint = ?2 AND s.interval_ms IS NOT NULL "
                                         "AND s.taken_at_ms BETWEEN ?3 AND ?4 ORDER BY s.taken_at_ms, s.id",
                                         detail::CounterColumns()),
                             "read history", detail::ReadGroupPoint<SqliteRow>, target_id, fingerprint, ToUnixMs(from),
                             ToUnixMs(to));
}

Result<std::vector<model::StatementGroup>> SqliteStore::RangeGroups(std::int64_t target_id,
                                                                    TimePoint from,
                                                                    TimePoint to,
                                                                    std::size_t limit) {
    const detail::RangeSplit split = detail::SplitRange(ToUnixMs(from), ToUnixMs(to));
    return detail::SelectAll(db(), RangeGroupsSql(), "sum groups over a range", detail::ReadRangeGroup<SqliteRow>,
                             target_id, split.head_from, split.head_to, split.tail_from, split.tail_to,
                             split.hours_from, split.hours_to, limit);
}

Result<PruneCounts> SqliteStore::PruneHistory(std::int64_t target_id,
                                              std::optional<TimePoint> raw_before,
                                              std::optional<TimePoint> rollups_before,
                                              const std::function<bool()>& keep_going) {
    PruneCounts counts;
    // Each batch's DELETE commits on its own (autocommit).
    auto delete_batch = [&](const detail::PruneStep& step) -> Result<std::int64_t> {
        return detail::Change(db(), step.sql, "prune history", target_id, ToUnixMs(*step.before), step.batch);
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

Result<std::optional<model::Baseline>> SqliteStore::LoadBaseline(std::int64_t target_id) {
    auto info =
        detail::SelectOne(db(), fmt::format("SELECT {} FROM baselines WHERE target_id = ?1", detail::kBaselineColumns),
                          "load baseline", detail::ReadBaselineInfo<SqliteRow>, target_id);
    if (!info) return tl::unexpected(info.error());
    if (!*info) return std::optional<model::Baseline>();
    auto entries = detail::SelectAll(db(),
                                     fmt::format("SELECT userid, dbid, queryid, toplevel, {} FROM baseline_counters "
                                                 "WHERE target_id = ?1",
                                                 detail::CounterColumns()),
                                     "load baseline rows", detail::ReadBaselineEntry<SqliteRow>, target_id);
    if (!entries) return tl::unexpected(entries.error());
    model::Baseline b;
    b.info = std::move(**info);
    b.counters.insert(entries->begin(), entries->end());
    return std::optional<model::Baseline>(std::move(b));
}

Result<std::vector<std::pair<std::int64_t, model::QueryText>>> SqliteStore::LoadQueries(std::int64_t target_id) {
    return detail::SelectAll(db(),
                             fmt::format("SELECT {} FROM queries WHERE target_id = ?1", detail::kQueryTextColumns),
                             "load query texts", detail::ReadQueryText<SqliteRow>, target_id);
}

Result<void> SqliteStore::AppendLatency(const LatencySample& sample) {
    return detail::Execute(db(),
                           "INSERT OR REPLACE INTO latency_samples (target_id, at_ms, connect_ms, p50_ms, p95_ms, "
                           "error) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                           "save latency sample", sample.target_id, ToUnixMs(sample.at), sample.connect_ms,
                           sample.p50_ms, sample.p95_ms, sample.error);
}

Result<std::vector<LatencySample>> SqliteStore::ListLatency(std::int64_t target_id, TimePoint from, TimePoint to) {
    return detail::SelectAll(db(),
                             fmt::format("SELECT {} FROM latency_samples WHERE target_id = ?1 AND at_ms BETWEEN ?2 "
                                         "AND ?3 ORDER BY at_ms",
                                         detail::kLatencyColumns),
                             "list latency samples", detail::ReadLatency<SqliteRow>, target_id, ToUnixMs(from),
                             ToUnixMs(to));
}

}  // namespace optischema::store
