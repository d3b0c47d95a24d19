#pragma once

#include <string>
#include <vector>

#include "advisor/candidates.hpp"
#include "advisor/whatif.hpp"
#include "model/parsed_query.hpp"
#include "model/schema.hpp"

namespace optischema::advisor {

/// One statement of the workload, with what it weighs.
struct WorkloadQuery {
    std::string fingerprint;
    std::string query;     // as the user knows it (normalized text from pg_stat_statements, or the file's SQL)
    std::string sql;       // runnable: a sample with values for `$n`
    double weight_ms = 1;  // total time it cost in the window (calls x mean); 1 per statement from a file
    model::ParsedQuery parsed;
    std::vector<IndexCandidate> candidates;
};

/// A statement an index serves: one whose cost rises when that index alone is left out of the
/// recommended set.
struct QueryCost {
    std::string fingerprint;
    std::string query;
    std::string sql;         // the runnable statement that was costed (a sample with values for `$n`)
    double cost_before = 0;  // planner cost without any recommended index
    double cost_after = 0;   // with every recommended index (what-if)
};

/// A recommended index with its evidence.
struct Recommendation {
    IndexCandidate index;
    std::int64_t estimated_size_bytes = 0;
    std::vector<QueryCost> queries;  // the statements it speeds up
    double saved_ms = 0;             // projected read time saved over the workload's window
    double write_cost_ms = 0;        // projected extra time of the statements that write the table
    double saved_share = 0;          // of the whole workload's time, 0..1
    std::string write_note;          // what it costs writers
    std::string confidence;          // "planner what-if (HypoPG)" or why it needs a real index
};

struct NoIndex {
    std::string fingerprint;
    std::string query;
    std::string reason;
};

struct Advice {
    bool weighted_by_cost = false;  // no measured times: weights (and saved_ms) are in planner cost units
    std::vector<Recommendation> recommendations;
    std::vector<NoIndex> no_index;
    std::vector<std::string> errors;  // statements that could not be costed, with why
};

struct SelectionOptions {
    double min_cost_drop = 0.2;         // a statement counts as helped when its cost drops this much
    double min_benefit_share = 0.005;   // stop when the next index saves less than this share of the workload
    double write_overhead_share = 0.1;  // each index adds about this share to the time of statements writing its table
    double hot_loss_share = 0.5;        // and this much more to UPDATEs that change an indexed column (no more HOT)
    std::size_t max_indexes = 20;
};

/// Workload-level greedy selection: costs every candidate against the statements on its table,
/// picks the one with the largest weighted benefit net of what it costs the statements that write
/// its table, keeps it (so later picks are costed with it:
/// interactions), drops candidates it makes redundant, and repeats until the benefit is small.
/// One index serving several statements wins over several narrow ones because benefits add up.
/// Finally each index is credited with the statements that need it in the final set, and one that
/// none needs any more is dropped. Leaves no hypothetical index behind.
[[nodiscard]] Advice SelectIndexes(std::vector<WorkloadQuery> workload,
                                   const model::SchemaSnapshot& schema,
                                   WhatIf& whatif,
                                   const SelectionOptions& options = {});

}  // namespace optischema::advisor
