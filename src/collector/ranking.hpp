#pragma once

#include <cstddef>
#include <vector>

#include "collector/query_catalog.hpp"
#include "model/statement_stats.hpp"

namespace optischema::collector {

struct RankingOptions {
    double coverage = 0.95;       // keep the top groups that together cover this share of total time
    std::size_t max_groups = 0;   // and at most this many (0: no cap)
    std::size_t min_groups = 10;  // but at least this many, when there are that many
    bool include_own = false;     // OptiSchema's own statements are left out unless asked for
};

/// Groups entries by fingerprint (one fingerprint can span many queryids, users, databases and
/// nesting levels), ranks groups by total time and keeps the adaptive top set; the rest is summed
/// into `other`. Entries whose queryid the catalog does not know are grouped by queryid.
[[nodiscard]] model::WorkloadRanking Rank(const std::vector<model::StatementStats>& entries,
                                          const QueryCatalog& catalog,
                                          const RankingOptions& options = {});

}  // namespace optischema::collector
