#pragma once

#include <nlohmann/json.hpp>

#include "api/metrics.hpp"
#include "api/router.hpp"
#include "api/stream_hub.hpp"
#include "server/auth_service.hpp"
#include "server/config.hpp"
#include "server/locked_store.hpp"
#include "server/target_service.hpp"

namespace optischema::server {

/// What the routes call. Everything outlives the router.
struct Services {
    const ServeConfig& config;
    LockedStore& store;
    TargetService& targets;
    AuthService& auth;
    api::StreamHub& hub;
    api::MetricsRegistry& metrics;
};

/// Registers every endpoint of docs/API.md: decode the request, call a service, encode JSON.
void RegisterRoutes(api::Router& router, Services& services);

/// `{"fingerprint", "query", "calls", "total_ms", "mean_ms", "rows", "share", "cache_hit_pct", ...}`.
[[nodiscard]] nlohmann::json StatementJson(const model::StatementGroup& g, double total_ms);

/// A target with its status, as the API shows it.
[[nodiscard]] nlohmann::json TargetJson(const TargetView& view);

}  // namespace optischema::server
