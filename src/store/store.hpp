#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "model/audit.hpp"
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

/// A dashboard user.
struct UserRecord {
    std::int64_t id = 0;
    std::string username;
    std::string password_hash;  // Argon2id, PHC string
    std::string role;           // "viewer", "operator" or "admin"
    TimePoint created_at;
};

/// A login session or an API token, kept only as a hash of the secret.
struct SessionRecord {
    std::string token_hash;
    std::int64_t user_id = 0;
    std::string kind;   // "session" or "api"
    std::string label;  // an API token's name; empty for sessions
    TimePoint created_at;
    std::optional<TimePoint> expires_at;  // none: until revoked
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

/// A recommendation as kept: what to run, how to undo it, its evidence and its latest validation.
struct RecommendationRecord {
    std::string id;  // stable across runs: the same index on the same target keeps its id
    std::int64_t target_id = 0;
    std::string kind;             // "index" or "rewrite"
    std::string title;            // one line for lists
    std::string sql;              // the DDL to apply (index) or the rewritten statement (rewrite)
    std::string rollback_sql;     // empty for rewrites
    std::string evidence_json;    // the statements it serves, projected savings, ... as `advise` found them
    std::string validation_json;  // the latest validation; empty until validated
    TimePoint created_at;
    TimePoint updated_at;
};

/// What PruneHistory deleted.
struct PruneCounts {
    std::int64_t snapshots = 0;  // with their groups
    std::int64_t rollup_rows = 0;
    std::int64_t latency_samples = 0;
    bool complete = true;  // false: stopped between batches because keep_going said so
};

/// Durable history of targets, snapshots and per-fingerprint statistics. Implementations are
/// thread-compatible: one thread at a time per instance.
class Store {
public:
    virtual ~Store() = default;

    /// The target of this name, created if needed; its display DSN is updated.
    [[nodiscard]] virtual Result<TargetRecord> EnsureTarget(const std::string& name,
                                                            const std::string& dsn_display) = 0;
    [[nodiscard]] virtual Result<std::vector<TargetRecord>> ListTargets() = 0;
    /// Inserts (id 0) or updates a target with its settings; returns it as stored.
    [[nodiscard]] virtual Result<TargetRecord> SaveTarget(const TargetRecord& target) = 0;
    /// Removes a target and all its history.
    [[nodiscard]] virtual Result<void> DeleteTarget(std::int64_t id) = 0;

    /// Saves a snapshot, its groups, new query texts and the new baseline in one transaction.
    [[nodiscard]] virtual Result<std::int64_t> SaveSnapshot(const SnapshotWrite& write) = 0;
    /// Newest first.
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

    /// Inserts or updates by id; an update keeps created_at, and keeps the validation only when the SQL
    /// is unchanged.
    [[nodiscard]] virtual Result<void> SaveRecommendation(const RecommendationRecord& record) = 0;
    [[nodiscard]] virtual Result<std::optional<RecommendationRecord>> GetRecommendation(const std::string& id) = 0;
    /// The target's recommendations, most recently updated first.
    [[nodiscard]] virtual Result<std::vector<RecommendationRecord>> ListRecommendations(std::int64_t target_id) = 0;
    [[nodiscard]] virtual Result<void> SaveValidation(const std::string& id, const std::string& validation_json) = 0;

    /// Appends to the audit log and returns the event's id. The log cannot be changed or deleted.
    [[nodiscard]] virtual Result<std::int64_t> AppendAudit(const model::AuditEvent& event) = 0;
    /// Newest first; `limit` 0 for all.
    [[nodiscard]] virtual Result<std::vector<model::AuditEvent>> ListAudit(std::size_t limit) = 0;
    [[nodiscard]] virtual Result<std::optional<model::AuditEvent>> GetAudit(std::int64_t id) = 0;

    [[nodiscard]] virtual Result<UserRecord> CreateUser(const UserRecord& user) = 0;
    /// Updates password hash and role.
    [[nodiscard]] virtual Result<void> UpdateUser(const UserRecord& user) = 0;
    [[nodiscard]] virtual Result<void> DeleteUser(std::int64_t id) = 0;
    [[nodiscard]] virtual Result<std::vector<UserRecord>> ListUsers() = 0;
    /// By name, case-insensitively.
    [[nodiscard]] virtual Result<std::optional<UserRecord>> FindUser(const std::string& username) = 0;

    [[nodiscard]] virtual Result<void> SaveSession(const SessionRecord& session) = 0;
    /// The session and its user, when the hash is known and not expired at `now`.
    [[nodiscard]] virtual Result<std::optional<std::pair<SessionRecord, UserRecord>>> FindSession(
        const std::string& token_hash, TimePoint now) = 0;
    [[nodiscard]] virtual Result<void> DeleteSession(const std::string& token_hash) = 0;
    /// Ends a user's browser sessions (kind "session") but the one hashed `except` (may be empty); API tokens stay.
    [[nodiscard]] virtual Result<void> DeleteBrowserSessions(std::int64_t user_id, const std::string& except) = 0;
    /// A user's API tokens (kind "api").
    [[nodiscard]] virtual Result<std::vector<SessionRecord>> ListApiTokens(std::int64_t user_id) = 0;

    [[nodiscard]] virtual Result<void> AppendLatency(const LatencySample& sample) = 0;
    /// Oldest first.
    [[nodiscard]] virtual Result<std::vector<LatencySample>> ListLatency(std::int64_t target_id,
                                                                         TimePoint from,
                                                                         TimePoint to) = 0;

    /// Server settings changed in the dashboard (e.g. "llm"), each a JSON document; secrets in them
    /// are encrypted by the caller.
    [[nodiscard]] virtual Result<std::optional<std::string>> GetSetting(const std::string& key) = 0;
    [[nodiscard]] virtual Result<void> PutSetting(const std::string& key, const std::string& value) = 0;
    [[nodiscard]] virtual Result<void> DeleteSetting(const std::string& key) = 0;
};

}  // namespace optischema::store
