// EXPLAIN (FORMAT JSON) -> plan -> findings. The input is the plan's JSON, or the statement's SQL, a
// NUL byte, then the plan's JSON (the rules that read the SQL run too). Two plans of one input are
// also diffed, as before/after comparisons do.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "analyzer/findings.hpp"
#include "analyzer/plan.hpp"
#include "analyzer/plan_diff.hpp"
#include "sqlparse/sqlparse.hpp"

namespace analyzer = optischema::analyzer;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    std::optional<optischema::model::ParsedQuery> query;
    if (const auto nul = input.find('\0'); nul != std::string_view::npos) {
        if (auto parsed = optischema::sqlparse::Parse(input.substr(0, nul))) query = std::move(*parsed);
        input.remove_prefix(nul + 1);
    }
    auto plan = analyzer::ParsePlan(input);
    if (!plan) return 0;
    for (const auto* node : analyzer::Flatten(*plan)) (void)analyzer::NodeLabel(*node);
    (void)analyzer::Analyze(*plan, query ? &*query : nullptr);
    (void)analyzer::DiffPlans(*plan, *plan);
    return 0;
}
