#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "pg/connection.hpp"
#include "store/store.hpp"

namespace optischema::store {

/// The shared store for a fleet: several `optischema serve` instances keep their history in one
/// PostgreSQL database, in the schema `optischema` (created if missing), with numbered migrations
/// recorded in `optischema.schema_migrations`. Instants are bigint Unix milliseconds, as in SqliteStore.
/// Needs PostgreSQL 12 or newer and a direct or session-pooled connection (the claims use session
/// advisory locks). One pg::Connection per instance; a broken connection is re-established once per call.
class PgStore final : public Store {
public:
    /// Connects to `dsn` (libpq URI or key=value), creates the schema if needed and migrates it. Two
    /// instances opening one database at once migrate it once (an advisory lock serialises them).
    [[nodiscard]] static Result<std::unique_ptr<PgStore>> Open(const std::string& dsn);
    ~PgStore() override;

    /// The schema version this binary migrates to.
    [[nodiscard]] static int LatestSchemaVersion();
    /// The schema version after migration.
    [[nodiscard]] int SchemaVersion() const { return schema_version_; }

    // SnapshotStore
    [[nodiscard]] Result<TargetRecord> EnsureTarget(const std::string& name, const std::string& dsn_display) override;
    [[nodiscard]] Result<std::vector<TargetRecord>> ListTargets() override;
    [[nodiscard]] Result<TargetRecord> SaveTarget(const TargetRecord& target) override;
    [[nodiscard]] Result<void> DeleteTarget(std::int64_t id) override;
    [[nodiscard]] Result<std::int64_t> SaveSnapshot(const SnapshotWrite& write) override;
    [[nodiscard]] Result<std::vector<SnapshotRecord>> ListSnapshots(std::int64_t target_id, std::size_t limit) override;
    [[nodiscard]] Result<std::vector<model::StatementGroup>> SnapshotGroups(std::int64_t snapshot_id) override;
    [[nodiscard]] Result<std::vector<GroupPoint>> GroupHistory(std::int64_t target_id,
                                                               const std::string& fingerprint,
                                                               TimePoint from,
                                                               TimePoint to) override;
    [[nodiscard]] Result<std::vector<model::StatementGroup>> RangeGroups(std::int64_t target_id,
                                                                         TimePoint from,
                                                                         TimePoint to,
                                                                         std::size_t limit) override;
    [[nodiscard]] Result<PruneCounts> PruneHistory(std::int64_t target_id,
                                                   std::optional<TimePoint> raw_before,
                                                   std::optional<TimePoint> rollups_before,
                                                   const std::function<bool()>& keep_going) override;
    [[nodiscard]] Result<std::optional<model::Baseline>> LoadBaseline(std::int64_t target_id) override;
    [[nodiscard]] Result<std::vector<std::pair<std::int64_t, model::QueryText>>> LoadQueries(
        std::int64_t target_id) override;
    [[nodiscard]] Result<void> AppendLatency(const LatencySample& sample) override;
    [[nodiscard]] Result<std::vector<LatencySample>> ListLatency(std::int64_t target_id,
                                                                 TimePoint from,
                                                                 TimePoint to) override;

    // RecommendationStore
    [[nodiscard]] Result<void> SaveRecommendation(const RecommendationRecord& record) override;
    [[nodiscard]] Result<std::optional<RecommendationRecord>> GetRecommendation(const std::string& id) override;
    [[nodiscard]] Result<std::vector<RecommendationRecord>> ListRecommendations(std::int64_t target_id) override;
    [[nodiscard]] Result<void> SaveValidation(const std::string& id, const std::string& validation_json) override;

    // AuditLog
    [[nodiscard]] Result<std::int64_t> AppendAudit(const model::AuditEvent& event) override;
    [[nodiscard]] Result<std::vector<model::AuditEvent>> ListAudit(std::size_t limit) override;
    [[nodiscard]] Result<std::optional<model::AuditEvent>> GetAudit(std::int64_t id) override;

    // AccountStore
    [[nodiscard]] Result<UserRecord> CreateUser(const UserRecord& user) override;
    [[nodiscard]] Result<void> UpdateUser(const UserRecord& user) override;
    [[nodiscard]] Result<void> DeleteUser(std::int64_t id) override;
    [[nodiscard]] Result<std::vector<UserRecord>> ListUsers() override;
    [[nodiscard]] Result<std::optional<UserRecord>> FindUser(const std::string& username) override;
    [[nodiscard]] Result<void> SaveSession(const SessionRecord& session) override;
    [[nodiscard]] Result<std::optional<std::pair<SessionRecord, UserRecord>>> FindSession(const std::string& token_hash,
                                                                                          TimePoint now) override;
    [[nodiscard]] Result<void> DeleteSession(const std::string& token_hash) override;
    [[nodiscard]] Result<void> DeleteBrowserSessions(std::int64_t user_id, const std::string& except) override;
    [[nodiscard]] Result<void> CreateApiToken(const ApiTokenRecord& token) override;
    [[nodiscard]] Result<std::optional<std::pair<ApiTokenRecord, UserRecord>>> FindApiToken(
        const std::string& id) override;
    [[nodiscard]] Result<std::vector<ApiTokenRecord>> ListApiTokens(std::optional<std::int64_t> user_id) override;
    [[nodiscard]] Result<void> RevokeApiToken(const std::string& id, TimePoint at) override;
    [[nodiscard]] Result<void> TouchApiToken(const std::string& id, TimePoint at) override;
    [[nodiscard]] Result<CredentialPurge> DeleteEndedCredentials(TimePoint now, TimePoint tokens_ended_before) override;

    // SettingsStore
    [[nodiscard]] Result<std::optional<std::string>> GetSetting(const std::string& key) override;
    [[nodiscard]] Result<void> PutSetting(const std::string& key, const std::string& value) override;
    [[nodiscard]] Result<void> DeleteSetting(const std::string& key) override;

private:
    // How Run treats a call: kIdempotent may simply run again after a reconnect; kTransaction wraps
    // the body in BEGIN/COMMIT so that it runs again only when it surely did not commit; kSnapshotRead
    // reads in one repeatable-read, read-only transaction (several statements, one moment).
    enum class Mode { kIdempotent, kTransaction, kSnapshotRead };

    PgStore(pg::Connection conn, std::string where);
    [[nodiscard]] Result<void> Migrate();
    [[nodiscard]] Result<bool> MigrateStep();
    /// Runs `body` (which fills the caller's outputs), reconnecting once when the connection broke, and
    /// turns database errors into kStorage errors that name the store and `what` failed.
    [[nodiscard]] Result<void> Run(std::string_view what, Mode mode, const std::function<Result<void>()>& body);
    [[nodiscard]] Result<void> InTransaction(bool read_only, const std::function<Result<void>()>& body);
    [[nodiscard]] Error StorageError(std::string_view what, const Error& cause) const;
    [[nodiscard]] Result<pg::Rows> Query(std::string_view sql, const std::vector<std::optional<std::string>>& params);
    /// Runs one statement under Run and returns its rows.
    [[nodiscard]] Result<pg::Rows> Fetch(std::string_view what,
                                         Mode mode,
                                         std::string_view sql,
                                         const std::vector<std::optional<std::string>>& params);
    /// As Fetch, for a statement whose rows do not matter.
    [[nodiscard]] Result<void> Exec(std::string_view what,
                                    Mode mode,
                                    std::string_view sql,
                                    const std::vector<std::optional<std::string>>& params);

    pg::Connection conn_;
    std::string where_;  // the DSN without its password, for messages
    int schema_version_ = 0;
    bool commit_in_doubt_ = false;  // the connection broke while COMMIT was in flight
};

}  // namespace optischema::store
