#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "pg/connection.hpp"
#include "store/target_claims.hpp"

namespace optischema::store {

/// Target claims of a fleet sharing a PostgreSQL store. A claim is a session-level advisory lock
/// pg_try_advisory_lock(kLockClass, target_id) held by this object's own connection to the store
/// database (pg_locks shows it as locktype 'advisory', classid kLockClass, objid the target id), so a
/// claim ends when that session ends, whatever happened to the process. Heartbeats go to the table
/// optischema.instances, stamped with the database's clock so that hosts' clocks need not agree.
/// The DSN must reach the server directly or through session pooling (not transaction pooling).
class PgClaims final : public TargetClaims {
public:
    /// The first key of every claim lock ("OPTC").
    static constexpr std::int32_t kLockClass = 0x4F505443;
    /// The claims session's application_name is this and the instance id.
    static constexpr std::string_view kSessionPrefix = "optischema claims ";

    /// Connects to the store database (already migrated by PgStore::Open) and records this instance.
    /// A peer is live while its last heartbeat is within 3 × `heartbeat_interval`.
    [[nodiscard]] static Result<std::unique_ptr<PgClaims>> Open(const std::string& dsn,
                                                                std::chrono::milliseconds heartbeat_interval);
    /// Removes this instance's row; its claims end with its session.
    ~PgClaims() override;

    [[nodiscard]] const InstanceInfo& Instance() const override { return instance_; }
    /// Target ids must fit in 32 bits (the advisory lock's second key); others are refused.
    [[nodiscard]] Result<bool> TryClaim(std::int64_t target_id) override;
    [[nodiscard]] Result<void> Release(std::int64_t target_id) override;
    /// Also reconnects a broken session: every claim it held is then reported lost. And fences hung peers:
    /// the claims session of an instance silent long enough to be forgotten is ended, freeing its claims.
    [[nodiscard]] Result<std::vector<std::int64_t>> Heartbeat() override;
    [[nodiscard]] Result<int> LiveInstances() override;
    [[nodiscard]] std::vector<std::int64_t> Held() const override { return {held_.begin(), held_.end()}; }

    /// The server process of the claims session (pg_backend_pid()), for diagnostics.
    [[nodiscard]] int SessionPid() const { return conn_.BackendPid(); }

private:
    PgClaims(pg::Connection conn, std::string where, std::chrono::milliseconds heartbeat_interval);
    /// Runs one statement; when the session broke, reconnects (its claims are then lost) and runs it again.
    [[nodiscard]] Result<pg::Rows> Call(std::string_view what,
                                        std::string_view sql,
                                        const std::vector<std::optional<std::string>>& params);
    [[nodiscard]] Result<void> ApplySessionSettings();
    /// Ends the claims sessions of instances no longer in optischema.instances; see Heartbeat.
    [[nodiscard]] Result<void> FenceHungPeers();
    void LoseSession();

    pg::Connection conn_;
    std::string where_;  // the DSN without its password
    InstanceInfo instance_;
    std::chrono::milliseconds heartbeat_interval_;
    std::int64_t started_at_ms_;
    std::set<std::int64_t> held_;
    std::set<std::int64_t> lost_;  // lost since the last heartbeat
};

}  // namespace optischema::store
