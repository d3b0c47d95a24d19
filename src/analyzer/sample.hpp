#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "model/column_stats.hpp"
#include "model/parsed_query.hpp"

/// Runnable samples of normalized statements: pg_stat_statements shows `$1..$n`, which cannot be
/// EXPLAINed; a sample substitutes realistic values chosen from pg_stats. Pure.
namespace optischema::analyzer {

/// How the statement uses one `$n`.
struct ParamUse {
    int number = 0;
    std::string relation;   // table compared with, when known
    std::string column;     // column compared with, when known
    std::string op;         // "=", "<", ">=", "IN", "BETWEEN", "~~", "LIMIT", "OFFSET", ... ; empty when unknown
    int list_position = 0;  // position in an IN list or BETWEEN (0-based)
    int list_size = 1;
};

/// The first use of every `$n` in the statement, indexed by n - 1 (a param never compared with a
/// column keeps an empty column and op).
[[nodiscard]] std::vector<ParamUse> ParamUses(const model::ParsedQuery& query);

/// What is known about one `$n` when choosing its value.
struct ParamContext {
    ParamUse use;
    std::string type;                         // as PostgreSQL inferred it, e.g. "integer"
    std::optional<model::ColumnStats> stats;  // of the compared column, when there is one
};

/// The chosen value of one parameter.
struct SampleParam {
    int number = 0;
    std::string type;
    std::string value;   // the SQL literal substituted, e.g. '42'::integer
    std::string source;  // why this value: "most common value (31% of rows)", "histogram median", ...
};

/// A statement with every `$n` replaced by a literal.
struct RunnableSample {
    std::string sql;
    std::vector<SampleParam> params;
};

/// Chooses a typical value for each parameter from its column's statistics (the most common value
/// for equality, a histogram bound selecting ~10% for a range, a prefix for LIKE, 20 for LIMIT...)
/// and substitutes them at the parameters' locations. `params` is indexed by n - 1.
[[nodiscard]] Result<RunnableSample> BuildSample(std::string_view normalized_sql,
                                                 const model::ParsedQuery& query,
                                                 const std::vector<ParamContext>& params);

}  // namespace optischema::analyzer
