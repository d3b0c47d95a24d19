#include "server/serve.hpp"

#include <cstdlib>
#include <fstream>
#include <iostream>

#include <fmt/format.h>
#include <malloc.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include "api/http_server.hpp"
#include "api/metrics.hpp"
#include "api/request_pipeline.hpp"
#include "api/stream_hub.hpp"
#include "collector/ranking.hpp"
#include "common/format.hpp"
#include "common/strings.hpp"
#include "server/auth_service.hpp"
#include "server/periodic_task.hpp"
#include "server/routes.hpp"
#include "server/target_service.hpp"
#include "server/view_cache.hpp"
#include "store/open_store.hpp"

namespace optischema::server {
namespace {

namespace fs = std::filesystem;

Result<std::string> AdminPassword(const ServeConfig& config) {
    if (!config.admin_password_file.empty()) {
        std::ifstream in(config.admin_password_file);
        if (!in) {
            return MakeError(ErrorCode::kInvalidArgument, fmt::format("cannot read the admin password file {}",
                                                                      config.admin_password_file.string()));
        }
        std::string line;
        std::getline(in, line);
        return std::string(Trim(line));
    }
    if (const char* env = std::getenv("OPTISCHEMA_ADMIN_PASSWORD"); env != nullptr) return std::string(env);
    return std::string();
}

// The built dashboard next to the binary (web/dist of the source tree for a build directory).
fs::path DefaultStaticDir() {
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (ec) return {};
    for (const fs::path& candidate : {exe.parent_path().parent_path() / "web" / "dist",
                                      exe.parent_path() / "web" / "dist", fs::path("/usr/share/optischema/web")}) {
        if (fs::exists(candidate / "index.html")) return candidate;
    }
    return {};
}

nlohmann::json SnapshotEvent(std::int64_t target_id, const service::Cycle& cycle) {
    nlohmann::json statements = nlohmann::json::array();
    for (const auto& g : cycle.ranking.top) {
        if (statements.size() >= 10) break;
        statements.push_back(StatementJson(g, cycle.ranking.total_ms));
    }
    return {{"kind", "snapshot"},
            {"target_id", target_id},
            {"snapshot_id", cycle.snapshot_id},
            {"taken_at", IsoTime(cycle.collection.info.taken_at)},
            {"stored_at", IsoTime(std::chrono::system_clock::now())},
            {"delta", cycle.collection.deltas.has_value()},
            {"total_ms", Round3(cycle.ranking.total_ms)},
            {"statements", statements}};
}

// How often an instance heartbeats and rebalances the targets of a fleet between the instances.
constexpr std::chrono::milliseconds kBalanceEvery = std::chrono::seconds(5);

// The same event for a snapshot another instance of the fleet collected and stored.
nlohmann::json RemoteSnapshotEvent(std::int64_t target_id,
                                   const store::SnapshotRecord& snapshot,
                                   const std::vector<model::StatementGroup>& groups) {
    nlohmann::json statements = nlohmann::json::array();
    for (const auto& g : groups) {
        if (statements.size() >= 10) break;
        if (g.fingerprint == "other") continue;
        statements.push_back(StatementJson(g, snapshot.total_ms));
    }
    return {{"kind", "snapshot"},
            {"target_id", target_id},
            {"snapshot_id", snapshot.id},
            {"taken_at", IsoTime(snapshot.info.taken_at)},
            {"stored_at", IsoTime(std::chrono::system_clock::now())},
            {"delta", snapshot.interval_ms.has_value()},
            {"total_ms", Round3(snapshot.total_ms)},
            {"statements", statements}};
}

}  // namespace

Result<int> RunServe(ServeConfig config) {
    // Signals are taken by sigwait on this thread only: every thread started from here inherits the mask.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    // glibc gives each thread that allocates concurrently an arena of its own, up to 8 per core; the
    // collectors' large, short-lived snapshots then leave freed memory in many arenas. Four arenas cut
    // the resident size with 10 targets of 5,000 statements from 144 to 127 MB at the same latency
    // (bench/api/run.sh). An explicit MALLOC_ARENA_MAX in the environment wins.
    if (std::getenv("MALLOC_ARENA_MAX") == nullptr) mallopt(M_ARENA_MAX, 4);

    if (!config.auth && !api::IsLoopbackHost(config.listen)) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            fmt::format("authentication is off (--no-auth or [auth] enabled = false), which makes everyone "
                        "an admin, so the server may only listen on this machine: use --listen "
                        "127.0.0.1:PORT instead of {}, or turn authentication on",
                        config.listen));
    }
    if (std::error_code ec; !fs::create_directories(config.data_dir, ec) && ec) {
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("cannot create the data directory {}: {}", config.data_dir, ec.message()));
    }
    // One made before OptiSchema set its umask, or by hand, is closed too: it holds the store and the key.
    if (std::error_code ec; fs::permissions(config.data_dir, fs::perms::owner_all, fs::perm_options::replace, ec), ec) {
        spdlog::warn("cannot make the data directory {} private (mode 0700): {}", config.data_dir, ec.message());
    }
    const store::StoreLocation location =
        config.store_dsn.empty() ? store::StoreLocation{store::StoreLocation::Kind::kSqlite, config.data_dir}
                                 : store::StoreLocation{store::StoreLocation::Kind::kPostgres, config.store_dsn};
    auto open_store = [location] { return store::OpenStore(location); };
    std::vector<std::unique_ptr<store::Store>> stores;
    for (int i = 0; i < std::max(1, config.worker_threads); ++i) {
        auto opened = open_store();
        if (!opened) return tl::unexpected(opened.error());
        stores.push_back(std::move(*opened));
    }
    store::StorePool store(std::move(stores));
    auto claims = store::OpenClaims(location, kBalanceEvery);
    if (!claims) return tl::unexpected(claims.error());
    if (location.kind == store::StoreLocation::Kind::kPostgres) {
        std::cout << fmt::format("Store: {} (shared; this instance is {})\n", location.Display(),
                                 (*claims)->Instance().name);
    }
    auto secrets = api::SecretBox::LoadOrCreate(
        config.secret_key_file.empty() ? fs::path(config.data_dir) / "secret.key" : config.secret_key_file);
    if (!secrets) return tl::unexpected(secrets.error());
    SystemClock clock;
    AuthService auth(store, clock, {std::chrono::hours(config.session_hours), config.secure_cookies, config.auth});
    if (config.auth) {
        auto password = AdminPassword(config);
        if (!password) return tl::unexpected(password.error());
        auto bootstrapped = auth.Bootstrap(*password);
        if (!bootstrapped) return tl::unexpected(bootstrapped.error());
        if (*bootstrapped && !(*bootstrapped)->empty()) {
            std::cout << "Created the user admin with the password " << **bootstrapped
                      << " (shown once: change it in Settings)\n";
        }
    }

    // Expired sessions and long-ended API tokens are deleted at start and then every hour.
    PeriodicTask credential_cleanup(std::chrono::hours(1), [&auth] {
        if (auto purged = auth.DeleteEndedCredentials(); !purged) {
            spdlog::warn("cannot delete expired sessions and API tokens: {}", purged.error().message);
        } else if (purged->sessions + purged->api_tokens > 0) {
            spdlog::info("deleted {} expired sessions and {} ended API tokens", purged->sessions, purged->api_tokens);
        }
    });

    LlmService llm(config.llm, store, *secrets, config.data_dir);
    if (auto ok = llm.Open(); !ok) spdlog::warn("AI answers will not be cached: {}", ok.error().message);

    api::MetricsRegistry metrics;
    api::StreamHub hub(&metrics);
    auto& snapshots = metrics.GetCounter("optischema_snapshots_total", "Snapshots collected");
    ViewCache views(std::chrono::seconds(30), 256, config.view_cache_bytes);
    std::function<void(std::int64_t)> refresh_views;  // set before any collector starts
    WorkerOptions worker_options;
    worker_options.latency_every = std::chrono::seconds(std::max(1, config.latency_probe_s));
    auto retention = [](int days) -> std::optional<std::chrono::hours> {
        if (days <= 0) return std::nullopt;
        return std::chrono::hours(24 * days);
    };
    worker_options.keep_snapshots = retention(config.snapshot_retention_days);
    worker_options.keep_rollups = retention(config.rollup_retention_days);
    TargetService targets(
        store, *secrets, open_store, worker_options,
        [&hub, &snapshots, &views, &refresh_views](std::int64_t target_id, const service::Cycle& cycle) {
            snapshots.Increment();
            views.Invalidate(target_id);
            hub.Broadcast(fmt::format("target:{}", target_id), SnapshotEvent(target_id, cycle));
            refresh_views(target_id);
        },
        **claims,
        [&hub, &store, &views, &refresh_views](std::int64_t target_id, const store::SnapshotRecord& snapshot) {
            views.Invalidate(target_id);
            auto groups = store.With([&](store::Store& s) { return s.SnapshotGroups(snapshot.id); });
            hub.Broadcast(
                fmt::format("target:{}", target_id),
                RemoteSnapshotEvent(target_id, snapshot, groups ? *groups : std::vector<model::StatementGroup>{}));
            refresh_views(target_id);
        },
        kBalanceEvery);

    targets.SetApiDsnPolicy(config.api_dsns);

    api::Router router;
    // One managed cluster per major version for the validations of all requests, kept running while the
    // server runs (a validation never stops it under another).
    sandbox::ClusterHost clusters(fs::path(config.data_dir) / "sandbox", {.keep_running = true});
    RunningChanges changes;
    Services services{config, store, targets, auth, hub, metrics, views, llm, clusters, changes};
    RegisterRoutes(router, services);
    // The views dashboards poll are rendered once per snapshot, on the collector's thread, not per request.
    refresh_views = [&services, &views](std::int64_t target_id) {
        const TimePoint now = std::chrono::system_clock::now();
        views.Refresh(target_id, StatementsViewKey(50, ""),
                      [&] { return RenderStatements(services, target_id, now - std::chrono::hours(1), now, 50, ""); });
        views.Refresh(target_id, kOverviewViewKey, [&] { return RenderOverview(services, target_id); });
    };
    if (auto ok = targets.Start(config.targets); !ok) return tl::unexpected(ok.error());
    api::HttpServerOptions options;
    options.static_dir = config.static_dir.empty() ? DefaultStaticDir() : config.static_dir;
    options.authenticate = [&auth](const api::HttpRequest& request) { return auth.Authenticate(request); };
    options.metrics = &metrics;
    options.stream_hub = &hub;
    options.trusted_proxies = config.trusted_proxies;
    options.worker_threads = config.worker_threads;
    options.max_connections_per_address = static_cast<std::size_t>(std::max(1, config.connections_per_address));
    options.header_timeout = std::chrono::seconds(std::max(1, config.header_timeout_s));
    api::HttpServer http(router, options);
    auto port = http.Start(config.listen, config.io_threads);
    if (!port) {
        targets.Stop();
        return tl::unexpected(port.error());
    }
    const std::string host = config.listen.substr(0, config.listen.rfind(':'));
    std::cout << fmt::format("OptiSchema is listening on http://{}:{}{}\n", host == "0.0.0.0" ? "localhost" : host,
                             *port, options.static_dir.empty() ? " (API only: the dashboard is not built)" : "")
              << std::flush;

    int signal = 0;
    sigwait(&stop_signals, &signal);
    spdlog::info("received signal {}: stopping", signal);
    http.Stop();
    targets.Stop();
    std::cout << "OptiSchema stopped.\n" << std::flush;
    return 0;
}

}  // namespace optischema::server
