#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "model/finding.hpp"
#include "model/parsed_query.hpp"
#include "model/plan.hpp"

/// The recorded plans of testdata/plans for the analyzer's tests: loading a plan with the statement
/// it explains, and reading findings and their evidence. Throws on a missing or broken fixture.
namespace optischema::analyzer::test_plans {

using model::Finding;
using model::PlanNode;
using model::Severity;

/// testdata/plans.
[[nodiscard]] std::filesystem::path PlansDir();

/// The whole file.
[[nodiscard]] std::string ReadFile(const std::filesystem::path& path);

/// testdata/plans/<name>.json, parsed.
[[nodiscard]] model::Plan LoadPlan(const std::string& name);

/// The statement testdata/plans/<name>.sql explains, parsed.
[[nodiscard]] model::ParsedQuery LoadQuery(const std::string& name);

/// Every case that has both a plan and its SQL, by name, sorted.
[[nodiscard]] std::vector<std::string> AllCases();

/// A fixture: the plan, its ParsedQuery and the findings of Analyze with the query.
struct Case {
    model::Plan plan;
    model::ParsedQuery query;
    std::vector<model::Finding> findings;

    /// Loads testdata/plans/<name>.{json,sql} and analyzes them.
    explicit Case(const std::string& name);

    /// The findings of `rule`, in Analyze's order.
    [[nodiscard]] std::vector<const model::Finding*> Of(std::string_view rule) const;
    /// The one finding of `rule`; throws when there is none or more than one.
    [[nodiscard]] const model::Finding& One(std::string_view rule) const;
    [[nodiscard]] bool Has(std::string_view rule) const { return !Of(rule).empty(); }
    /// The node with id `id`.
    [[nodiscard]] const model::PlanNode& Node(std::size_t id) const;
    /// The first node of `type` in pre-order; throws when there is none.
    [[nodiscard]] const model::PlanNode& First(std::string_view type) const;
};

/// The evidence `key` of `f` as a number; throws when it is missing or text.
[[nodiscard]] double Num(const model::Finding& f, std::string_view key);

/// The evidence `key` of `f` as text; throws when it is missing or a number.
[[nodiscard]] std::string Text(const model::Finding& f, std::string_view key);

[[nodiscard]] inline bool Contains(const std::string& text, std::string_view part) {
    return text.find(part) != std::string::npos;
}

/// Loops as the plan reports them (0 when the node never ran).
[[nodiscard]] inline double Loops(const model::PlanNode& n) { return n.actual_loops.value_or(0); }

}  // namespace optischema::analyzer::test_plans
