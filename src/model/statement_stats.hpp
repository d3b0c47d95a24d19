#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "common/clock.hpp"

namespace optischema::model {

/// Identity of one pg_stat_statements entry. Deltas are computed per key.
struct StatementKey {
    std::uint32_t userid = 0;
    std::uint32_t dbid = 0;
    std::int64_t queryid = 0;
    bool toplevel = true;  // always true before PostgreSQL 14, which has no such column

    friend bool operator==(const StatementKey&, const StatementKey&) = default;
};

struct StatementKeyHash {
    std::size_t operator()(const StatementKey& k) const noexcept {
        std::size_t h = std::hash<std::int64_t>{}(k.queryid);
        h ^= (static_cast<std::size_t>(k.userid) << 1) ^ (static_cast<std::size_t>(k.dbid) << 33);
        return h ^ static_cast<std::size_t>(k.toplevel);
    }
};

/// The cumulative counters OptiSchema reads from one pg_stat_statements entry, or a difference of
/// two readings. Times in milliseconds.
struct Counters {
    std::int64_t calls = 0;
    double total_exec_ms = 0;
    double total_plan_ms = 0;
    std::int64_t rows = 0;
    std::int64_t shared_blks_hit = 0;
    std::int64_t shared_blks_read = 0;
    std::int64_t shared_blks_dirtied = 0;
    std::int64_t shared_blks_written = 0;
    std::int64_t temp_blks_read = 0;
    std::int64_t temp_blks_written = 0;
    double blk_read_ms = 0;
    double blk_write_ms = 0;

    /// Execution plus planning time (planning is zero unless pg_stat_statements.track_planning).
    [[nodiscard]] double TotalMs() const { return total_exec_ms + total_plan_ms; }
    Counters& operator+=(const Counters& o);
    /// Field-wise difference; callers guarantee `o` is an earlier reading of the same entry.
    [[nodiscard]] Counters Minus(const Counters& o) const;
    /// True when any counter is lower than in `earlier`: the entry was reset or evicted and re-created.
    [[nodiscard]] bool WentBackwardsFrom(const Counters& earlier) const;
};

/// Every field of Counters, in declaration order: the one list that arithmetic, the store and the
/// pg_stat_statements reader walk, so a new counter is added in one place.
inline constexpr auto kCounterFields = std::make_tuple(&Counters::calls,
                                                       &Counters::total_exec_ms,
                                                       &Counters::total_plan_ms,
                                                       &Counters::rows,
                                                       &Counters::shared_blks_hit,
                                                       &Counters::shared_blks_read,
                                                       &Counters::shared_blks_dirtied,
                                                       &Counters::shared_blks_written,
                                                       &Counters::temp_blks_read,
                                                       &Counters::temp_blks_written,
                                                       &Counters::blk_read_ms,
                                                       &Counters::blk_write_ms);

/// Calls f(&Counters::field) for each field of kCounterFields, in order.
template <typename F>
constexpr void ForEachCounterField(F&& f) {
    std::apply([&](auto... field) { (f(field), ...); }, kCounterFields);
}

/// One pg_stat_statements entry as read from the server.
struct StatementStats {
    StatementKey key;
    Counters counters;
};

/// A fingerprint's share of the workload: every entry whose query has the same libpg_query
/// fingerprint, summed.
struct StatementGroup {
    std::string fingerprint;             // 16 lowercase hex digits
    std::vector<std::int64_t> queryids;  // sorted, distinct
    std::string query;                   // normalized text of one representative entry
    Counters counters;

    [[nodiscard]] double MeanMs() const {
        return counters.calls > 0 ? counters.TotalMs() / static_cast<double>(counters.calls) : 0.0;
    }
    /// Shared-buffer hit ratio in percent; empty when the statement touched no shared blocks.
    [[nodiscard]] std::optional<double> CacheHitPct() const;
};

/// A ranked view of the workload over a window (since the last reset, or between two snapshots).
struct WorkloadRanking {
    std::vector<StatementGroup> top;      // by total time, descending
    std::optional<StatementGroup> other;  // all groups not kept in `top`, summed (fingerprint "other")
    double total_ms = 0;                  // over every group, including `other`
    std::size_t group_count = 0;          // distinct fingerprints before filtering
};

/// Server-level facts stored with each snapshot.
struct SnapshotInfo {
    TimePoint taken_at;
    std::string server_version;            // e.g. "15.18"
    std::optional<TimePoint> stats_reset;  // pg_stat_statements_info.stats_reset (PostgreSQL 14+)
    std::int64_t dealloc = 0;              // entries evicted since reset (PostgreSQL 14+)
};

/// The cumulative counters of every entry at one instant: what the next delta is taken against.
struct Baseline {
    SnapshotInfo info;
    std::unordered_map<StatementKey, Counters, StatementKeyHash> counters;
};

/// What OptiSchema knows about one queryid's text.
struct QueryText {
    std::string text;         // normalized, as pg_stat_statements keeps it
    std::string fingerprint;  // libpg_query fingerprint; the queryid in hex when the text does not parse
    bool own = false;         // a statement OptiSchema itself sent
};

}  // namespace optischema::model
