#pragma once

#include <cstdint>
#include <string>

#include "advisor/candidates.hpp"
#include "common/error.hpp"
#include "model/plan.hpp"

namespace optischema::advisor {

/// A hypothetical index that exists for the planner only.
struct HypotheticalIndex {
    std::int64_t oid = 0;
    std::int64_t estimated_size_bytes = 0;
    std::string name;  // as plans show it ("Index Name"); set by CreateFromSql
};

/// What-if costing: the planner's cost of a statement as if some indexes existed. HypoPG in
/// production; the interface keeps the selection logic testable and the server out of pure code.
class WhatIf {
public:
    virtual ~WhatIf() = default;
    /// The planner's total cost of `sql` with the hypothetical indexes that exist now.
    [[nodiscard]] virtual Result<double> Cost(const std::string& sql) = 0;
    /// The planner's plan of `sql` with the hypothetical indexes that exist now; planned, never run.
    [[nodiscard]] virtual Result<model::Plan> Explain(const std::string& sql) = 0;
    [[nodiscard]] virtual Result<HypotheticalIndex> Create(const IndexCandidate& index) = 0;
    /// The index one CREATE INDEX statement describes, as PostgreSQL's parser reads it (a name, an
    /// expression, an operator class or a predicate it refuses is an error with its SQLSTATE).
    [[nodiscard]] virtual Result<HypotheticalIndex> CreateFromSql(const std::string& create_index_sql) = 0;
    [[nodiscard]] virtual Result<void> Drop(const HypotheticalIndex& index) = 0;
    /// Removes every hypothetical index.
    [[nodiscard]] virtual Result<void> Reset() = 0;
};

}  // namespace optischema::advisor
