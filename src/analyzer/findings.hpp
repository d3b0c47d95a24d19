#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "model/finding.hpp"
#include "model/parsed_query.hpp"
#include "model/plan.hpp"

/// The catalogue of plan rules: each looks at a parsed plan (and the query's ParsedQuery when
/// known) and reports findings with the plan's own numbers as evidence. Pure and thread-safe.
namespace optischema::analyzer {

/// A rule of the catalogue, for documentation and `--list-rules`.
struct RuleInfo {
    std::string_view id;
    std::string_view title;
};

/// Every rule, in catalogue order.
[[nodiscard]] std::span<const RuleInfo> Rules();

/// Runs every rule. `query` may be null (a plan without its SQL): rules that need the SQL are
/// skipped. Findings are ordered most severe first, then by impact_ms.
[[nodiscard]] std::vector<model::Finding> Analyze(const model::Plan& plan, const model::ParsedQuery* query = nullptr);

}  // namespace optischema::analyzer
