#pragma once

// Internal to store/: one mapping from a result row to each record, for both stores. A row is read
// through its cells (SqliteRow in sqlite_util.hpp, PgRow in pg_util.hpp), whose columns come in the
// order of the lists in columns.hpp.

#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "model/audit.hpp"
#include "model/statement_stats.hpp"
#include "store/account_store.hpp"
#include "store/internal/columns.hpp"
#include "store/recommendation_store.hpp"
#include "store/snapshot_store.hpp"

namespace optischema::store::detail {

/// The cells of one result row by 0-based column; a NULL reads as 0, "" or false unless optional.
/// Ids reads a queryid list the way the store keeps it.
template <typename C>
concept RowCells = requires(const C& c, int i) {
    { c.Int(i) } -> std::same_as<std::int64_t>;
    { c.OptInt(i) } -> std::same_as<std::optional<std::int64_t>>;
    { c.Real(i) } -> std::same_as<double>;
    { c.OptReal(i) } -> std::same_as<std::optional<double>>;
    { c.Text(i) } -> std::same_as<std::string>;
    { c.Bool(i) } -> std::same_as<bool>;
    { c.Ids(i) } -> std::same_as<std::vector<std::int64_t>>;
};

/// An optional instant stored as Unix milliseconds.
template <RowCells C>
std::optional<TimePoint> ReadOptTime(const C& c, int i) {
    if (auto ms = c.OptInt(i)) return FromUnixMs(*ms);
    return std::nullopt;
}

/// The counters in consecutive columns (kCounterNames) from `first`.
template <RowCells C>
model::Counters ReadCounters(const C& c, int first) {
    model::Counters out;
    int i = first;
    model::ForEachCounterField([&](auto field) {
        if constexpr (std::is_same_v<std::remove_reference_t<decltype(out.*field)>, double>) {
            out.*field = c.Real(i++);
        } else {
            out.*field = c.Int(i++);
        }
    });
    return out;
}

/// kTargetColumns.
template <RowCells C>
TargetRecord ReadTarget(const C& c) {
    TargetRecord t;
    t.id = c.Int(0);
    t.name = c.Text(1);
    t.dsn_display = c.Text(2);
    t.created_at = FromUnixMs(c.Int(3));
    t.dsn_secret = c.Text(4);
    t.interval_s = static_cast<int>(c.Int(5));
    t.production = c.Bool(6);
    t.source = c.Text(7);
    return t;
}

/// kSnapshotColumns.
template <RowCells C>
SnapshotRecord ReadSnapshot(const C& c) {
    SnapshotRecord s;
    s.id = c.Int(0);
    s.target_id = c.Int(1);
    s.info.taken_at = FromUnixMs(c.Int(2));
    s.info.server_version = c.Text(3);
    s.info.stats_reset = ReadOptTime(c, 4);
    s.info.dealloc = c.Int(5);
    s.interval_ms = c.OptInt(6);
    s.full_reset = c.Bool(7);
    s.total_ms = c.Real(8);
    s.group_count = static_cast<std::size_t>(c.Int(9));
    return s;
}

/// fingerprint, queryids, query and the counters, from `first`.
template <RowCells C>
model::StatementGroup ReadGroupAt(const C& c, int first) {
    model::StatementGroup g;
    g.fingerprint = c.Text(first);
    g.queryids = c.Ids(first + 1);
    g.query = c.Text(first + 2);
    g.counters = ReadCounters(c, first + 3);
    return g;
}

/// fingerprint, queryids, query and the counters.
template <RowCells C>
model::StatementGroup ReadGroup(const C& c) {
    return ReadGroupAt(c, 0);
}

/// The snapshot's id, taken_at_ms and interval_ms, then a group.
template <RowCells C>
GroupPoint ReadGroupPoint(const C& c) {
    return GroupPoint{c.Int(0), FromUnixMs(c.Int(1)), c.OptInt(2), ReadGroupAt(c, 3)};
}

/// fingerprint, query and the counters: a sum over a range, which keeps no queryids.
template <RowCells C>
model::StatementGroup ReadRangeGroup(const C& c) {
    model::StatementGroup g;
    g.fingerprint = c.Text(0);
    g.query = c.Text(1);
    g.counters = ReadCounters(c, 2);
    return g;
}

/// kBaselineColumns.
template <RowCells C>
model::SnapshotInfo ReadBaselineInfo(const C& c) {
    return model::SnapshotInfo{FromUnixMs(c.Int(0)), c.Text(1), ReadOptTime(c, 2), c.Int(3)};
}

/// userid, dbid, queryid, toplevel and the counters.
template <RowCells C>
std::pair<model::StatementKey, model::Counters> ReadBaselineEntry(const C& c) {
    return {model::StatementKey{static_cast<std::uint32_t>(c.Int(0)), static_cast<std::uint32_t>(c.Int(1)), c.Int(2),
                                c.Bool(3)},
            ReadCounters(c, 4)};
}

/// kQueryTextColumns.
template <RowCells C>
std::pair<std::int64_t, model::QueryText> ReadQueryText(const C& c) {
    return {c.Int(0), model::QueryText{c.Text(2), c.Text(1), c.Bool(3)}};
}

/// kLatencyColumns.
template <RowCells C>
LatencySample ReadLatency(const C& c) {
    return LatencySample{c.Int(0), FromUnixMs(c.Int(1)), c.OptReal(2), c.OptReal(3), c.OptReal(4), c.Text(5)};
}

/// kRecommendationColumns.
template <RowCells C>
RecommendationRecord ReadRecommendation(const C& c) {
    return RecommendationRecord{c.Text(0),           c.Int(1),  c.Text(2),
                                c.Text(3),           c.Text(4), c.Text(5),
                                c.Text(6),           c.Text(7), FromUnixMs(c.Int(8)),
                                FromUnixMs(c.Int(9))};
}

/// kAuditColumns.
template <RowCells C>
model::AuditEvent ReadAudit(const C& c) {
    return model::AuditEvent{
        c.Int(0),  FromUnixMs(c.Int(1)), c.Text(2), c.Text(3), c.Text(4), c.Text(5), c.Text(6), c.Text(7), c.Real(8),
        c.Text(9), c.OptInt(10)};
}

/// kUserColumns from `first`.
template <RowCells C>
UserRecord ReadUserAt(const C& c, int first) {
    return UserRecord{c.Int(first), c.Text(first + 1), c.Text(first + 2), c.Text(first + 3),
                      FromUnixMs(c.Int(first + 4))};
}

/// kUserColumns.
template <RowCells C>
UserRecord ReadUser(const C& c) {
    return ReadUserAt(c, 0);
}

/// kSessionColumns.
template <RowCells C>
SessionRecord ReadSession(const C& c) {
    return SessionRecord{c.Text(0), c.Int(1), c.Text(2), c.Text(3), FromUnixMs(c.Int(4)), ReadOptTime(c, 5)};
}

/// kSessionColumns, then kUserColumns.
template <RowCells C>
std::pair<SessionRecord, UserRecord> ReadSessionAndUser(const C& c) {
    return {ReadSession(c), ReadUserAt(c, ColumnCount(kSessionColumns))};
}

/// kApiTokenColumns.
template <RowCells C>
ApiTokenRecord ReadApiToken(const C& c) {
    return ApiTokenRecord{
        c.Text(0),         c.Text(1),         c.Int(2),         c.Text(3), c.Text(4), c.Text(5), FromUnixMs(c.Int(6)),
        ReadOptTime(c, 7), ReadOptTime(c, 8), ReadOptTime(c, 9)};
}

/// kApiTokenColumns, then kUserColumns.
template <RowCells C>
std::pair<ApiTokenRecord, UserRecord> ReadApiTokenAndUser(const C& c) {
    return {ReadApiToken(c), ReadUserAt(c, ColumnCount(kApiTokenColumns))};
}

}  // namespace optischema::store::detail
