#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/overview_checks.hpp"
#include "common/error.hpp"

namespace optischema::server {

/// A target named in the config file or on the command line.
struct TargetConfig {
    std::string name;
    std::string dsn;
    int interval_s = 60;
    bool production = true;
};

/// The AI assistant as the config file sets it; the dashboard's settings, once saved, take its place.
struct LlmConfig {
    std::string provider;                // "openai" (any OpenAI-compatible server) or "gemini"; empty: none
    std::string base_url;                // empty: the provider's public endpoint
    std::string model;                   // empty: the provider's default
    std::filesystem::path api_key_file;  // else OPTISCHEMA_LLM_API_KEY
    int timeout_s = 120;
    std::vector<double> price_usd_per_mtok;  // {input, output}; empty: costs are unknown
    int cache_ttl_hours = 24 * 7;
};

/// How DSNs given through the API (targets added or edited there, connection tests) are used. Those of
/// the config file and the command line are the operator's, and always used as they are.
struct ApiDsnPolicy {
    bool trusted = false;  // `[security] api_dsn_keywords = true`: as they are, like the config file's
    std::vector<std::string> allowed_keywords;  // `= ["sslrootcert"]`: these of pg::kServerSideDsnKeywords
};

/// The setting that allows a keyword in API DSNs, for error messages.
inline constexpr std::string_view kApiDsnKeywordsSetting = "[security] api_dsn_keywords = [\"<keyword>\"]";

/// Everything `optischema serve` needs: the config file (TOML) with command-line values on top.
struct ServeConfig {
    std::string listen = "127.0.0.1:8080";
    std::string data_dir;
    std::string store_dsn;  // a PostgreSQL store shared by a fleet of instances; empty: SQLite in data_dir
    std::filesystem::path secret_key_file;      // encrypts DSNs and keys; empty: <data_dir>/secret.key. A fleet's
                                                // instances share one.
    std::filesystem::path static_dir;           // the built dashboard; empty: the API only
    std::filesystem::path admin_password_file;  // else OPTISCHEMA_ADMIN_PASSWORD, else generated and printed once
    int session_hours = 12;
    bool secure_cookies = false;  // set when users reach the server over HTTPS (a TLS proxy in front)
    bool auth = true;             // false: no login, everyone is admin (only for a local, single-user setup)
    std::vector<std::string> trusted_proxies;  // reverse proxies (IP addresses) whose X-Forwarded-For names
                                               // the client: login limits, logs and the audit trail use it
    int latency_probe_s = 60;                  // how often connection latency is measured per target
    int snapshot_retention_days = 30;          // snapshots and latency samples; 0: kept forever
    int rollup_retention_days = 400;           // hourly rollups, which keep long ranges cheap; 0: kept forever
    int io_threads = 2;
    int worker_threads = 4;
    int connections_per_address = 64;  // [limits]: open connections per client address (an IPv6 /64)
    int header_timeout_s = 10;         // [limits]: a request head must arrive within this
    std::size_t view_cache_bytes = std::size_t{64} << 20;  // [limits] view_cache_mb: rendered views kept
    ApiDsnPolicy api_dsns;                                 // [security]
    std::vector<TargetConfig> targets;
    LlmConfig llm;
    analyzer::OverviewThresholds overview;  // where the overview's health checks turn from pass to warn
    std::vector<std::string> allow_functions;  // [security]: functions outside pg_catalog statements may call (guard)
};

/// Reads a TOML config file:
///
///     listen = "0.0.0.0:8080"
///     data_dir = "/var/lib/optischema"
///     store = "postgresql://optischema@storedb/optischema"   # a fleet's shared store (optional)
///     secret_key_file = "/etc/optischema/secret.key"         # the same file on every instance of a fleet
///     static_dir = "/usr/share/optischema/web"
///     trusted_proxies = ["10.0.0.5"]   # a TLS proxy in front: the client's address from X-Forwarded-For
///     [auth]
///     admin_password_file = "/etc/optischema/admin-password"
///     session_hours = 12
///     secure_cookies = true
///     [retention]
///     snapshots_days = 30      # snapshots and latency samples (0: forever)
///     rollups_days = 400       # hourly rollups: long ranges after the snapshots are gone (0: forever)
///     [overview]               # the health checks' thresholds (these are the defaults)
///     cache_hit_pct_min = 99   # warn when less of the last hour's shared blocks came from the cache
///     slow_mean_ms = 100       # warn about statements whose mean time is above this
///     temp_written_mb_max = 0  # warn when statements wrote more MB than this to temporary files
///     round_trip_p95_ms = 5    # warn when the p95 of SELECT 1 is not below this
///     [limits]
///     connections_per_address = 64  # open connections per client address (an IPv6 /64 is one)
///     header_timeout_s = 10         # a request's head must arrive within this (slowloris)
///     view_cache_mb = 64            # the rendered dashboard views kept in memory
///     [security]
///     api_dsn_keywords = ["sslrootcert"]  # libpq keywords DSNs from the API may use (true: any)
///     allow_functions = ["extension:pg_trgm", "app.price_with_tax"]  # outside pg_catalog, statements may
///                                   # call these: explain, advise, validate and apply run them as OptiSchema
///     [[targets]]
///     name = "orders"
///     dsn = "postgresql://optischema@db1/orders"
///     interval_s = 60
///     production = true
///     [llm]
///     provider = "openai"
///     base_url = "https://api.deepseek.com/v1"
///     model = "deepseek-chat"
///     api_key_file = "/etc/optischema/llm-key"
///     input_usd_per_mtok = 0.27
///     output_usd_per_mtok = 1.10
///
/// Unknown keys are errors (a typo must not silently do nothing); every error names the key and line.
[[nodiscard]] Result<ServeConfig> LoadConfig(const std::filesystem::path& file, ServeConfig defaults);

/// LoadConfig of a config file's text; `file` only names it in errors.
[[nodiscard]] Result<ServeConfig> ParseConfig(std::string_view text,
                                              const std::filesystem::path& file,
                                              ServeConfig defaults);

/// Parses "NAME=DSN" from `--target`.
[[nodiscard]] Result<TargetConfig> ParseTargetFlag(const std::string& flag);

}  // namespace optischema::server
