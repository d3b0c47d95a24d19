#include "app/top_command.hpp"

#include <chrono>
#include <thread>

#include "app/app_store.hpp"
#include "app/top_report.hpp"
#include "app/workload_monitor.hpp"
#include "pg/dsn.hpp"

namespace optischema::app {

Result<std::string> RunTop(const TopOptions& options) {
    if (auto ok = pg::ValidateDsn(options.dsn); !ok) return tl::unexpected(ok.error());
    auto store = OpenAppStore(options.data_dir, options.store_dsn);
    if (!store) return tl::unexpected(store.error());
    MonitorOptions monitor_options;
    monitor_options.scope =
        options.all_databases ? collector::DatabaseScope::kAllDatabases : collector::DatabaseScope::kCurrentDatabase;
    monitor_options.own_statements_only = options.own_statements_only;
    auto monitor = WorkloadMonitor::Open(options.dsn, **store, monitor_options);
    if (!monitor) return tl::unexpected(monitor.error());

    auto cycle = (*monitor)->CollectOnce();
    if (!cycle) return tl::unexpected(cycle.error());
    TopReport report;
    if (options.interval_s > 0) {
        std::this_thread::sleep_for(std::chrono::duration<double>(options.interval_s));
        cycle = (*monitor)->CollectOnce();
        if (!cycle) return tl::unexpected(cycle.error());
        report.interval_s = options.interval_s;
    }
    report.server_version = (*monitor)->capabilities().server_version;
    report.target = (*monitor)->target().name;
    collector::RankingOptions ranking{.coverage = 1.0, .max_groups = options.limit, .min_groups = options.limit};
    report.ranking = collector::Rank(cycle->Window(), (*monitor)->catalog(), ranking);
    return options.format == "json" ? FormatTopJson(report) : FormatTopTable(report);
}

}  // namespace optischema::app
