#pragma once

#include "common/error.hpp"
#include "server/config.hpp"

namespace optischema::server {

/// `optischema serve`: opens the store, creates the admin user on first start, starts a collector per
/// target and the HTTP/WebSocket server, prints the URL, and runs until SIGINT or SIGTERM. Then it
/// stops accepting requests, lets in-flight requests and collections finish, and returns 0.
[[nodiscard]] Result<int> RunServe(ServeConfig config);

}  // namespace optischema::server
