#include "server/target_service.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "pg/dsn.hpp"

namespace optischema::server {
namespace {

std::string SecretContext(const std::string& name) { return "target:" + name + ":dsn"; }

}  // namespace

TargetService::TargetService(store::StorePool& store,
                             const api::SecretBox& secrets,
                             std::function<Result<std::unique_ptr<store::Store>>()> open_store,
                             WorkerOptions defaults,
                             SnapshotListener listener,
                             store::TargetClaims& claims,
                             RemoteSnapshotListener remote_listener,
                             std::chrono::milliseconds balance_every)
    : store_(store),
      secrets_(secrets),
      open_store_(std::move(open_store)),
      defaults_(defaults),
      listener_(std::move(listener)),
      claims_(claims),
      remote_listener_(std::move(remote_listener)),
      balance_every_(balance_every) {}

TargetService::~TargetService() { Stop(); }

Result<store::TargetRecord> TargetService::Save(store::TargetRecord record, const std::string& dsn) {
    record.dsn_display = pg::RedactDsn(dsn);
    record.dsn_secret = secrets_.Encrypt(dsn, SecretContext(record.name));
    return store_.With([&](store::Store& s) { return s.SaveTarget(record); });
}

void TargetService::StartWorker(const store::TargetRecord& record, const std::string& dsn) {
    WorkerOptions options = defaults_;
    options.interval = std::chrono::seconds(std::max(1, record.interval_s));
    auto worker = std::make_unique<TargetWorker>(record, dsn, open_store_, options, listener_);
    worker->Start();
    {
        std::lock_guard lock(mutex_);
        worker.swap(workers_[record.id]);
    }
    worker.reset();  // one already running (never expected): stopped and joined outside the lock
}

Result<std::string> TargetService::ApiDsn(const std::string& dsn) const {
    if (api_dsns_.trusted) return dsn;
    if (auto ok = pg::CheckUntrustedDsn(dsn, api_dsns_.allowed_keywords, kApiDsnKeywordsSetting); !ok) {
        return tl::unexpected(ok.error());
    }
    return pg::ConfineUntrustedDsn(dsn);
}

Result<std::string> TargetService::Decrypt(const store::TargetRecord& record) const {
    auto dsn = secrets_.Decrypt(record.dsn_secret, SecretContext(record.name));
    if (!dsn) {
        return MakeError(ErrorCode::kStorage,
                         fmt::format("cannot decrypt the DSN of target {}: {} (was the key file replaced? every "
                                     "instance sharing a store needs the same secret_key_file)",
                                     record.name, dsn.error().message));
    }
    // An API target stored before its keywords were checked still never reaches the server's own secrets.
    if (record.source == "api" && !api_dsns_.trusted) return pg::ConfineUntrustedDsn(*dsn);
    return dsn;
}

Result<void> TargetService::Start(const std::vector<TargetConfig>& configured) {
    auto existing = store_.With([](store::Store& s) { return s.ListTargets(); });
    if (!existing) return tl::unexpected(existing.error());
    for (const auto& c : configured) {
        store::TargetRecord record;
        for (const auto& e : *existing) {
            if (e.name == c.name) record = e;
        }
        record.name = c.name;
        record.interval_s = c.interval_s;
        record.production = c.production;
        record.source = "config";
        if (auto saved = Save(record, c.dsn); !saved) return tl::unexpected(saved.error());
    }
    // A DSN that cannot be decrypted is the user's to fix before anything runs.
    auto targets = store_.With([](store::Store& s) { return s.ListTargets(); });
    if (!targets) return tl::unexpected(targets.error());
    for (const auto& t : *targets) {
        if (t.dsn_secret.empty()) continue;
        // Only whether it decrypts: an API target's confinement is checked when its worker starts.
        if (!secrets_.Decrypt(t.dsn_secret, SecretContext(t.name))) return tl::unexpected(Decrypt(t).error());
    }
    if (auto ok = Balance(); !ok) return ok;
    {
        std::lock_guard lock(balance_mutex_);
        stopping_ = false;
    }
    balance_thread_ = std::thread([this] { BalanceLoop(); });
    return {};
}

void TargetService::BalanceLoop() {
    std::unique_lock lock(balance_mutex_);
    while (!balance_wake_.wait_for(lock, balance_every_, [this] { return stopping_; })) {
        lock.unlock();
        if (auto ok = Balance(); !ok) spdlog::warn("balancing the targets between instances: {}", ok.error().message);
        lock.lock();
    }
}

Result<bool> TargetService::ClaimAndStart(const store::TargetRecord& record, std::size_t fair_share) {
    {
        std::lock_guard lock(mutex_);
        if (workers_.contains(record.id)) return true;
        if (workers_.size() >= fair_share) return false;
    }
    auto dsn = Decrypt(record);
    if (!dsn) return tl::unexpected(dsn.error());
    auto claimed = claims_.TryClaim(record.id);
    if (!claimed || !*claimed) return claimed;
    StartWorker(record, *dsn);
    return true;
}

void TargetService::StopWorker(std::int64_t id) {
    std::unique_ptr<TargetWorker> worker;
    {
        std::lock_guard lock(mutex_);
        if (auto it = workers_.find(id); it != workers_.end()) {
            worker = std::move(it->second);
            workers_.erase(it);
        }
    }
    worker.reset();  // stops and joins
}

Result<void> TargetService::Balance() {
    std::lock_guard claims_lock(claims_mutex_);
    auto lost = claims_.Heartbeat();
    if (!lost) {
        // The store is unreachable. When the claims went with it another instance may take over: stop.
        if (claims_.Held().empty()) {
            for (auto id : Running()) StopWorker(id);
        }
        return tl::unexpected(lost.error());
    }
    for (auto id : *lost) {
        spdlog::warn("lost the claim on target {}: stopping its collector", id);
        StopWorker(id);
    }
    auto targets = store_.With([](store::Store& s) { return s.ListTargets(); });
    if (!targets) return tl::unexpected(targets.error());
    std::vector<store::TargetRecord> watched;
    for (auto& t : *targets) {
        if (!t.dsn_secret.empty() && !removing_.contains(t.id)) watched.push_back(std::move(t));
    }
    // Targets removed (here or by another instance).
    for (auto id : Running()) {
        if (std::none_of(watched.begin(), watched.end(), [&](const auto& t) { return t.id == id; })) {
            StopWorker(id);
            if (auto ok = claims_.Release(id); !ok) return ok;
        }
    }
    // Targets edited (here or by another instance): their collectors start again with what is stored,
    // keeping the claim. A new collector resumes from the stored baseline, so nothing is lost.
    for (const auto& t : watched) {
        auto dsn = Decrypt(t);
        if (!dsn) continue;  // reported when claiming
        bool outdated = false;
        {
            std::lock_guard lock(mutex_);
            const auto it = workers_.find(t.id);
            outdated = it != workers_.end() && it->second->Outdated(t, *dsn);
        }
        if (!outdated) continue;
        spdlog::info("target {} ({}) was changed: restarting its collector", t.name, t.id);
        StopWorker(t.id);
        StartWorker(t, *dsn);
    }
    auto live = claims_.LiveInstances();
    if (!live) return tl::unexpected(live.error());
    const std::size_t share = store::FairShare(watched.size(), *live);
    // Above the share (instances joined): give up the newest, so that the newcomers find them.
    std::vector<std::int64_t> held = Running();
    while (held.size() > share) {
        const std::int64_t id = held.back();
        held.pop_back();
        spdlog::info("{} instances share the targets: leaving target {} to another", *live, id);
        StopWorker(id);
        if (auto ok = claims_.Release(id); !ok) return ok;
    }
    for (const auto& t : watched) {
        // One target's trouble (a DSN this instance cannot decrypt) must not keep the others unwatched.
        if (auto started = ClaimAndStart(t, share); !started) {
            spdlog::warn("target {} ({}): {}", t.name, t.id, started.error().message);
        }
    }
    // The snapshots other instances store, so that this one's views and streams follow them too.
    if (!remote_listener_) return {};
    const std::vector<std::int64_t> running = Running();
    for (const auto& t : watched) {
        if (std::find(running.begin(), running.end(), t.id) != running.end()) continue;
        auto latest = store_.With([&](store::Store& s) { return s.ListSnapshots(t.id, 1); });
        if (!latest || latest->empty()) continue;
        const auto& snapshot = latest->front();
        auto [it, first_seen] = remote_last_snapshot_.try_emplace(t.id, snapshot.id);
        if (!first_seen && it->second == snapshot.id) continue;
        it->second = snapshot.id;
        if (!first_seen) remote_listener_(t.id, snapshot);
    }
    return {};
}

std::vector<std::int64_t> TargetService::Running() {
    std::lock_guard lock(mutex_);
    std::vector<std::int64_t> ids;
    for (const auto& [id, w] : workers_) ids.push_back(id);
    return ids;
}

void TargetService::Stop() {
    {
        std::lock_guard lock(balance_mutex_);
        stopping_ = true;
    }
    balance_wake_.notify_all();
    if (balance_thread_.joinable()) balance_thread_.join();
    std::map<std::int64_t, std::unique_ptr<TargetWorker>> workers;
    {
        std::lock_guard lock(mutex_);
        workers.swap(workers_);
    }
    // Stop them all first (each wakes at once), then join as they go out of scope.
    for (auto& [id, w] : workers) w->Stop();
    std::lock_guard claims_lock(claims_mutex_);
    for (const auto& [id, w] : workers) (void)claims_.Release(id);
}

Result<std::vector<TargetView>> TargetService::List() {
    auto targets = store_.With([](store::Store& s) { return s.ListTargets(); });
    if (!targets) return tl::unexpected(targets.error());
    std::vector<TargetView> out;
    std::vector<std::size_t> remote;
    {
        std::lock_guard lock(mutex_);
        for (auto& t : *targets) {
            if (t.dsn_secret.empty()) continue;
            TargetView view{std::move(t), {}};
            if (auto it = workers_.find(view.record.id); it != workers_.end()) {
                view.status = it->second->Status();
            } else {
                remote.push_back(out.size());
            }
            out.push_back(std::move(view));
        }
    }
    // Collected by another instance of the fleet: what the store says of it.
    for (auto i : remote) {
        TargetStatus& status = out[i].status;
        status.state = TargetState::kRemote;
        auto latest = store_.With([&](store::Store& s) { return s.ListSnapshots(out[i].record.id, 1); });
        if (latest && !latest->empty()) status.last_snapshot_at = latest->front().info.taken_at;
    }
    return out;
}

Result<TargetView> TargetService::Get(std::int64_t id) {
    auto all = List();
    if (!all) return tl::unexpected(all.error());
    for (auto& v : *all) {
        if (v.record.id == id) return std::move(v);
    }
    return MakeError(ErrorCode::kNotFound, fmt::format("no target {}", id));
}

Result<TargetView> TargetService::Add(const TargetConfig& target, ConnectionReport& report) {
    if (target.name.empty()) return MakeError(ErrorCode::kInvalidArgument, "a target needs a name");
    if (auto ok = pg::ValidateDsn(target.dsn); !ok) return tl::unexpected(ok.error());
    auto confined = ApiDsn(target.dsn);
    if (!confined) return tl::unexpected(confined.error());
    report = TestConnection(*confined);
    if (!report.ok) {
        return MakeError(
            ErrorCode::kPrerequisiteMissing,
            fmt::format("{} cannot be watched yet: fix the failed checks and test again", pg::RedactDsn(target.dsn)));
    }
    store::TargetRecord record;
    record.name = target.name;
    record.interval_s = target.interval_s;
    record.production = target.production;
    record.source = "api";
    auto saved = Save(record, target.dsn);
    if (!saved) return tl::unexpected(saved.error());
    // Collected here, or by another instance when this one has its share already.
    if (auto ok = Balance(); !ok) spdlog::warn("balancing after adding {}: {}", target.name, ok.error().message);
    return Get(saved->id);
}

Result<TargetView> TargetService::Update(std::int64_t id, const TargetConfig& changes) {
    auto current = Get(id);
    if (!current) return tl::unexpected(current.error());
    store::TargetRecord record = current->record;
    Result<std::string> dsn = changes.dsn;
    if (changes.dsn.empty()) {
        dsn = secrets_.Decrypt(record.dsn_secret, SecretContext(record.name));  // as stored, not confined
    } else {
        if (auto ok = pg::ValidateDsn(changes.dsn); !ok) return tl::unexpected(ok.error());
        if (auto ok = ApiDsn(changes.dsn); !ok) return tl::unexpected(ok.error());
        record.source = "api";  // a DSN from the API, even for a target of the config file (until it restarts)
    }
    if (!dsn) return tl::unexpected(dsn.error());
    if (!changes.name.empty()) record.name = changes.name;
    record.interval_s = changes.interval_s;
    record.production = changes.production;
    auto saved = Save(record, *dsn);
    if (!saved) return tl::unexpected(saved.error());
    // Its collector, here or on another instance, restarts with the new settings at that one's next balance.
    if (auto ok = Balance(); !ok) spdlog::warn("balancing after changing {}: {}", record.name, ok.error().message);
    return Get(id);
}

Result<void> TargetService::Remove(std::int64_t id) {
    // Balance leaves a target being removed alone, so the slow part (joining its collector, deleting a
    // long history) runs without claims_mutex_ and this instance's heartbeats go on meanwhile.
    {
        std::lock_guard claims_lock(claims_mutex_);
        removing_.insert(id);
    }
    StopWorker(id);  // stops and joins before its history goes
    Result<void> removed = [&] {
        std::lock_guard claims_lock(claims_mutex_);
        return claims_.Release(id);
    }();
    if (removed) removed = store_.With([&](store::Store& s) { return s.DeleteTarget(id); });
    // A balance that listed the target before it was deleted has finished (it holds claims_mutex_).
    std::lock_guard claims_lock(claims_mutex_);
    removing_.erase(id);
    return removed;
}

Result<void> TargetService::CollectNow(std::int64_t id) {
    std::lock_guard lock(mutex_);
    auto it = workers_.find(id);
    if (it == workers_.end()) {
        if (auto known = Dsn(id); !known) return tl::unexpected(known.error());
        return MakeError(ErrorCode::kPrerequisiteMissing,
                         fmt::format("target {} is collected by another instance sharing the store: ask that one, or "
                                     "wait for its next interval",
                                     id));
    }
    it->second->CollectNow();
    return {};
}

Result<std::string> TargetService::Dsn(std::int64_t id) {
    auto targets = store_.With([](store::Store& s) { return s.ListTargets(); });
    if (!targets) return tl::unexpected(targets.error());
    for (const auto& t : *targets) {
        if (t.id == id && !t.dsn_secret.empty()) return Decrypt(t);
    }
    return MakeError(ErrorCode::kNotFound, fmt::format("no target {}", id));
}

}  // namespace optischema::server
