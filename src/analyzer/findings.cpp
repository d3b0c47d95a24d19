#include "analyzer/findings.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "analyzer/internal/rules.hpp"

namespace optischema::analyzer {
namespace {

constexpr std::array kRules = {
    RuleInfo{"seq_scan_few_rows", "Sequential scan of a large table keeps few rows"},
    RuleInfo{"rows_removed_by_filter", "Many rows read and then discarded by a filter"},
    RuleInfo{"row_estimate_off", "Planner row estimate off by 10x or more"},
    RuleInfo{"sort_spill", "Sort spilled to disk"},
    RuleInfo{"hash_spill", "Hash or hash aggregate spilled to disk in batches"},
    RuleInfo{"nested_loop_inner_scan", "Nested loop repeats a scan of its inner side"},
    RuleInfo{"heap_fetches", "Index-only scan fetches rows from the heap"},
    RuleInfo{"lossy_bitmap", "Bitmap heap scan went lossy"},
    RuleInfo{"cold_reads", "Data read from disk rather than shared buffers"},
    RuleInfo{"workers_not_launched", "Parallel workers planned but not launched"},
    RuleInfo{"jit_overhead", "JIT compilation takes a large share of the execution"},
    RuleInfo{"large_offset", "Pagination with a large OFFSET"},
    RuleInfo{"not_in_subquery", "NOT IN (subquery)"},
    RuleInfo{"or_across_relations", "OR across columns of different tables"},
    RuleInfo{"non_sargable", "Function or cast around a filtered column"},
    RuleInfo{"correlated_subquery", "Correlated subquery executed once per row"},
};

}  // namespace

std::span<const RuleInfo> Rules() { return kRules; }

std::vector<model::Finding> Analyze(const model::Plan& plan, const model::ParsedQuery* query) {
    using namespace internal;
    Context ctx(plan, query);
    // Order matters where rules claim nodes: the most specific explanation of a filter wins.
    NonSargable(ctx);
    SeqScanFewRows(ctx);
    NestedLoopInnerScan(ctx);
    OrAcrossRelations(ctx);
    NotInSubquery(ctx);
    RowsRemovedByFilter(ctx);
    RowEstimateOff(ctx);
    Spills(ctx);
    HeapFetches(ctx);
    LossyBitmap(ctx);
    ColdReads(ctx);
    WorkersNotLaunched(ctx);
    JitOverhead(ctx);
    LargeOffset(ctx);
    CorrelatedSubquery(ctx);
    std::stable_sort(ctx.out.begin(), ctx.out.end(), [](const model::Finding& a, const model::Finding& b) {
        if (a.severity != b.severity) return a.severity > b.severity;
        return a.impact_ms > b.impact_ms;
    });
    return std::move(ctx.out);
}

}  // namespace optischema::analyzer
