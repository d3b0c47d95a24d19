#pragma once

#include <cstddef>

#include "common/error.hpp"
#include "service/context.hpp"
#include "service/top_report.hpp"
#include "store/store.hpp"

namespace optischema::service {

struct TopRequest {
    double interval_s = 0;  // 0: rank by the counters since the last reset
    std::size_t limit = 20;
    bool all_databases = false;
    bool own_statements_only = false;
};

/// Ranks the statements that cost the most time: collects pg_stat_statements (twice, `interval_s`
/// apart, when given) and keeps each snapshot in `store`.
[[nodiscard]] Result<TopReport> Top(const TargetRef& target, store::Store& store, const TopRequest& request);

}  // namespace optischema::service
