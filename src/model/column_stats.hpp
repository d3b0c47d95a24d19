#pragma once

#include <string>
#include <vector>

namespace optischema::model {

/// What pg_stats says about one column (after ANALYZE), plus its type.
struct ColumnStats {
    std::string data_type;  // format_type(), e.g. "integer", "timestamp with time zone"
    bool analyzed = false;  // false: the table was never analyzed, only data_type is set
    double null_frac = 0;
    double n_distinct = 0;  // negative: a fraction of the row count, as in pg_stats
    std::vector<std::string> most_common_vals;
    std::vector<double> most_common_freqs;
    std::vector<std::string> histogram_bounds;
};

}  // namespace optischema::model
