#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "model/plan.hpp"

/// Reading the condition text EXPLAIN prints (Filter, Join Filter, Index Cond, Sort Key): which
/// columns it compares, and how. Pure; for the analyzer's rules only.
namespace optischema::analyzer::internal {

/// True for a character that may start an unquoted identifier.
[[nodiscard]] bool IsIdentStart(char c);

/// True for a character that may continue an unquoted identifier.
[[nodiscard]] bool IsIdentChar(char c);

/// A column reference in a plan condition, with what surrounds it.
struct CondRef {
    std::string qualifier;  // empty when unqualified
    std::string column;
    char before = 0;       // previous non-space character
    std::string op_after;  // comparison operator right after it ("=", "<=", "~~", "IS"), empty otherwise
};

/// Column references of a condition: identifiers not followed by "(" (functions) and not preceded by
/// "::" (type names), outside string literals, in the order they appear.
[[nodiscard]] std::vector<CondRef> ConditionRefs(std::string_view text);

/// True when `ref` can be a column of `scan`: unqualified, or qualified by its alias or table name.
[[nodiscard]] bool QualifierMatches(const CondRef& ref, const model::PlanNode& scan);

/// True when `word` occurs in `text` as a whole identifier, not as part of a longer one.
[[nodiscard]] bool ContainsWord(std::string_view text, std::string_view word);

/// The top-level OR branches of a condition: "((a) OR (b))" -> {"(a)", "(b)"}; empty without a
/// top-level OR.
[[nodiscard]] std::vector<std::string> OrBranches(std::string_view cond);

}  // namespace optischema::analyzer::internal
