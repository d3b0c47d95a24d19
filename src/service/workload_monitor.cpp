#include "service/workload_monitor.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "pg/dsn.hpp"

namespace optischema::service {
namespace {

Result<store::TargetRecord> StoredTarget(store::Store& store, std::int64_t id) {
    auto targets = store.ListTargets();
    if (!targets) return tl::unexpected(targets.error());
    for (auto& t : *targets) {
        if (t.id == id) return std::move(t);
    }
    return MakeError(ErrorCode::kNotFound, fmt::format("target {} is no longer in the store (removed)", id));
}

}  // namespace

WorkloadMonitor::WorkloadMonitor(pg::Connection conn,
                                 pg::Capabilities caps,
                                 store::Store& store,
                                 store::TargetRecord target,
                                 const MonitorOptions& options)
    : conn_(std::move(conn)),
      caps_(std::move(caps)),
      store_(store),
      target_(std::move(target)),
      options_(options),
      source_(conn_, caps_, options.scope),
      collector_(source_, catalog_) {}

Result<std::unique_ptr<WorkloadMonitor>> WorkloadMonitor::Open(const std::string& dsn,
                                                               store::Store& store,
                                                               const MonitorOptions& options) {
    auto conn = pg::Connection::Open(dsn);
    if (!conn) return tl::unexpected(conn.error());
    auto caps = pg::DetectCapabilities(*conn);
    if (!caps) return tl::unexpected(caps.error());
    if (auto ok = caps->RequireStatStatements(); !ok) return tl::unexpected(ok.error());
    if (!options.own_statements_only) {
        if (auto ok = caps->RequireReadAllStats(); !ok) return tl::unexpected(ok.error());
    }
    const std::string display = pg::RedactDsn(dsn);
    auto target = options.target_id
                      ? StoredTarget(store, *options.target_id)
                      : store.EnsureTarget(options.target_name.empty() ? display : options.target_name, display);
    if (!target) return tl::unexpected(target.error());

    std::unique_ptr<WorkloadMonitor> monitor(
        new WorkloadMonitor(std::move(*conn), std::move(*caps), store, std::move(*target), options));
    auto known = store.LoadQueries(monitor->target_.id);
    if (!known) return tl::unexpected(known.error());
    for (auto& [queryid, text] : *known) monitor->catalog_.Put(queryid, std::move(text));
    spdlog::debug("target {}: {} known query texts", display, monitor->catalog_.size());
    if (options.resume) {
        auto baseline = store.LoadBaseline(monitor->target_.id);
        if (!baseline) return tl::unexpected(baseline.error());
        if (*baseline) monitor->collector_.Resume(std::move(**baseline));
    }
    return monitor;
}

Result<Cycle> WorkloadMonitor::CollectOnce() {
    std::optional<TimePoint> previous;
    if (collector_.baseline()) previous = collector_.baseline()->info.taken_at;
    auto collection = collector_.Collect();
    if (!collection && conn_.IsBroken()) {
        // The server restarted or our backend was terminated: reconnect once and try again. The
        // collector kept its baseline, so the delta still covers the whole interval.
        spdlog::warn("lost the connection to {} ({}); reconnecting", target_.name, collection.error().message);
        if (auto ok = conn_.Reconnect(); !ok) return tl::unexpected(ok.error());
        collection = collector_.Collect();
    }
    if (!collection) return tl::unexpected(collection.error());

    Cycle cycle;
    cycle.collection = std::move(*collection);
    store::SnapshotWrite write;
    write.snapshot.target_id = target_.id;
    write.snapshot.info = cycle.collection.info;
    write.snapshot.full_reset = cycle.collection.report.full_reset;
    if (cycle.collection.deltas && previous) {
        write.snapshot.interval_ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(cycle.collection.info.taken_at - *previous).count();
    }
    write.ranking = collector::Rank(cycle.Window(), catalog_, options_.storage_ranking);
    for (std::int64_t queryid : cycle.collection.new_queryids)
        write.new_queries.emplace_back(queryid, *catalog_.Find(queryid));
    write.baseline = collector_.baseline() ? &*collector_.baseline() : nullptr;
    if (write.snapshot.interval_ms) write.delta_from = previous;
    auto id = store_.SaveSnapshot(write);
    if (!id) return tl::unexpected(id.error());
    cycle.snapshot_id = *id;
    cycle.ranking = std::move(write.ranking);
    return cycle;
}

}  // namespace optischema::service
