#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "api/auth.hpp"
#include "server/config.hpp"
#include "server/connection_check.hpp"
#include "server/target_worker.hpp"
#include "store/store_pool.hpp"
#include "store/target_claims.hpp"

namespace optischema::server {

/// A target with its live status.
struct TargetView {
    store::TargetRecord record;
    TargetStatus status;  // kRemote when another instance of a fleet collects it
};

/// Called when another instance stored a new snapshot of a target this one does not collect.
using RemoteSnapshotListener = std::function<void(std::int64_t target_id, const store::SnapshotRecord& snapshot)>;

/// The targets the server watches: from the config file / command line and from the API. Keeps
/// their DSNs encrypted in the store and runs one TargetWorker for each target it holds a claim on:
/// all of them with one instance; its fair share in a fleet sharing a PostgreSQL store, rebalanced
/// every `balance_every` as instances come and go (store/target_claims.hpp). Thread-safe.
class TargetService {
public:
    /// `claims` must outlive the service.
    TargetService(store::StorePool& store,
                  const api::SecretBox& secrets,
                  std::function<Result<std::unique_ptr<store::Store>>()> open_store,
                  WorkerOptions defaults,
                  SnapshotListener listener,
                  store::TargetClaims& claims,
                  RemoteSnapshotListener remote_listener = {},
                  std::chrono::milliseconds balance_every = std::chrono::seconds(5));
    ~TargetService();

    /// How DSNs from the API are used (call before Start; default: keywords that reach the server's own
    /// files refused, the rest kept from its .pgpass, service, client certificate and PGPASSWORD).
    void SetApiDsnPolicy(ApiDsnPolicy policy) { api_dsns_ = std::move(policy); }
    /// A DSN given through the API as it may be connected with: an error naming a refused keyword, else
    /// the DSN confined (pg::ConfineUntrustedDsn) unless the policy trusts API DSNs.
    [[nodiscard]] Result<std::string> ApiDsn(const std::string& dsn) const;

    /// Saves the configured targets (updating DSN and interval of existing ones), claims its share of
    /// the targets in the store, starts their workers, and the balancing thread.
    [[nodiscard]] Result<void> Start(const std::vector<TargetConfig>& configured);
    /// Stops every worker and releases the claims.
    void Stop();
    /// One balancing pass (the thread runs it every `balance_every`): heartbeat, stop the workers of lost
    /// claims, follow targets other instances added or removed, claim up to the fair share, release
    /// what is above it, and report other instances' new snapshots.
    [[nodiscard]] Result<void> Balance();

    [[nodiscard]] Result<std::vector<TargetView>> List();
    [[nodiscard]] Result<TargetView> Get(std::int64_t id);
    /// Tests the DSN first: when a check fails the target is not saved and the report says why.
    [[nodiscard]] Result<TargetView> Add(const TargetConfig& target, ConnectionReport& report);
    /// Changes name, interval, production flag and (when not empty) the DSN, which makes it an API
    /// target (ApiDsn); restarts its worker.
    [[nodiscard]] Result<TargetView> Update(std::int64_t id, const TargetConfig& changes);
    [[nodiscard]] Result<void> Remove(std::int64_t id);
    [[nodiscard]] Result<void> CollectNow(std::int64_t id);
    /// The decrypted DSN of a target, for the services that connect to it (advise, validate, apply):
    /// confined when the target came from the API.
    [[nodiscard]] Result<std::string> Dsn(std::int64_t id);

private:
    [[nodiscard]] Result<store::TargetRecord> Save(store::TargetRecord record, const std::string& dsn);
    [[nodiscard]] Result<std::string> Decrypt(const store::TargetRecord& record) const;
    void StartWorker(const store::TargetRecord& record, const std::string& dsn);
    /// Claims the target and starts its worker when this instance is below its fair share.
    [[nodiscard]] Result<bool> ClaimAndStart(const store::TargetRecord& record, std::size_t fair_share);
    /// Stops the target's worker (outside the lock: a stopping worker may call back into the service).
    void StopWorker(std::int64_t id);
    /// The targets this instance collects.
    [[nodiscard]] std::vector<std::int64_t> Running();
    void BalanceLoop();

    store::StorePool& store_;
    const api::SecretBox& secrets_;
    std::function<Result<std::unique_ptr<store::Store>>()> open_store_;
    WorkerOptions defaults_;
    SnapshotListener listener_;
    store::TargetClaims& claims_;
    RemoteSnapshotListener remote_listener_;
    std::chrono::milliseconds balance_every_;
    ApiDsnPolicy api_dsns_;

    std::mutex claims_mutex_;          // claims_ is thread-compatible; taken before mutex_ when both are needed
    std::set<std::int64_t> removing_;  // targets Remove is deleting, left alone by Balance; under claims_mutex_
    std::mutex mutex_;
    std::map<std::int64_t, std::unique_ptr<TargetWorker>> workers_;
    std::map<std::int64_t, std::int64_t> remote_last_snapshot_;  // target -> the latest snapshot id seen

    std::mutex balance_mutex_;
    std::condition_variable balance_wake_;
    bool stopping_ = false;
    std::thread balance_thread_;
};

}  // namespace optischema::server
