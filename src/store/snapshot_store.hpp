#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "model/statement_stats.hpp"

namespace optischema::store {

/// A database OptiSchema watches.
struct TargetRecord {
    std::int64_t id = 0;
    std::string name;
    std::string dsn_display;  // without password
    TimePoint created_at;
    std::string dsn_secret;      // the full DSN encrypted (server targets); empty for targets seen by the CLI
    int interval_s = 60;         // collection interval of the server
    bool production = true;      // false: the user allows validating on the target itself
    std::string source = "cli";  // "cli", "config" (the server's config file) or "api" (the dashboard)
};

/// Connection quality between OptiSchema and a target at one time.
struct LatencySample {
    std::int64_t target_id = 0;
    TimePoint at;
    std::optional<double> connect_ms;  // time to open a session (TCP, TLS, authentication)
    std::optional<double> p50_ms;      // round trips of `SELECT 1`
    std::optional<double> p95_ms;
    std::string error;  // why the probe failed; empty when it worked
};

/// One collection cycle as it is kept.
struct SnapshotRecord {
    std::int64_t id = 0;
    std::int64_t target_id = 0;
    model::SnapshotInfo info;
    std::optional<std::int64_t> interval_ms;  // set when the statistics are a delta since the previous snapshot
    bool full_reset = false;                  // pg_stat_statements was reset during the interval
    double total_ms = 0;
    std::size_t group_count = 0;
};

/// Everything one cycle writes, saved atomically.
struct SnapshotWrite {
    SnapshotRecord snapshot;         // id is assigned by the store
    model::WorkloadRanking ranking;  // top groups and "other" as ranked for this snapshot
    std::vector<std::pair<std::int64_t, model::QueryText>> new_queries;  // queryid -> text and fingerprint
    const model::Baseline* baseline = nullptr;  // the new baseline for the next delta; kept only the latest
    /// For a delta snapshot: when the baseline it was computed from was taken. The store refuses the
    /// write with kConflict, writing nothing, when the target's stored baseline is not that one: another
    /// collector (an instance of a fleet that took the target over) stored a snapshot since, and this
    /// delta would count its calls twice. The collector then resumes from the stored baseline.
    std::optional<TimePoint> delta_from;
};

/// A fingerprint's statistics in one snapshot.
struct GroupPoint {
    std::int64_t snapshot_id = 0;
    TimePoint taken_at;
    std::optional<std::int64_t> interval_ms;
    model::StatementGroup group;
};

/// What PruneHistory deleted.
struct PruneCounts {
    std::int64_t snapshots = 0;  // with their groups
    std::int64_t rollup_rows = 0;
    std::int64_t latency_samples = 0;
    bool complete = true;  // false: stopped between batches because keep_going said so
};

/// Durable history of targets: their snapshots with per-fingerprint statistics, the hourly rollups
/// behind ranges, the collector's baseline and query texts, connection latency samples, and retention.
/// Implementations are thread-compatible: one thread at a time per instance.
class SnapshotStore {
public:
    virtual ~SnapshotStore() = default;

    /// The target of this name, created if needed; its display DSN is updated.
    [[nodiscard]] virtual Result<TargetRecord> EnsureTarget(const std::string& name,
                                                            const std::string& dsn_display) = 0;
    /// Every target, by name (bytewise: upper case before lower case).
    [[nodiscard]] virtual Result<std::vector<TargetRecord>> ListTargets() = 0;
    /// Inserts (id 0) or updates a target with its settings; returns it as stored. kInvalidArgument when
    /// another target has the name, kNotFound when the id is unknown.
    [[nodiscard]] virtual Result<TargetRecord> SaveTarget(const TargetRecord& target) = 0;
    /// Removes a target and all its history; kNotFound when the id is unknown.
    [[nodiscard]] virtual Result<void> DeleteTarget(std::int64_t id) = 0;

    /// Saves a snapshot, its groups, new query texts and the new baseline in one transaction, and adds a
    /// delta snapshot's groups to their hour's rollups; returns the snapshot's id.
    [[nodiscard]] virtual Result<std::int64_t> SaveSnapshot(const SnapshotWrite& write) = 0;
    /// The target's snapshots, newest first, at most `limit`.
    [[nodiscard]] virtual Result<std::vector<SnapshotRecord>> ListSnapshots(std::int64_t target_id,
                                                                            std::size_t limit) = 0;
    /// The groups stored with a snapshot, by total time descending ("other" last).
    [[nodiscard]] virtual Result<std::vector<model::StatementGroup>> SnapshotGroups(std::int64_t snapshot_id) = 0;
    /// A fingerprint's delta snapshots in [from, to], oldest first.
    [[nodiscard]] virtual Result<std::vector<GroupPoint>> GroupHistory(std::int64_t target_id,
                                                                       const std::string& fingerprint,
                                                                       TimePoint from,
                                                                       TimePoint to) = 0;

    /// Every fingerprint's statistics summed over the delta snapshots taken in [from, to], by total
    /// time descending, at most `limit` (queryids are not kept).
    [[nodiscard]] virtual Result<std::vector<model::StatementGroup>> RangeGroups(std::int64_t target_id,
                                                                                 TimePoint from,
                                                                                 TimePoint to,
                                                                                 std::size_t limit) = 0;

    /// Deletes a target's history older than its retention: the snapshots (with their groups) and the
    /// latency samples taken before `raw_before`, except the target's latest snapshot, and the hourly
    /// rollups of hours that start before `rollups_before`; nullopt keeps that part. Ranges over whole
    /// hours still add up from the rollups after their snapshots are gone. Snapshots go in batches, each
    /// in a short transaction of its own, so a large first prune does not hold up the collectors; before
    /// each batch after the first, `keep_going` (when given) may stop it (a server shutting down).
    [[nodiscard]] virtual Result<PruneCounts> PruneHistory(std::int64_t target_id,
                                                           std::optional<TimePoint> raw_before,
                                                           std::optional<TimePoint> rollups_before,
                                                           const std::function<bool()>& keep_going = {}) = 0;

    /// The baseline saved with the target's latest snapshot, to resume deltas after a restart.
    [[nodiscard]] virtual Result<std::optional<model::Baseline>> LoadBaseline(std::int64_t target_id) = 0;
    /// Every query text known for the target, so texts are not fetched again after a restart.
    [[nodiscard]] virtual Result<std::vector<std::pair<std::int64_t, model::QueryText>>> LoadQueries(
        std::int64_t target_id) = 0;

    /// Records a latency probe; a second sample of the target at the same instant replaces the first.
    [[nodiscard]] virtual Result<void> AppendLatency(const LatencySample& sample) = 0;
    /// The target's samples taken in [from, to], oldest first.
    [[nodiscard]] virtual Result<std::vector<LatencySample>> ListLatency(std::int64_t target_id,
                                                                         TimePoint from,
                                                                         TimePoint to) = 0;
};

}  // namespace optischema::store
