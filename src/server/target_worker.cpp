#include "server/target_worker.hpp"

#include <algorithm>

#include <malloc.h>
#include <spdlog/spdlog.h>

#include "pg/connection.hpp"

namespace optischema::server {

const char* TargetStateName(TargetState state) {
    switch (state) {
        case TargetState::kStarting:
            return "starting";
        case TargetState::kUp:
            return "up";
        case TargetState::kDown:
            return "down";
        case TargetState::kRemote:
            return "remote";
    }
    return "starting";
}
namespace {

// A collection allocates and frees its whole snapshot (tens of MB at 5,000 statements). glibc keeps
// freed pages inside its arenas; handing them back after each cycle keeps the server's resident size
// at what it holds, not at its peak: 10 targets of 5,000 statements, 129 -> 69 MB between collections,
// for about 4 ms per cycle (bench/api/run.sh).
void ReturnFreedMemory() {
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}

using SteadyClock = std::chrono::steady_clock;

double MsSince(SteadyClock::time_point start) {
    return std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count();
}

}  // namespace

store::LatencySample MeasureLatency(std::int64_t target_id, const std::string& dsn) {
    store::LatencySample sample;
    sample.target_id = target_id;
    sample.at = std::chrono::system_clock::now();
    const auto start = SteadyClock::now();
    auto conn = pg::Connection::Open(dsn);
    if (!conn) {
        sample.error = conn.error().message;
        return sample;
    }
    sample.connect_ms = MsSince(start);
    std::vector<double> rtt;
    for (int i = 0; i < 10; ++i) {
        const auto t = SteadyClock::now();
        if (auto ok = conn->Query("SELECT 1"); !ok) {
            sample.error = ok.error().message;
            return sample;
        }
        rtt.push_back(MsSince(t));
    }
    std::sort(rtt.begin(), rtt.end());
    sample.p50_ms = (rtt[4] + rtt[5]) / 2;
    sample.p95_ms = rtt[9];
    return sample;
}

TargetWorker::TargetWorker(store::TargetRecord target,
                           std::string dsn,
                           std::function<Result<std::unique_ptr<store::Store>>()> open_store,
                           WorkerOptions options,
                           SnapshotListener listener)
    : target_(std::move(target)),
      dsn_(std::move(dsn)),
      open_store_(std::move(open_store)),
      options_(options),
      listener_(std::move(listener)) {}

TargetWorker::~TargetWorker() { Stop(); }

void TargetWorker::Start() {
    thread_ = std::thread([this] { Run(); });
}

void TargetWorker::Stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void TargetWorker::CollectNow() {
    {
        std::lock_guard lock(mutex_);
        collect_now_ = true;
    }
    wake_.notify_all();
}

TargetStatus TargetWorker::Status() const {
    std::lock_guard lock(mutex_);
    return status_;
}

bool TargetWorker::SleepUntil(SteadyClock::time_point deadline) {
    std::unique_lock lock(mutex_);
    wake_.wait_until(lock, deadline, [&] { return stopping_ || collect_now_; });
    collect_now_ = false;
    return !stopping_;
}

void TargetWorker::MarkDown(const std::string& error) {
    std::lock_guard lock(mutex_);
    if (status_.state != TargetState::kDown) status_.down_since = std::chrono::system_clock::now();
    status_.state = TargetState::kDown;
    status_.error = error;
}

void TargetWorker::ProbeLatency(store::Store& store) {
    store::LatencySample sample = MeasureLatency(target_.id, dsn_);
    if (auto ok = store.AppendLatency(sample); !ok) spdlog::warn("target {}: {}", target_.name, ok.error().message);
    std::lock_guard lock(mutex_);
    status_.latency = std::move(sample);
}

void TargetWorker::Prune(store::Store& store) {
    if (!options_.keep_snapshots && !options_.keep_rollups) return;
    const TimePoint now = std::chrono::system_clock::now();
    auto before = [&](const std::optional<std::chrono::hours>& keep) -> std::optional<TimePoint> {
        if (!keep) return std::nullopt;
        return now - *keep;
    };
    // Between batches, a stop wins: a first prune of a long history must not hold up a shutdown.
    auto keep_going = [this] {
        std::lock_guard lock(mutex_);
        return !stopping_;
    };
    auto pruned =
        store.PruneHistory(target_.id, before(options_.keep_snapshots), before(options_.keep_rollups), keep_going);
    if (!pruned) {
        spdlog::warn("target {}: pruning history past its retention: {}", target_.name, pruned.error().message);
        return;
    }
    if (pruned->snapshots + pruned->rollup_rows + pruned->latency_samples > 0) {
        spdlog::info("target {}: pruned {} snapshots, {} hourly rollup rows and {} latency samples past retention",
                     target_.name, pruned->snapshots, pruned->rollup_rows, pruned->latency_samples);
    }
}

void TargetWorker::Run() {
    // The store may be down too (a shared PostgreSQL store): wait for it like for the target.
    auto store = open_store_();
    for (auto wait = options_.first_backoff; !store; wait = std::min(wait * 2, options_.max_backoff)) {
        MarkDown("cannot open the store: " + store.error().message);
        spdlog::warn("target {}: cannot open the store: {}; retrying in {} s", target_.name, store.error().message,
                     wait.count());
        if (!SleepUntil(SteadyClock::now() + wait)) return;
        store = open_store_();
    }
    service::MonitorOptions monitor_options;
    monitor_options.resume = true;  // the first delta after (re)connecting is against the stored baseline
    monitor_options.target_name = target_.name;
    monitor_options.target_id = target_.id;  // never re-creates a target renamed or removed meanwhile
    std::unique_ptr<service::WorkloadMonitor> monitor;
    auto backoff = options_.first_backoff;
    auto next_probe = SteadyClock::now();
    auto next_prune = SteadyClock::now();
    for (;;) {
        const auto cycle_start = SteadyClock::now();
        if (cycle_start >= next_probe) {
            ProbeLatency(**store);
            next_probe = cycle_start + options_.latency_every;
        }
        {
            std::lock_guard lock(mutex_);
            status_.last_attempt_at = std::chrono::system_clock::now();
        }
        Result<void> outcome;
        if (!monitor) {
            auto opened = service::WorkloadMonitor::Open(dsn_, **store, monitor_options);
            if (opened) {
                monitor = std::move(*opened);
            } else {
                outcome = tl::unexpected(opened.error());
            }
        }
        if (monitor) {
            auto cycle = monitor->CollectOnce();
            if (cycle) {
                {
                    std::lock_guard lock(mutex_);
                    status_.state = TargetState::kUp;
                    status_.error.clear();
                    status_.down_since.reset();
                    status_.last_snapshot_at = cycle->collection.info.taken_at;
                    ++status_.snapshots;
                }
                backoff = options_.first_backoff;
                if (listener_) listener_(target_.id, *cycle);
                ReturnFreedMemory();
            } else if (cycle.error().code == ErrorCode::kConflict) {
                // Another instance stored a snapshot since ours: start again from its baseline, so that
                // nothing is counted twice. Not an outage.
                spdlog::info("target {}: {}", target_.name, cycle.error().message);
                monitor.reset();
            } else {
                outcome = tl::unexpected(cycle.error());
                // Reconnecting from scratch later also re-reads capabilities (an upgraded server).
                monitor.reset();
            }
        }
        // After the collection, so that a target's latest snapshot, which pruning keeps, is the new one.
        if (cycle_start >= next_prune) {
            Prune(**store);
            next_prune = cycle_start + options_.prune_every;
        }
        auto deadline = cycle_start + options_.interval;
        if (!outcome) {
            // Retry sooner than the interval at first, then back off, never longer than the cap.
            const auto delay = std::min(backoff, std::max(options_.interval, options_.max_backoff));
            MarkDown(outcome.error().message);
            spdlog::warn("target {} is down: {}; retrying in {} s", target_.name, outcome.error().message,
                         delay.count());
            deadline = SteadyClock::now() + delay;
            backoff = std::min(backoff * 2, std::max(options_.interval, options_.max_backoff));
        }
        if (!SleepUntil(deadline)) return;
    }
}

}  // namespace optischema::server
