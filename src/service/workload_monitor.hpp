#pragma once

#include <memory>
#include <optional>
#include <string>

#include "collector/collector.hpp"
#include "collector/pg_stats_source.hpp"
#include "collector/ranking.hpp"
#include "pg/capabilities.hpp"
#include "pg/connection.hpp"
#include "store/store.hpp"

namespace optischema::service {

struct MonitorOptions {
    collector::DatabaseScope scope = collector::DatabaseScope::kCurrentDatabase;
    bool own_statements_only = false;  // accept a role without pg_read_all_stats
    bool resume = false;               // take the first delta against the baseline in the store (a restarted server)
    collector::RankingOptions storage_ranking;  // what each snapshot keeps (adaptive 95% by default)
    std::string target_name;                    // the store's target; empty: named by the redacted DSN (the CLI)
    std::optional<std::int64_t> target_id;      // the server's: this stored target, which must exist
};

/// One cycle's result as the CLI and the server use it.
struct Cycle {
    collector::Collection collection;
    std::int64_t snapshot_id = 0;
    model::WorkloadRanking ranking;  // as stored with the snapshot
    /// The entries this cycle's ranking is computed from: deltas when there was a previous cycle,
    /// else the counters since the last reset.
    [[nodiscard]] const std::vector<model::StatementStats>& Window() const {
        return collection.deltas ? *collection.deltas : collection.cumulative;
    }
};

/// Watches one target: connects, checks prerequisites, collects pg_stat_statements and saves each
/// snapshot in the store. Deltas resume across restarts from the baseline in the store.
class WorkloadMonitor {
public:
    /// Connects and checks prerequisites; errors say what to fix.
    [[nodiscard]] static Result<std::unique_ptr<WorkloadMonitor>> Open(const std::string& dsn,
                                                                       store::Store& store,
                                                                       const MonitorOptions& options);

    /// Collects once and saves the snapshot.
    [[nodiscard]] Result<Cycle> CollectOnce();

    [[nodiscard]] const pg::Capabilities& capabilities() const { return caps_; }
    [[nodiscard]] const collector::QueryCatalog& catalog() const { return catalog_; }
    [[nodiscard]] const store::TargetRecord& target() const { return target_; }

private:
    WorkloadMonitor(pg::Connection conn,
                    pg::Capabilities caps,
                    store::Store& store,
                    store::TargetRecord target,
                    const MonitorOptions& options);

    pg::Connection conn_;
    pg::Capabilities caps_;
    store::Store& store_;
    store::TargetRecord target_;
    MonitorOptions options_;
    collector::QueryCatalog catalog_;
    collector::PgStatsSource source_;
    collector::Collector collector_;
};

}  // namespace optischema::service
