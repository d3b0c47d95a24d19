#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "service/workload_monitor.hpp"
#include "store/store.hpp"

namespace optischema::server {

/// Where a target's collection stands.
enum class TargetState {
    kStarting,  // no collection has succeeded or failed yet
    kUp,
    kDown,    // the last attempt failed: TargetStatus::error says why
    kRemote,  // another instance of the fleet collects it
};
/// "starting", "up", "down" or "remote", as the API shows it.
[[nodiscard]] const char* TargetStateName(TargetState state);

/// What the dashboard shows about a target's collection.
struct TargetStatus {
    TargetState state = TargetState::kStarting;
    std::string error;  // why it is down, with what to do
    std::optional<TimePoint> last_snapshot_at;
    std::optional<TimePoint> last_attempt_at;
    std::optional<TimePoint> down_since;
    std::int64_t snapshots = 0;                   // taken by this worker since it started
    std::optional<store::LatencySample> latency;  // the latest probe
};

/// Called on the worker's thread after each saved snapshot.
using SnapshotListener = std::function<void(std::int64_t target_id, const service::Cycle& cycle)>;

struct WorkerOptions {
    std::chrono::seconds interval{60};
    std::chrono::seconds latency_every{60};
    std::chrono::seconds max_backoff{30};  // retries of a down target wait at most this (or the interval)
    std::chrono::seconds first_backoff{1};
    // Retention (store::Store::PruneHistory), applied every `prune_every`; none: kept forever.
    std::optional<std::chrono::hours> keep_snapshots;  // snapshots and latency samples
    std::optional<std::chrono::hours> keep_rollups;    // hourly rollups
    std::chrono::minutes prune_every{60};
};

/// Collects one target on a thread of its own: every interval a snapshot into its own store; when the
/// target is unreachable, retries with exponential backoff, shows it as down, and on its return
/// resumes from the stored baseline, so the first delta covers the whole gap and nothing is counted
/// twice. Also measures connection latency on its own schedule, and prunes the target's history past
/// its retention (the instance that collects a target prunes it).
class TargetWorker {
public:
    /// `dsn` holds the password; it is never logged. `open_store` gives the thread its own store.
    TargetWorker(store::TargetRecord target,
                 std::string dsn,
                 std::function<Result<std::unique_ptr<store::Store>>()> open_store,
                 WorkerOptions options,
                 SnapshotListener listener);
    /// Stops the thread.
    ~TargetWorker();
    TargetWorker(const TargetWorker&) = delete;
    TargetWorker& operator=(const TargetWorker&) = delete;

    void Start();
    /// Wakes the thread and joins it; an in-flight collection finishes first.
    void Stop();
    /// Collect now instead of at the end of the interval.
    void CollectNow();
    [[nodiscard]] TargetStatus Status() const;
    [[nodiscard]] std::int64_t target_id() const { return target_.id; }
    /// True when `record` (as stored now) with `dsn` would collect differently: renamed, another interval or DSN.
    [[nodiscard]] bool Outdated(const store::TargetRecord& record, const std::string& dsn) const {
        return record.name != target_.name || record.interval_s != target_.interval_s || dsn != dsn_;
    }

private:
    void Run();
    /// Sleeps until `deadline`, a stop or CollectNow; false when stopping.
    bool SleepUntil(std::chrono::steady_clock::time_point deadline);
    void ProbeLatency(store::Store& store);
    /// Deletes this target's history past its retention.
    void Prune(store::Store& store);
    void MarkDown(const std::string& error);

    store::TargetRecord target_;
    std::string dsn_;
    std::function<Result<std::unique_ptr<store::Store>>()> open_store_;
    WorkerOptions options_;
    SnapshotListener listener_;

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    bool collect_now_ = false;
    TargetStatus status_;
    std::thread thread_;
};

/// Measures connect time and the p50/p95 of 10 `SELECT 1` round trips on a fresh connection.
[[nodiscard]] store::LatencySample MeasureLatency(std::int64_t target_id, const std::string& dsn);

}  // namespace optischema::server
