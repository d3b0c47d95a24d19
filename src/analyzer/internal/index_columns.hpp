#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "model/parsed_query.hpp"
#include "model/plan.hpp"

/// Which columns an index for a filter should have, and the CREATE INDEX that builds it. For the
/// analyzer's rules only.
namespace optischema::analyzer::internal {

/// Columns to index, equality columns first, then at most one range column (a btree uses only the
/// first range column efficiently).
class IndexColumns {
public:
    /// Adds `column` once; an equality use wins over a range use of the same column.
    void Add(const std::string& column, bool equality);
    [[nodiscard]] bool Empty() const { return equality_.empty() && range_.empty(); }
    /// The key columns in index order.
    [[nodiscard]] std::vector<std::string> Columns() const;

private:
    std::vector<std::string> equality_;
    std::vector<std::string> range_;
};

/// The columns of `scan` compared in `condition`: the ParsedQuery's bare column uses of that relation
/// mentioned in the condition when the SQL is known (`query` not null), else the columns the condition
/// compares directly.
[[nodiscard]] std::vector<std::string> FilterColumns(const model::PlanNode& scan,
                                                     std::string_view condition,
                                                     const model::ParsedQuery* query);

/// Quoted identifiers joined by ", ".
[[nodiscard]] std::string JoinQuoted(const std::vector<std::string>& columns);

/// "CREATE INDEX CONCURRENTLY ON <scan's relation> (<columns>);".
[[nodiscard]] std::string CreateIndexSql(const model::PlanNode& scan, const std::vector<std::string>& columns);

}  // namespace optischema::analyzer::internal
