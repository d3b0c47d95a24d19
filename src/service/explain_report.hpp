#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analyzer/sample.hpp"
#include "model/finding.hpp"
#include "model/plan.hpp"

namespace optischema::service {

/// What `optischema explain` prints.
struct ExplainReport {
    std::string method;                         // "literal", "sample", "generic_plan", "prepared_generic"
    std::string sql;                            // the statement actually explained
    std::vector<analyzer::SampleParam> params;  // the sample's values, when method is "sample"
    model::Plan plan;
    std::vector<model::Finding> findings;
};

/// The plan as a tree of nodes with derived (exclusive) times, as `explain --format json` shows it.
[[nodiscard]] nlohmann::ordered_json PlanTreeJson(const model::Plan& plan);

/// `{"method", "sql", "params", "plan", "findings": [{"rule", "severity", "node", "relation",
/// "evidence", "message", "suggestion"}]}`; the plan as a tree of nodes with derived times.
[[nodiscard]] std::string FormatExplainJson(const ExplainReport& report);

}  // namespace optischema::service
