#pragma once

#include <optional>
#include <vector>

#include "collector/delta.hpp"
#include "collector/query_catalog.hpp"
#include "collector/stats_source.hpp"
#include "common/error.hpp"

namespace optischema::collector {

/// The outcome of one collection cycle.
struct Collection {
    model::SnapshotInfo info;
    std::vector<model::StatementStats> cumulative;             // every entry's counters since its creation
    std::optional<std::vector<model::StatementStats>> deltas;  // since the previous cycle, if there was one
    DeltaReport report;
    std::vector<std::int64_t> new_queryids;  // added to the catalog this cycle (texts are read only for these)
};

/// Reads pg_stat_statements cycle after cycle, keeping the baseline for deltas and the catalog of
/// texts and fingerprints so that texts are fetched once per queryid. Not thread-safe.
class Collector {
public:
    /// `source` and `catalog` outlive the collector.
    Collector(StatsSource& source, QueryCatalog& catalog, unsigned fingerprint_threads = 2);

    /// One cycle. On error the baseline is kept, so the next successful cycle covers the gap.
    [[nodiscard]] Result<Collection> Collect();

    [[nodiscard]] const std::optional<Baseline>& baseline() const { return baseline_; }
    /// Takes the next delta against `baseline` (e.g. loaded from the store after a restart).
    void Resume(Baseline baseline) { baseline_ = std::move(baseline); }

private:
    StatsSource& source_;
    QueryCatalog& catalog_;
    std::optional<Baseline> baseline_;
    unsigned fingerprint_threads_;
};

}  // namespace optischema::collector
