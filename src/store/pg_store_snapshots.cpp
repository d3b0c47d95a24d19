// SnapshotStore on PostgreSQL: targets, snapshots with their groups and hourly rollups, ranges, baselines
// and query texts, latency samples and retention.
#include <unordered_map>

#include <fmt/format.h>

#include "store/internal/columns.hpp"
#include "store/internal/errors.hpp"
#include "store/internal/pg_util.hpp"
#include "store/internal/read_records.hpp"
#include "store/internal/rollup.hpp"
#include "store/internal/snapshot_rules.hpp"
#include "store/internal/unix_ms.hpp"
#include "store/pg_store.hpp"

namespace optischema::store {
namespace {

using detail::AsInt;
using detail::NowMs;
using detail::OptMs;
using detail::Param;
using detail::Params;
using detail::PgRow;

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

// SaveSnapshot's columns, built once outside the retried body: one array parameter per column.

// $2.. of GroupInsertSql; $1, the snapshot id, is left for the caller to fill in.
std::vector<Param> GroupParams(const model::WorkloadRanking& ranking) {
    detail::ArrayLiteral fingerprints, queryids, queries;
    detail::CounterArrays counters;
    auto add_group = [&](const model::StatementGroup& g) {
        fingerprints.Add(g.fingerprint);
        detail::ArrayLiteral ids;
        for (std::int64_t id : g.queryids) ids.Add(id);
        queryids.Add(ids.Finish());
        queries.Add(g.query);
        counters.Add(g.counters);
    };
    for (const auto& g : ranking.top) add_group(g);
    if (ranking.other) add_group(*ranking.other);
    std::vector<Param> params = {std::nullopt, fingerprints.Finish(), queryids.Finish(), queries.Finish()};
    counters.AppendTo(params);
    return params;
}

// A queryid given twice keeps its last text (ON CONFLICT cannot update one row twice in a statement).
std::vector<Param> QueryTextParams(std::int64_t target_id,
                                   const std::vector<std::pair<std::int64_t, model::QueryText>>& texts) {
    std::unordered_map<std::int64_t, std::size_t> last_text;
    for (std::size_t i = 0; i < texts.size(); ++i) last_text[texts[i].first] = i;
    detail::ArrayLiteral text_ids, text_fingerprints, text_values, owns;
    for (std::size_t i = 0; i < texts.size(); ++i) {
        const auto& [queryid, q] = texts[i];
        if (last_text[queryid] != i) continue;
        text_ids.Add(queryid);
        text_fingerprints.Add(q.fingerprint);
        text_values.Add(q.text);
        owns.Add(q.own);
    }
    return Params(target_id, text_ids.Finish(), text_fingerprints.Finish(), text_values.Finish(), owns.Finish());
}

std::vector<Param> BaselineParams(std::int64_t target_id, const model::Baseline& baseline) {
    detail::ArrayLiteral userids, dbids, ids, toplevels;
    detail::CounterArrays counters;
    for (const auto& [key, c] : baseline.counters) {
        userids.Add(static_cast<std::int64_t>(key.userid));
        dbids.Add(static_cast<std::int64_t>(key.dbid));
        ids.Add(key.queryid);
        toplevels.Add(key.toplevel);
        counters.Add(c);
    }
    std::vector<Param> params = Params(target_id, userids.Finish(), dbids.Finish(), ids.Finish(), toplevels.Finish());
    counters.AppendTo(params);
    return params;
}

}  // namespace

Result<TargetRecord> PgStore::EnsureTarget(const std::string& name, const std::string& dsn_display) {
    auto rows = Fetch("save target", Mode::kIdempotent,
                      fmt::format("INSERT INTO optischema.targets (name, dsn_display, created_at_ms) "
                                  "VALUES ($1, $2, $3) ON CONFLICT (name) DO UPDATE SET dsn_display = "
                                  "excluded.dsn_display RETURNING {}",
                                  detail::kTargetColumns),
                      Params(name, dsn_display, NowMs()));
    if (!rows) return tl::unexpected(rows.error());
    return detail::ReadTarget(PgRow((*rows)[0]));
}

Result<std::vector<TargetRecord>> PgStore::ListTargets() {
    // COLLATE "C": the same order as SqliteStore's, whatever the database's collation.
    return detail::ReadAll(
        Fetch("list targets", Mode::kIdempotent,
              fmt::format("SELECT {} FROM optischema.targets ORDER BY name COLLATE \"C\"", detail::kTargetColumns), {}),
        detail::ReadTarget<PgRow>);
}

Result<TargetRecord> PgStore::SaveTarget(const TargetRecord& t) {
    auto rows = t.id == 0
                    ? Fetch("save target", Mode::kTransaction,
                            fmt::format("INSERT INTO optischema.targets (name, dsn_display, created_at_ms, "
                                        "dsn_secret, interval_s, production, source) VALUES ($1, $2, $3, $4, $5, "
                                        "$6, $7) RETURNING {}",
                                        detail::kTargetColumns),
                            Params(t.name, t.dsn_display, NowMs(), t.dsn_secret, t.interval_s, t.production, t.source))
                    : Fetch("save target", Mode::kTransaction,
                            fmt::format("UPDATE optischema.targets SET name = $1, dsn_display = $2, dsn_secret = "
                                        "$3, interval_s = $4, production = $5, source = $6 WHERE id = $7 "
                                        "RETURNING {}",
                                        detail::kTargetColumns),
                            Params(t.name, t.dsn_display, t.dsn_secret, t.interval_s, t.production, t.source, t.id));
    if (!rows) {
        if (rows.error().sqlstate == detail::kUniqueViolation) return detail::TargetNameTaken(t.name);
        return tl::unexpected(rows.error());
    }
    if (rows->empty()) return detail::NoTarget(t.id);
    return detail::ReadTarget(PgRow((*rows)[0]));
}

Result<void> PgStore::DeleteTarget(std::int64_t id) {
    auto rows = Fetch("delete target", Mode::kTransaction, "DELETE FROM optischema.targets WHERE id = $1 RETURNING id",
                      Params(id));
    if (!rows) return tl::unexpected(rows.error());
    if (rows->empty()) return detail::NoTarget(id);
    return {};
}

Result<std::int64_t> PgStore::SaveSnapshot(const SnapshotWrite& write) {
    const SnapshotRecord& snap = write.snapshot;
    std::vector<Param> group_params = GroupParams(write.ranking);
    const std::vector<Param> text_params = QueryTextParams(snap.target_id, write.new_queries);
    const std::vector<Param> baseline_params =
        write.baseline != nullptr ? BaselineParams(snap.target_id, *write.baseline) : std::vector<Param>();

    std::int64_t snapshot_id = 0;
    auto ok = Run("save snapshot", Mode::kTransaction, [&]() -> Result<void> {
        if (write.delta_from) {
            // The baseline row is locked until commit, so two collectors of one target cannot both pass.
            auto stored_ms =
                detail::ReadFirst(Query("SELECT taken_at_ms FROM optischema.baselines WHERE target_id = $1 FOR UPDATE",
                                        Params(snap.target_id)),
                                  [](const PgRow& r) { return r.Int(0); });
            if (!stored_ms) return tl::unexpected(stored_ms.error());
            if (auto conflict = detail::DeltaConflict(snap.target_id, *write.delta_from, *stored_ms)) {
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
    return detail::ReadAll(Fetch("list snapshots", Mode::kIdempotent,
                                 fmt::format("SELECT {} FROM optischema.snapshots WHERE target_id = $1 "
                                             "ORDER BY taken_at_ms DESC, id DESC LIMIT $2",
                                             detail::kSnapshotColumns),
                                 {detail::ToParam(target_id), detail::LimitParam(limit)}),
                           detail::ReadSnapshot<PgRow>);
}

Result<std::vector<model::StatementGroup>> PgStore::SnapshotGroups(std::int64_t snapshot_id) {
    return detail::ReadAll(Fetch("list groups", Mode::kIdempotent,
                                 fmt::format("SELECT fingerprint, queryids, query, {} FROM optischema.snapshot_groups "
                                             "WHERE snapshot_id = $1 "
                                             "ORDER BY fingerprint = 'other', total_exec_ms + total_plan_ms DESC",
                                             detail::CounterColumns()),
                                 Params(snapshot_id)),
                           detail::ReadGroup<PgRow>);
}

Result<std::vector<GroupPoint>> PgStore::GroupHistory(std::int64_t target_id,
                                                      const std::string& fingerprint,
                                                      TimePoint from,
                                                      TimePoint to) {
    return detail::ReadAll(
        Fetch("read history", Mode::kIdempotent,
              fmt::format("SELECT s.id, s.taken_at_ms, s.interval_ms, g.fingerprint, g.queryids, g.query, "
                          "{} FROM optischema.snapshot_groups g JOIN optischema.snapshots s ON s.id = "
                          "g.snapshot_id WHERE s.target_id = $1 AND g.fingerprint = $2 AND s.interval_ms "
                          "IS NOT NULL AND s.taken_at_ms BETWEEN $3 AND $4 ORDER BY s.taken_at_ms, s.id",
                          detail::CounterColumns("g.")),
              Params(target_id, fingerprint, ToUnixMs(from), ToUnixMs(to))),
        detail::ReadGroupPoint<PgRow>);
}

Result<std::vector<model::StatementGroup>> PgStore::RangeGroups(std::int64_t target_id,
                                                                TimePoint from,
                                                                TimePoint to,
                                                                std::size_t limit) {
    const detail::RangeSplit split = detail::SplitRange(ToUnixMs(from), ToUnixMs(to));
    return detail::ReadAll(
        Fetch("sum groups over a range", Mode::kIdempotent, RangeGroupsSql(),
              {detail::ToParam(target_id), detail::ToParam(split.head_from), detail::ToParam(split.head_to),
               detail::ToParam(split.tail_from), detail::ToParam(split.tail_to), detail::ToParam(split.hours_from),
               detail::ToParam(split.hours_to), detail::LimitParam(limit)}),
        detail::ReadRangeGroup<PgRow>);
}

Result<PruneCounts> PgStore::PruneHistory(std::int64_t target_id,
                                          std::optional<TimePoint> raw_before,
                                          std::optional<TimePoint> rollups_before,
                                          const std::function<bool()>& keep_going) {
    PruneCounts counts;
    // Each batch's statement commits on its own.
    auto delete_batch = [&](const detail::PruneStep& step) -> Result<std::int64_t> {
        const std::string sql = fmt::format("WITH d AS ({} RETURNING 1) SELECT count(*) FROM d", step.sql);
        auto rows =
            Fetch("prune history", Mode::kIdempotent, sql, Params(target_id, ToUnixMs(*step.before), step.batch));
        if (!rows) return tl::unexpected(rows.error());
        return AsInt((*rows)[0], 0);
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
        auto head =
            Query(fmt::format("SELECT {} FROM optischema.baselines WHERE target_id = $1", detail::kBaselineColumns),
                  Params(target_id));
        if (!head) return tl::unexpected(head.error());
        if (head->empty()) return {};
        auto rows = Query(fmt::format("SELECT userid, dbid, queryid, toplevel, {} FROM optischema.baseline_counters "
                                      "WHERE target_id = $1",
                                      detail::CounterColumns()),
                          Params(target_id));
        if (!rows) return tl::unexpected(rows.error());
        model::Baseline b;
        b.info = detail::ReadBaselineInfo(PgRow((*head)[0]));
        b.counters.reserve(rows->size());
        for (const auto& r : *rows) b.counters.insert(detail::ReadBaselineEntry(PgRow(r)));
        out = std::move(b);
        return {};
    });
    if (!ok) return tl::unexpected(ok.error());
    return out;
}

Result<std::vector<std::pair<std::int64_t, model::QueryText>>> PgStore::LoadQueries(std::int64_t target_id) {
    return detail::ReadAll(
        Fetch("load query texts", Mode::kIdempotent,
              fmt::format("SELECT {} FROM optischema.queries WHERE target_id = $1", detail::kQueryTextColumns),
              Params(target_id)),
        detail::ReadQueryText<PgRow>);
}

Result<void> PgStore::AppendLatency(const LatencySample& sample) {
    return Exec(
        "save latency sample", Mode::kIdempotent,
        "INSERT INTO optischema.latency_samples (target_id, at_ms, connect_ms, p50_ms, p95_ms, error) "
        "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (target_id, at_ms) DO UPDATE SET "
        "connect_ms = excluded.connect_ms, p50_ms = excluded.p50_ms, p95_ms = excluded.p95_ms, "
        "error = excluded.error",
        Params(sample.target_id, ToUnixMs(sample.at), sample.connect_ms, sample.p50_ms, sample.p95_ms, sample.error));
}

Result<std::vector<LatencySample>> PgStore::ListLatency(std::int64_t target_id, TimePoint from, TimePoint to) {
    return detail::ReadAll(Fetch("list latency samples", Mode::kIdempotent,
                                 fmt::format("SELECT {} FROM optischema.latency_samples WHERE target_id = $1 AND at_ms "
                                             "BETWEEN $2 AND $3 ORDER BY at_ms",
                                             detail::kLatencyColumns),
                                 Params(target_id, ToUnixMs(from), ToUnixMs(to))),
                           detail::ReadLatency<PgRow>);
}

}  // namespace optischema::store
