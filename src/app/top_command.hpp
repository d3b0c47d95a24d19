#pragma once

#include <string>

#include "common/error.hpp"

namespace optischema::app {

struct TopOptions {
    std::string dsn;
    std::string data_dir;
    std::string store_dsn;  // a shared PostgreSQL store (--store); empty: SQLite in data_dir
    double interval_s = 0;  // 0: rank by the counters since the last reset
    std::size_t limit = 20;
    std::string format = "table";  // or "json"
    bool all_databases = false;
    bool own_statements_only = false;
};

/// `optischema top`: ranks the statements that cost the most time and prints them.
[[nodiscard]] Result<std::string> RunTop(const TopOptions& options);

}  // namespace optischema::app
