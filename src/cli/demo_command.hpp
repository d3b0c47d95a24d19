#pragma once

#include <string>

#include "common/error.hpp"

namespace optischema::cli {

struct DemoOptions {
    std::string data_dir;
    std::string listen = "127.0.0.1:8080";
    int interval_s = 5;
    int rate_tps = 40;  // pgbench transactions per second of the workload
};

/// `optischema demo`: a local PostgreSQL cluster in the data directory (pg_stat_statements, hypopg),
/// the shop database loaded on first use (200k customers, 1M orders, 1.5M order items), a workload of
/// fast lookups, slow queries that need indexes, anti-patterns and writes (pgbench), and the server
/// watching it, with the admin login printed. Ctrl-C stops all of it; the next run reuses the data.
[[nodiscard]] Result<int> RunDemo(const DemoOptions& options);

}  // namespace optischema::cli
