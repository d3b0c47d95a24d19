#pragma once

#include <string>
#include <vector>

#include "model/check.hpp"
#include "pg/capabilities.hpp"

namespace optischema::server {

using model::Check;
using model::CheckStatus;

/// The outcome of testing a DSN: can OptiSchema watch this database, and what is missing.
struct ConnectionReport {
    bool ok = false;  // no check failed: collection can start
    std::string server_version;
    std::vector<Check> checks;
};

/// Connects and checks everything OptiSchema needs, each with its exact fix: the connection itself,
/// pg_stat_statements loaded and created, the right to read every role's statements, HypoPG for
/// what-if costing (a warning: only the advisor needs it), track settings. Never changes the database.
[[nodiscard]] ConnectionReport TestConnection(const std::string& dsn);

/// The checks of an open connection's capabilities (TestConnection without the connect step).
[[nodiscard]] std::vector<Check> CapabilityChecks(const pg::Capabilities& caps);

}  // namespace optischema::server
