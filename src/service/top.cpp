#include "service/top.hpp"

#include <chrono>
#include <thread>

#include "collector/ranking.hpp"
#include "service/workload_monitor.hpp"

namespace optischema::service {

Result<TopReport> Top(const TargetRef& target, store::Store& store, const TopRequest& request) {
    MonitorOptions monitor_options;
    monitor_options.scope =
        request.all_databases ? collector::DatabaseScope::kAllDatabases : collector::DatabaseScope::kCurrentDatabase;
    monitor_options.own_statements_only = request.own_statements_only;
    monitor_options.target_name = target.name;
    auto monitor = WorkloadMonitor::Open(target.dsn, store, monitor_options);
    if (!monitor) return tl::unexpected(monitor.error());

    auto cycle = (*monitor)->CollectOnce();
    if (!cycle) return tl::unexpected(cycle.error());
    TopReport report;
    if (request.interval_s > 0) {
        std::this_thread::sleep_for(std::chrono::duration<double>(request.interval_s));
        cycle = (*monitor)->CollectOnce();
        if (!cycle) return tl::unexpected(cycle.error());
        report.interval_s = request.interval_s;
    }
    report.server_version = (*monitor)->capabilities().server_version;
    report.target = (*monitor)->target().name;
    collector::RankingOptions ranking{.coverage = 1.0, .max_groups = request.limit, .min_groups = request.limit};
    report.ranking = collector::Rank(cycle->Window(), (*monitor)->catalog(), ranking);
    return report;
}

}  // namespace optischema::service
