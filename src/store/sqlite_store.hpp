#pragma once

#include <memory>
#include <string>

#include "store/store.hpp"

struct sqlite3;

namespace optischema::store {

/// The embedded default store: one SQLite file in the data directory, WAL journal, numbered
/// migrations applied on open. A killed process loses at most the transaction in flight.
class SqliteStore final : public Store {
public:
    /// Opens (creating the directory and file if needed) `data_dir`/optischema.db and migrates it.
    [[nodiscard]] static Result<std::unique_ptr<SqliteStore>> Open(const std::string& data_dir);
    ~SqliteStore() override;

    /// The schema version after migration.
    [[nodiscard]] int SchemaVersion() const;

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
    explicit SqliteStore(sqlite3* db, std::string path);
    [[nodiscard]] Result<void> Migrate();
    [[nodiscard]] Result<void> Exec(const char* sql);
    [[nodiscard]] sqlite3* db() const { return db_.get(); }

    struct Closer {
        void operator()(sqlite3* db) const;
    };
    std::unique_ptr<sqlite3, Closer> db_;
    std::string path_;
};

}  // namespace optischema::store
