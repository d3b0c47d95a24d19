#include <algorithm>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "analyzer/internal/condition.hpp"
#include "analyzer/internal/rules.hpp"
#include "analyzer/plan.hpp"
#include "common/format.hpp"
#include "common/quote.hpp"

namespace optischema::analyzer::internal {
namespace {

// 4. sort_spill and hash_spill

// The temporary blocks written (when BUFFERS was asked for) and the node's time.
void AddTempWritten(Finding& f, const PlanNode& n, const Context& ctx) {
    if (n.has_buffers) f.evidence.emplace_back("temp_written_blocks", static_cast<double>(n.buffers.temp_written));
    AddTime(f, n, ctx);
}

std::string SetWorkMemSql(long long mb) {
    return fmt::format(
        "SET work_mem = '{}MB';  -- for the session, or ALTER ROLE ... SET work_mem for the role that runs it", mb);
}

// `current`: " (work_mem is 4MB for this plan)", or empty when the plan does not say.
void SortSpill(Context& ctx, const PlanNode& n, const std::string& current) {
    Finding f = Make("sort_spill", n);
    ctx.Charge(f, n.exclusive_ms);
    f.evidence.emplace_back("sort_method", n.sort_method);
    f.evidence.emplace_back("sort_space_used_kb", static_cast<double>(n.sort_space_kb));
    f.evidence.emplace_back("rows", RowsOut(n));
    AddTempWritten(f, n, ctx);
    f.message = fmt::format(
        "The sort of {} rows did not fit in work_mem{} and used an {} with {} of temporary files; it takes {}.",
        ThousandsSeparated(RowsOut(n)), current, n.sort_method, Mb(static_cast<double>(n.sort_space_kb)),
        Ms(n.exclusive_ms));
    f.suggestion = "Give this query more sort memory (an in-memory sort needs about twice the disk space):\n" +
                   SetWorkMemSql(RoundUpMb(static_cast<double>(n.sort_space_kb) * 2));
    // An index in sort-key order avoids the sort when the sort reads one table directly.
    if (n.children.size() == 1 && !n.children.front().relation.empty()) {
        const PlanNode& scan = n.children.front();
        std::string keys;
        bool plain = !n.sort_key.empty();
        for (std::string_view key : n.sort_key) {
            const bool desc = key.ends_with(" DESC");
            if (desc) key.remove_suffix(5);
            const auto refs = ConditionRefs(key);
            if (refs.size() != 1 || !QualifierMatches(refs.front(), scan)) {
                plain = false;
                break;
            }
            if (!keys.empty()) keys += ", ";
            keys += QuoteIdent(refs.front().column) + (desc ? " DESC" : "");
        }
        if (plain) {
            f.suggestion +=
                fmt::format("\nor read the rows in order from an index:\nCREATE INDEX CONCURRENTLY ON {} ({});",
                            QuotedRelation(scan), keys);
        }
    }
    ctx.out.push_back(std::move(f));
}

// A Hash node in batches (`hash_batches`) or a hash aggregate that spilled.
void HashSpill(Context& ctx, const PlanNode& n, bool hash_batches, const std::string& current) {
    Finding f = Make("hash_spill", n);
    ctx.Charge(f, n.exclusive_ms);
    double needed_kb = 0;
    if (hash_batches) {
        needed_kb = static_cast<double>(n.peak_memory_kb * n.hash_batches);
        f.evidence.emplace_back("hash_batches", static_cast<double>(n.hash_batches));
        f.evidence.emplace_back("original_hash_batches", static_cast<double>(n.original_hash_batches));
    } else {
        needed_kb = static_cast<double>(n.peak_memory_kb + n.disk_usage_kb);
        f.evidence.emplace_back("hashagg_batches", static_cast<double>(n.hashagg_batches));
        f.evidence.emplace_back("disk_usage_kb", static_cast<double>(n.disk_usage_kb));
    }
    f.evidence.emplace_back("peak_memory_kb", static_cast<double>(n.peak_memory_kb));
    f.evidence.emplace_back("memory_needed_kb", needed_kb);
    AddTempWritten(f, n, ctx);
    f.message = hash_batches
                    ? fmt::format(
                          "The hash table of {} rows did not fit in memory{} and was split into {} batches "
                          "written to disk (about {} needed, {} used at a time).",
                          ThousandsSeparated(RowsOut(n)), current, n.hash_batches, Mb(needed_kb),
                          Mb(static_cast<double>(n.peak_memory_kb)))
                    : fmt::format(
                          "The hash aggregate did not fit in memory{} and spilled {} to disk in {} "
                          "batches; it takes {}.",
                          current, Mb(static_cast<double>(n.disk_usage_kb)), n.hashagg_batches, Ms(n.exclusive_ms));
    f.suggestion =
        "Give this query enough memory for the hash table (hash nodes may use work_mem × hash_mem_multiplier):\n" +
        SetWorkMemSql(RoundUpMb(needed_kb));
    if (hash_batches && n.original_hash_batches > 0 && n.hash_batches > n.original_hash_batches) {
        f.suggestion +=
            "\nThe batch count grew at run time: the row estimate of the hashed side is too low (ANALYZE it).";
    }
    ctx.out.push_back(std::move(f));
}

}  // namespace

void Spills(Context& ctx) {
    if (!ctx.Analyzed()) return;
    const std::string work_mem = ctx.SettingValue("work_mem");
    const std::string current = work_mem.empty() ? "" : fmt::format(" (work_mem is {} for this plan)", work_mem);
    for (const PlanNode* n : ctx.nodes) {
        if (n->node_type == "Sort" && (n->sort_space_type == "Disk" || n->sort_method.starts_with("external"))) {
            SortSpill(ctx, *n, current);
        }
        const bool hash_batches = n->node_type == "Hash" && n->hash_batches > 1;
        const bool agg_spill = n->node_type == "Aggregate" && (n->strategy == "Hashed" || n->strategy == "Mixed") &&
                               (n->hashagg_batches > 1 || n->disk_usage_kb > 0);
        if (hash_batches || agg_spill) HashSpill(ctx, *n, hash_batches, current);
    }
}

// 7. lossy_bitmap
void LossyBitmap(Context& ctx) {
    if (!ctx.Analyzed()) return;
    const std::string work_mem = ctx.SettingValue("work_mem");
    for (const PlanNode* n : ctx.nodes) {
        if (n->node_type != "Bitmap Heap Scan" || n->lossy_heap_blocks <= 0) continue;
        const double pages = n->lossy_heap_blocks + n->exact_heap_blocks;
        Finding f = Make("lossy_bitmap", *n);
        ctx.Charge(f, n->exclusive_ms * n->lossy_heap_blocks / pages);
        f.evidence.emplace_back("lossy_heap_blocks", n->lossy_heap_blocks);
        f.evidence.emplace_back("exact_heap_blocks", n->exact_heap_blocks);
        f.evidence.emplace_back("rows_removed_by_index_recheck", n->rows_removed_by_index_recheck * Loops(*n));
        if (!work_mem.empty()) f.evidence.emplace_back("work_mem", work_mem);
        AddTime(f, *n, ctx);
        f.message = fmt::format(
            "The bitmap did not fit in work_mem{}: {} of {} heap pages were tracked only as whole pages (lossy), "
            "so every row on them was rechecked against {} ({} rows removed by the recheck).",
            work_mem.empty() ? "" : " (" + work_mem + ")", ThousandsSeparated(n->lossy_heap_blocks),
            ThousandsSeparated(pages), n->recheck_cond.empty() ? "the index condition" : n->recheck_cond,
            ThousandsSeparated(n->rows_removed_by_index_recheck * Loops(*n)));
        // An exact bitmap needs roughly 64 bytes per heap page; double it for headroom.
        f.suggestion = fmt::format(
            "SET work_mem = '{}MB';  -- enough for an exact bitmap of {} pages (for the session or the role)",
            std::max(4LL, RoundUpMb(pages * 64 * 2 / 1024)), ThousandsSeparated(pages));
        ctx.out.push_back(std::move(f));
    }
}

}  // namespace optischema::analyzer::internal
