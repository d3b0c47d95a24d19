#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "llm/client.hpp"
#include "model/column_stats.hpp"
#include "model/finding.hpp"
#include "model/plan.hpp"
#include "model/schema.hpp"

/// The question OptiSchema asks a model about one slow query. Pure: no I/O.
namespace optischema::llm {

/// One column of a table involved in the query, with its pg_stats summary.
struct PromptColumn {
    std::string name;
    model::ColumnStats stats;  // data_type always; the statistics when stats.analyzed
    bool referenced = false;   // the query uses this column
};

/// One table involved in the query.
struct PromptTable {
    model::TableInfo table;
    std::vector<PromptColumn> columns;
    std::vector<model::IndexInfo> indexes;
    bool referenced = true;  // named in the query; false for a table only the plan shows (behind a view)
    bool activity = true;    // show the scan and write counters; they change with every query, so a caller
                             // that caches answers by prompt leaves them out for a repeated question to hit
};

/// Everything the prompt may contain.
struct PromptInput {
    std::string normalized_query;     // as pg_stat_statements shows it, with $1..$n; never left out
    std::string sample_sql;           // a runnable sample with literals; empty when none
    std::optional<model::Plan> plan;  // with derived ids and exclusive times (analyzer::ParsePlan)
    std::vector<model::Finding> findings;
    std::vector<PromptTable> tables;
    std::string server_version;  // e.g. "16.4"
    std::string proposal;        // what OptiSchema's engine proposes for this query (e.g. its index and
                                 // measured effect), for the model to assess; empty when none
};

/// A built prompt.
struct Prompt {
    std::string system;
    std::string user;
    std::vector<std::string> omitted;  // what was left out or cut to respect the size limit, in order

    /// Characters (bytes) of system and user together, what max_chars limits.
    [[nodiscard]] std::size_t Size() const { return system.size() + user.size(); }
};

/// Builds the prompt asking for a strict JSON answer {"explanation": markdown, "rewrites": [{"sql",
/// "rationale"}], "index_ideas": [{"ddl", "rationale"}], "risks": [string]}. When it would exceed
/// max_chars, leaves out the least relevant parts first: most common values, then the rest of pg_stats,
/// plan nodes under 1% of the time, columns of tables the query does not name, columns the query does
/// not use, plan nodes under 5%, tables the query does not name; then cuts sections (tables, sample,
/// plan, findings). The normalized query is always kept whole, so the result exceeds max_chars only
/// when the instructions and the query alone do.
[[nodiscard]] Prompt BuildExplainPrompt(const PromptInput& input, std::size_t max_chars);

/// The compact plan text the prompt contains: one line per node, indented by depth, with label,
/// exclusive time and share, estimated vs actual rows, loops, buffers, then its conditions. Subtrees
/// under `collapse_below` of the total time (or cost, without ANALYZE) become one line, except
/// those holding a node in `keep_node_ids`.
[[nodiscard]] std::string RenderPlan(const model::Plan& plan,
                                     double collapse_below = 0,
                                     const std::vector<std::size_t>& keep_node_ids = {});

/// The chat request for a prompt: JSON answer, low temperature.
[[nodiscard]] ChatRequest ExplainRequest(const Prompt& prompt, int max_output_tokens = 4096);

}  // namespace optischema::llm
