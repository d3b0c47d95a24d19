#pragma once

#include "analyzer/internal/rule_context.hpp"

/// The plan rules of the catalogue (findings.hpp), one function each, grouped by concern. Each adds
/// its findings to `ctx.out`; some claim nodes in `ctx.claimed` so that a less specific rule run
/// later does not report the same problem again (Analyze runs them in that order).
namespace optischema::analyzer::internal {

// index_rules.cpp: rows read only to be thrown away, for want of an index the filter can use.

/// non_sargable: a function or cast around a filtered column. Needs the query.
void NonSargable(Context& ctx);
/// seq_scan_few_rows: a sequential scan of a large table keeps few rows.
void SeqScanFewRows(Context& ctx);
/// nested_loop_inner_scan: a nested loop scans its inner table once per outer row.
void NestedLoopInnerScan(Context& ctx);
/// rows_removed_by_filter: many rows read and then discarded by a filter or join filter.
void RowsRemovedByFilter(Context& ctx);

// estimate_rules.cpp: the planner's row counts.

/// row_estimate_off: a row estimate off by 10x or more, reported where it starts.
void RowEstimateOff(Context& ctx);

// memory_rules.cpp: sorts, hashes and bitmaps that outgrew work_mem.

/// sort_spill and hash_spill: a sort, hash or hash aggregate written to disk.
void Spills(Context& ctx);
/// lossy_bitmap: a bitmap heap scan that tracked whole pages.
void LossyBitmap(Context& ctx);

// runtime_rules.cpp: the server's state while the query ran.

/// heap_fetches: an index-only scan visiting the table (the visibility map is out of date).
void HeapFetches(Context& ctx);
/// cold_reads: data read from outside shared buffers.
void ColdReads(Context& ctx);
/// workers_not_launched: parallel workers planned but not started.
void WorkersNotLaunched(Context& ctx);
/// jit_overhead: JIT compilation taking a large share of a short query.
void JitOverhead(Context& ctx);

// rewrite_rules.cpp: query shapes whose fix is to write the SQL differently.

/// large_offset: pagination with a large OFFSET.
void LargeOffset(Context& ctx);
/// not_in_subquery: NOT IN (subquery). Needs the query.
void NotInSubquery(Context& ctx);
/// or_across_relations: an OR across columns of different tables.
void OrAcrossRelations(Context& ctx);
/// correlated_subquery: a SubPlan executed once per outer row.
void CorrelatedSubquery(Context& ctx);

}  // namespace optischema::analyzer::internal
