#include "server/target_service.hpp"

#include <fmt/format.h>

#include "pg/dsn.hpp"

namespace optischema::server {
namespace {

std::string SecretContext(const std::string& name) { return "target:" + name + ":dsn"; }

}  // namespace

TargetService::TargetService(LockedStore& store,
                             const api::SecretBox& secrets,
                             std::function<Result<std::unique_ptr<store::Store>>()> open_store,
                             WorkerOptions defaults,
                             SnapshotListener listener)
    : store_(store),
      secrets_(secrets),
      open_store_(std::move(open_store)),
      defaults_(defaults),
      listener_(std::move(listener)) {}

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
    std::lock_guard lock(mutex_);
    workers_[record.id] = std::move(worker);
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
    auto targets = store_.With([](store::Store& s) { return s.ListTargets(); });
    if (!targets) return tl::unexpected(targets.error());
    for (const auto& t : *targets) {
        if (t.dsn_secret.empty()) continue;  // seen by the CLI only: the server has no DSN for it
        auto dsn = secrets_.Decrypt(t.dsn_secret, SecretContext(t.name));
        if (!dsn) {
            return MakeError(ErrorCode::kStorage,
                             fmt::format("cannot decrypt the DSN of target {}: {} (was the key file replaced?)", t.name,
                                         dsn.error().message));
        }
        StartWorker(t, *dsn);
    }
    return {};
}

void TargetService::Stop() {
    std::map<std::int64_t, std::unique_ptr<TargetWorker>> workers;
    {
        std::lock_guard lock(mutex_);
        workers.swap(workers_);
    }
    // Stop them all first (each wakes at once), then join as they go out of scope.
    for (auto& [id, w] : workers) w->Stop();
}

Result<std::vector<TargetView>> TargetService::List() {
    auto targets = store_.With([](store::Store& s) { return s.ListTargets(); });
    if (!targets) return tl::unexpected(targets.error());
    std::vector<TargetView> out;
    std::lock_guard lock(mutex_);
    for (auto& t : *targets) {
        if (t.dsn_secret.empty()) continue;
        TargetView view{std::move(t), {}};
        if (auto it = workers_.find(view.record.id); it != workers_.end()) view.status = it->second->Status();
        out.push_back(std::move(view));
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
    report = TestConnection(target.dsn);
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
    StartWorker(*saved, target.dsn);
    return Get(saved->id);
}

Result<TargetView> TargetService::Update(std::int64_t id, const TargetConfig& changes) {
    auto current = Get(id);
    if (!current) return tl::unexpected(current.error());
    auto dsn = changes.dsn.empty() ? Dsn(id) : Result<std::string>(changes.dsn);
    if (!dsn) return tl::unexpected(dsn.error());
    if (auto ok = pg::ValidateDsn(*dsn); !ok) return tl::unexpected(ok.error());
    store::TargetRecord record = current->record;
    if (!changes.name.empty()) record.name = changes.name;
    record.interval_s = changes.interval_s;
    record.production = changes.production;
    {
        std::unique_ptr<TargetWorker> old;
        {
            std::lock_guard lock(mutex_);
            if (auto it = workers_.find(id); it != workers_.end()) {
                old = std::move(it->second);
                workers_.erase(it);
            }
        }
    }
    auto saved = Save(record, *dsn);
    if (!saved) return tl::unexpected(saved.error());
    StartWorker(*saved, *dsn);
    return Get(id);
}

Result<void> TargetService::Remove(std::int64_t id) {
    std::unique_ptr<TargetWorker> worker;
    {
        std::lock_guard lock(mutex_);
        if (auto it = workers_.find(id); it != workers_.end()) {
            worker = std::move(it->second);
            workers_.erase(it);
        }
    }
    worker.reset();  // stops and joins before its history goes
    return store_.With([&](store::Store& s) { return s.DeleteTarget(id); });
}

Result<void> TargetService::CollectNow(std::int64_t id) {
    std::lock_guard lock(mutex_);
    auto it = workers_.find(id);
    if (it == workers_.end()) return MakeError(ErrorCode::kNotFound, fmt::format("no target {}", id));
    it->second->CollectNow();
    return {};
}

Result<std::string> TargetService::Dsn(std::int64_t id) {
    auto targets = store_.With([](store::Store& s) { return s.ListTargets(); });
    if (!targets) return tl::unexpected(targets.error());
    for (const auto& t : *targets) {
        if (t.id == id && !t.dsn_secret.empty()) return secrets_.Decrypt(t.dsn_secret, SecretContext(t.name));
    }
    return MakeError(ErrorCode::kNotFound, fmt::format("no target {}", id));
}

}  // namespace optischema::server
