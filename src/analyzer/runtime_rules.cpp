#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include <fmt/format.h>

#include "analyzer/internal/rules.hpp"
#include "analyzer/plan.hpp"
#include "common/format.hpp"

namespace optischema::analyzer::internal {
namespace {

constexpr double kHeapFetchShare = 0.1;
constexpr double kHeapFetchMin = 1'000;
constexpr std::int64_t kColdReadBlocks = 1'000;
constexpr double kBlockKb = 8;
constexpr double kJitShare = 0.2;
constexpr double kJitMinMs = 10;

// A round number above `value`: 1, 2 or 5 times a power of ten.
double RoundUpNice(double value) {
    double scale = 1;
    while (scale * 10 <= value) scale *= 10;
    for (double m : {1.0, 2.0, 5.0, 10.0}) {
        if (m * scale > value) return m * scale;
    }
    return 10 * scale;
}

}  // namespace

// 6. heap_fetches
void HeapFetches(Context& ctx) {
    if (!ctx.Analyzed()) return;
    for (const PlanNode* n : ctx.nodes) {
        if (n->node_type != "Index Only Scan" || !n->heap_fetches) continue;
        const double fetches = *n->heap_fetches;
        const double rows = RowsOut(*n);
        if (fetches < kHeapFetchMin || fetches < kHeapFetchShare * rows) continue;
        Finding f = Make("heap_fetches", *n);
        ctx.Charge(f, n->exclusive_ms * std::min(1.0, rows > 0 ? fetches / rows : 1.0));
        f.evidence.emplace_back("heap_fetches", fetches);
        f.evidence.emplace_back("rows", rows);
        f.evidence.emplace_back("fetch_share_pct", rows > 0 ? std::round(fetches / rows * 1000) / 10 : 100.0);
        AddTime(f, *n, ctx);
        const std::string rel = QuotedRelation(*n);
        f.message = fmt::format(
            "The index-only scan had to visit the table {} times for {} rows: the visibility map of {} is out "
            "of date (recent writes not yet vacuumed), so the scan is no longer index-only.",
            ThousandsSeparated(fetches), ThousandsSeparated(rows), QualifiedRelation(*n));
        f.suggestion = fmt::format(
            "VACUUM (ANALYZE) {rel};\nand let autovacuum keep up on this table, e.g.\n"
            "ALTER TABLE {rel} SET (autovacuum_enabled = on, autovacuum_vacuum_scale_factor = 0.05, "
            "autovacuum_vacuum_insert_scale_factor = 0.05);",
            fmt::arg("rel", rel));
        ctx.out.push_back(std::move(f));
    }
}

// 8. cold_reads
void ColdReads(Context& ctx) {
    if (!ctx.Analyzed()) return;
    bool any = false;
    auto report = [&](const PlanNode& n, std::int64_t read, std::int64_t hit, double io_ms, bool plan_wide) {
        Finding f = Make("cold_reads", n);
        // Parallel workers' I/O time adds up across processes; the wall-clock share is smaller.
        const double io_wall = io_ms / std::max(1, n.worker_count);
        f.impact_ms = io_wall > 0 ? io_wall
                                  : (plan_wide ? ctx.total_ms : n.exclusive_ms) * static_cast<double>(read) /
                                        static_cast<double>(read + hit);
        // A cold cache is a condition of this run (a restart, a rarely read table), not a defect of
        // the query: never more than medium, so it does not outrank the query's own problems.
        f.severity = std::min(ctx.TimeSeverity(f.impact_ms), Severity::kMedium);
        f.evidence.emplace_back("shared_read_blocks", static_cast<double>(read));
        f.evidence.emplace_back("shared_hit_blocks", static_cast<double>(hit));
        f.evidence.emplace_back("read_mb", std::round(static_cast<double>(read) * kBlockKb / 1024 * 10) / 10);
        if (io_ms > 0) f.evidence.emplace_back("io_read_ms", io_ms);
        f.message = fmt::format(
            "{} read {} ({} blocks) from outside shared buffers and found only {} blocks cached{}. Timings of "
            "this run include that I/O; a repeated run may be faster if the data stays cached.",
            plan_wide ? "The query" : NodeLabel(n), Mb(static_cast<double>(read) * kBlockKb),
            ThousandsSeparated(static_cast<double>(read)), ThousandsSeparated(static_cast<double>(hit)),
            io_ms <= 0 ? std::string()
            : n.worker_count > 1
                ? fmt::format("; waiting for reads took {} across {} processes", Ms(io_ms), n.worker_count)
                : fmt::format("; waiting for reads took {}", Ms(io_ms)));
        const std::string rel = plan_wide ? "" : QuotedRelation(n);
        f.suggestion = fmt::format(
            "If this is typical (not just after a restart): read less (a more selective index, fewer columns), give "
            "shared_buffers more of the server's memory, or warm the table after restarts{}",
            rel.empty() ? "."
                        : fmt::format(":\nCREATE EXTENSION IF NOT EXISTS pg_prewarm;\nSELECT pg_prewarm('{}');", rel));
        ctx.out.push_back(std::move(f));
        any = true;
    };
    for (const PlanNode* n : ctx.nodes) {
        if (!n->has_buffers) continue;
        std::int64_t read = n->buffers.shared_read;
        std::int64_t hit = n->buffers.shared_hit;
        double io_ms = n->buffers.io_read_ms;
        for (const PlanNode& c : n->children) {
            read -= c.buffers.shared_read;
            hit -= c.buffers.shared_hit;
            io_ms -= c.buffers.io_read_ms;
        }
        read = std::max<std::int64_t>(read, 0);
        hit = std::max<std::int64_t>(hit, 0);
        if (read < kColdReadBlocks || read <= hit) continue;
        report(*n, read, hit, std::max(io_ms, 0.0), false);
    }
    const PlanNode& root = ctx.plan.root;
    if (!any && root.has_buffers && root.buffers.shared_read >= kColdReadBlocks &&
        root.buffers.shared_read > root.buffers.shared_hit) {
        report(root, root.buffers.shared_read, root.buffers.shared_hit, root.buffers.io_read_ms, true);
    }
}

// 9. workers_not_launched
void WorkersNotLaunched(Context& ctx) {
    for (const PlanNode* n : ctx.nodes) {
        if (n->node_type != "Gather" && n->node_type != "Gather Merge") continue;
        if (!n->workers_planned || !n->workers_launched || *n->workers_launched >= *n->workers_planned) continue;
        const int planned = *n->workers_planned;
        const int launched = *n->workers_launched;
        Finding f = Make("workers_not_launched", *n);
        // Had every worker started, the parallel part would have shared its work among planned + 1 processes.
        ctx.Charge(f, n->inclusive_ms * (1.0 - (launched + 1.0) / (planned + 1.0)));
        f.evidence.emplace_back("workers_planned", static_cast<double>(planned));
        f.evidence.emplace_back("workers_launched", static_cast<double>(launched));
        f.evidence.emplace_back("inclusive_ms", n->inclusive_ms);
        for (const char* setting :
             {"max_parallel_workers", "max_worker_processes", "max_parallel_workers_per_gather"}) {
            if (const std::string v = ctx.SettingValue(setting); !v.empty()) f.evidence.emplace_back(setting, v);
        }
        f.message = fmt::format(
            "The plan counted on {} parallel workers but only {} started, so the {} did the work with {} process{} "
            "({}). The server's pool of parallel workers was exhausted or capped when the query ran.",
            planned, launched, NodeLabel(*n), launched + 1, launched == 0 ? "" : "es", Ms(n->inclusive_ms));
        f.suggestion =
            "Check the pool: SHOW max_parallel_workers; SHOW max_worker_processes; and how many parallel queries run "
            "at once. Raise them if the server has idle cores, e.g.\nALTER SYSTEM SET max_parallel_workers = 8;  -- "
            "at most max_worker_processes (changing that one needs a restart)\nSELECT pg_reload_conf();";
        ctx.out.push_back(std::move(f));
    }
}
// 10. jit_overhead
void JitOverhead(Context& ctx) {
    if (!ctx.plan.jit || !ctx.Analyzed()) return;
    const model::JitSummary& jit = *ctx.plan.jit;
    if (jit.total_ms < kJitMinMs || jit.total_ms < kJitShare * ctx.total_ms) return;
    const PlanNode& root = ctx.plan.root;
    Finding f = Make("jit_overhead", root);
    f.relation.clear();
    ctx.Charge(f, jit.total_ms);
    f.evidence.emplace_back("jit_total_ms", jit.total_ms);
    f.evidence.emplace_back("execution_ms", ctx.total_ms);
    f.evidence.emplace_back("jit_functions", static_cast<double>(jit.functions));
    f.evidence.emplace_back("jit_inlining_ms", jit.inlining_ms);
    f.evidence.emplace_back("jit_optimization_ms", jit.optimization_ms);
    f.evidence.emplace_back("jit_emission_ms", jit.emission_ms);
    f.evidence.emplace_back("plan_total_cost", root.total_cost);
    f.message = fmt::format(
        "JIT compilation of {} functions took {} of the {} execution ({}): the query is too short for "
        "compiled code to pay back its compile time (inlining {}, optimization {}).",
        jit.functions, Ms(jit.total_ms), Ms(ctx.total_ms), Pct(ctx.Share(jit.total_ms)), Ms(jit.inlining_ms),
        Ms(jit.optimization_ms));
    const double threshold = RoundUpNice(std::max(root.total_cost * 2, 100'000.0));
    f.suggestion = fmt::format(
        "SET jit = off;  -- for this query's session or role\nor keep JIT for really expensive queries only: raise "
        "the thresholds above this plan's cost ({:.0f}), e.g.\nALTER SYSTEM SET jit_above_cost = {:.0f};\n"
        "ALTER SYSTEM SET jit_inline_above_cost = {:.0f};\nALTER SYSTEM SET jit_optimize_above_cost = {:.0f};\n"
        "SELECT pg_reload_conf();",
        root.total_cost, threshold, std::max(threshold * 5, 500'000.0), std::max(threshold * 5, 500'000.0));
    ctx.out.push_back(std::move(f));
}

}  // namespace optischema::analyzer::internal
