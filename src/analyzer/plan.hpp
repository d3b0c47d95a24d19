#pragma once

#include <functional>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "model/plan.hpp"

/// The plan model: EXPLAIN (FORMAT JSON) text into a model::Plan with derived timings. Pure.
namespace optischema::analyzer {

/// Parses the output of EXPLAIN (FORMAT JSON), with or without ANALYZE, BUFFERS, SETTINGS, WAL,
/// VERBOSE, from PostgreSQL 13 to 17, and derives ids, inclusive and exclusive times.
/// Properties the model has no field for are kept in `extra`.
[[nodiscard]] Result<model::Plan> ParsePlan(std::string_view json_text);

/// Fills id, worker_count, inclusive_ms and exclusive_ms of every node. Exclusive time accounts for
/// loops, parallel workers (a node below Gather shares its loops among leader and workers), and CTEs
/// (a CTE's time is charged to the CTE Scans that read it, not to the node it hangs under).
void DeriveTimes(model::Plan& plan);

/// Every node in pre-order (the root first); pointers into `plan`.
[[nodiscard]] std::vector<const model::PlanNode*> Flatten(const model::Plan& plan);

using model::NodeLabel;
using model::QualifiedRelation;

}  // namespace optischema::analyzer
