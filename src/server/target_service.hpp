#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "api/auth.hpp"
#include "server/config.hpp"
#include "server/connection_check.hpp"
#include "server/locked_store.hpp"
#include "server/target_worker.hpp"

namespace optischema::server {

/// A target with its live status.
struct TargetView {
    store::TargetRecord record;
    TargetStatus status;
};

/// The targets the server watches: from the config file / command line and from the API. Keeps
/// their DSNs encrypted in the store, runs one TargetWorker each, and answers for them. Thread-safe.
class TargetService {
public:
    TargetService(LockedStore& store,
                  const api::SecretBox& secrets,
                  std::function<Result<std::unique_ptr<store::Store>>()> open_store,
                  WorkerOptions defaults,
                  SnapshotListener listener);
    ~TargetService();

    /// Saves the configured targets (updating DSN and interval of existing ones) and starts a worker
    /// for every target in the store that has a DSN.
    [[nodiscard]] Result<void> Start(const std::vector<TargetConfig>& configured);
    /// Stops every worker.
    void Stop();

    [[nodiscard]] Result<std::vector<TargetView>> List();
    [[nodiscard]] Result<TargetView> Get(std::int64_t id);
    /// Tests the DSN first: when a check fails the target is not saved and the report says why.
    [[nodiscard]] Result<TargetView> Add(const TargetConfig& target, ConnectionReport& report);
    /// Changes name, interval, production flag and (when not empty) the DSN; restarts its worker.
    [[nodiscard]] Result<TargetView> Update(std::int64_t id, const TargetConfig& changes);
    [[nodiscard]] Result<void> Remove(std::int64_t id);
    [[nodiscard]] Result<void> CollectNow(std::int64_t id);
    /// The decrypted DSN of a target, for the services that connect to it (advise, validate, apply).
    [[nodiscard]] Result<std::string> Dsn(std::int64_t id);

private:
    [[nodiscard]] Result<store::TargetRecord> Save(store::TargetRecord record, const std::string& dsn);
    void StartWorker(const store::TargetRecord& record, const std::string& dsn);

    LockedStore& store_;
    const api::SecretBox& secrets_;
    std::function<Result<std::unique_ptr<store::Store>>()> open_store_;
    WorkerOptions defaults_;
    SnapshotListener listener_;
    std::mutex mutex_;
    std::map<std::int64_t, std::unique_ptr<TargetWorker>> workers_;
};

}  // namespace optischema::server
