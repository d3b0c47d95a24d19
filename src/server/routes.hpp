#pragma once

#include <nlohmann/json.hpp>

#include "api/metrics.hpp"
#include "api/router.hpp"
#include "api/stream_hub.hpp"
#include "sandbox/cluster_host.hpp"
#include "server/auth_service.hpp"
#include "server/config.hpp"
#include "server/llm_service.hpp"
#include "server/running_changes.hpp"
#include "server/target_service.hpp"
#include "server/view_cache.hpp"
#include "store/store_pool.hpp"

namespace optischema::server {

/// What the routes call. Everything outlives the router.
struct Services {
    const ServeConfig& config;
    store::StorePool& store;
    TargetService& targets;
    AuthService& auth;
    api::StreamHub& hub;
    api::MetricsRegistry& metrics;
    ViewCache& views;
    LlmService& llm;
    sandbox::ClusterHost& clusters;  // the managed sandboxes of validations, shared while they run
    RunningChanges& changes;         // the index builds running here, to cancel from the API
};

/// Registers every endpoint of docs/API.md: decode the request, call a service, encode JSON.
void RegisterRoutes(api::Router& router, Services& services);
/// The AI assistant's endpoints (routes_ai.cpp); RegisterRoutes calls it.
void RegisterAiRoutes(api::Router& router, Services& services);
/// Recommendations, validate, apply (and cancel), rollback, impact and the audit log (routes_changes.cpp).
void RegisterChangeRoutes(api::Router& router, Services& services);
/// Login, logout, the current user, and user administration (routes_accounts.cpp).
void RegisterAccountRoutes(api::Router& router, Services& services);
/// API tokens: create, list, revoke (routes_tokens.cpp).
void RegisterTokenRoutes(api::Router& router, Services& services);

/// The view of a target's statements over [from, to], as JSON (GET .../statements).
[[nodiscard]] Result<std::string> RenderStatements(Services& services,
                                                   std::int64_t target_id,
                                                   TimePoint from,
                                                   TimePoint to,
                                                   std::size_t limit,
                                                   const std::string& search);
/// The ViewCache key of the default statements view.
[[nodiscard]] std::string StatementsViewKey(std::size_t limit, const std::string& search);
/// The overview of a target, as JSON (GET .../overview).
[[nodiscard]] Result<std::string> RenderOverview(Services& services, std::int64_t target_id);
inline constexpr const char* kOverviewViewKey = "overview";

/// `{"fingerprint", "query", "calls", "total_ms", "mean_ms", "rows", "share", "cache_hit_pct", ...}`.
[[nodiscard]] nlohmann::json StatementJson(const model::StatementGroup& g, double total_ms);

/// A target with its status, as the API shows it.
[[nodiscard]] nlohmann::json TargetJson(const TargetView& view);

}  // namespace optischema::server
