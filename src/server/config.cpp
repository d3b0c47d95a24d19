#include "server/config.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>
#include <set>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "api/request_pipeline.hpp"
#include "guard/gate.hpp"
#include "llm/client.hpp"
#include "pg/dsn.hpp"

namespace optischema::server {
namespace {

Error ConfigError(const std::filesystem::path& file, const toml::source_region& where, const std::string& what) {
    return Error{ErrorCode::kInvalidArgument, fmt::format("{}:{}: {}", file.string(), where.begin.line, what), {}};
}

Result<void> RejectUnknown(const std::filesystem::path& file,
                           const toml::table& table,
                           const std::set<std::string>& known,
                           const std::string& section) {
    for (const auto& [key, node] : table) {
        if (!known.contains(std::string(key.str()))) {
            return tl::unexpected(
                ConfigError(file, node.source(), fmt::format("unknown setting {}{}", section, std::string(key.str()))));
        }
    }
    return {};
}

template <typename T>
Result<void> Read(const std::filesystem::path& file, const toml::table& table, const char* key, T& out) {
    const toml::node* node = table.get(key);
    if (node == nullptr) return {};
    if (auto v = node->value<T>()) {
        out = *v;
        return {};
    }
    return tl::unexpected(ConfigError(file, node->source(), fmt::format("{} has the wrong type", key)));
}

Result<void> ReadLlm(const std::filesystem::path& file, const toml::table& table, LlmConfig& llm) {
    if (auto ok = RejectUnknown(file, table,
                                {"provider", "base_url", "model", "api_key_file", "timeout_s", "input_usd_per_mtok",
                                 "output_usd_per_mtok", "cache_ttl_hours"},
                                "llm.");
        !ok) {
        return ok;
    }
    std::string key_file;
    std::int64_t timeout = llm.timeout_s, ttl = llm.cache_ttl_hours;
    std::optional<double> input_price, output_price;
    for (auto ok : {Read(file, table, "provider", llm.provider), Read(file, table, "base_url", llm.base_url),
                    Read(file, table, "model", llm.model), Read(file, table, "api_key_file", key_file),
                    Read(file, table, "timeout_s", timeout), Read(file, table, "cache_ttl_hours", ttl)}) {
        if (!ok) return ok;
    }
    for (const char* key : {"input_usd_per_mtok", "output_usd_per_mtok"}) {
        const toml::node* node = table.get(key);
        if (node == nullptr) continue;
        auto v = node->value<double>();  // an integer converts too
        if (!v || *v < 0)
            return tl::unexpected(ConfigError(file, node->source(), fmt::format("{} must be a number >= 0", key)));
        (std::string_view(key) == "input_usd_per_mtok" ? input_price : output_price) = *v;
    }
    if (input_price.has_value() != output_price.has_value()) {
        return tl::unexpected(ConfigError(file, table.source(),
                                          "give both llm.input_usd_per_mtok and llm.output_usd_per_mtok, or neither"));
    }
    if (input_price) llm.price_usd_per_mtok = {*input_price, *output_price};
    if (!llm.provider.empty()) {
        if (auto kind = llm::ParseProviderKind(llm.provider); !kind) {
            return tl::unexpected(ConfigError(file, table.source(), kind.error().message));
        }
    }
    if (timeout < 1 || timeout > 3600) {
        return tl::unexpected(ConfigError(file, table.source(), "llm.timeout_s must be between 1 and 3600"));
    }
    if (ttl < 0) return tl::unexpected(ConfigError(file, table.source(), "llm.cache_ttl_hours must be >= 0"));
    llm.timeout_s = static_cast<int>(timeout);
    llm.cache_ttl_hours = static_cast<int>(ttl);
    if (!key_file.empty()) llm.api_key_file = key_file;
    return {};
}

Result<void> ReadOverview(const std::filesystem::path& file,
                          const toml::table& table,
                          analyzer::OverviewThresholds& thresholds) {
    if (auto ok = RejectUnknown(file, table,
                                {"cache_hit_pct_min", "slow_mean_ms", "temp_written_mb_max", "round_trip_p95_ms"},
                                "overview.");
        !ok) {
        return ok;
    }
    constexpr double kNoMax = std::numeric_limits<double>::max();
    struct Limit {
        const char* key;
        double& value;
        double max;
        const char* what;  // completes "must be ..."
    };
    for (const Limit& limit :
         {Limit{"cache_hit_pct_min", thresholds.cache_hit_pct_min, 100, "a percentage between 0 and 100"},
          Limit{"slow_mean_ms", thresholds.slow_mean_ms, kNoMax, "a number of milliseconds >= 0"},
          Limit{"temp_written_mb_max", thresholds.temp_written_mb_max, kNoMax, "a number of megabytes >= 0"},
          Limit{"round_trip_p95_ms", thresholds.round_trip_p95_ms, kNoMax, "a number of milliseconds >= 0"}}) {
        const toml::node* node = table.get(limit.key);
        if (node == nullptr) continue;
        const auto v = node->value<double>();  // an integer converts too
        if (!v || !std::isfinite(*v) || *v < 0 || *v > limit.max) {
            return tl::unexpected(ConfigError(
                file, node->source(),
                fmt::format("overview.{} must be {}, e.g. {} = {}", limit.key, limit.what, limit.key, limit.value)));
        }
        limit.value = *v;
    }
    return {};
}

Result<void> ReadLimits(const std::filesystem::path& file, const toml::table& table, ServeConfig& config) {
    if (auto ok =
            RejectUnknown(file, table, {"connections_per_address", "header_timeout_s", "view_cache_mb"}, "limits.");
        !ok) {
        return ok;
    }
    struct Limit {
        const char* key;
        std::int64_t min;
        std::int64_t max;
        std::int64_t value;
    };
    Limit limits[] = {{"connections_per_address", 1, 100000, config.connections_per_address},
                      {"header_timeout_s", 1, 3600, config.header_timeout_s},
                      {"view_cache_mb", 1, 1 << 20, static_cast<std::int64_t>(config.view_cache_bytes >> 20)}};
    for (Limit& limit : limits) {
        const toml::node* node = table.get(limit.key);
        if (node == nullptr) continue;
        const auto v = node->value_exact<std::int64_t>();
        if (!v || *v < limit.min || *v > limit.max) {
            return tl::unexpected(ConfigError(
                file, node->source(),
                fmt::format("limits.{} must be a whole number from {} to {}", limit.key, limit.min, limit.max)));
        }
        limit.value = *v;
    }
    config.connections_per_address = static_cast<int>(limits[0].value);
    config.header_timeout_s = static_cast<int>(limits[1].value);
    config.view_cache_bytes = static_cast<std::size_t>(limits[2].value) << 20;
    return {};
}

// security.allow_functions: the guard's allowlist, each entry checked.
Result<void> ReadAllowFunctions(const std::filesystem::path& file, const toml::table& table,
                                std::vector<std::string>& out) {
    const toml::node* allow = table.get("allow_functions");
    if (allow == nullptr) return {};
    const toml::array* list = allow->as_array();
    if (list == nullptr) {
        return tl::unexpected(ConfigError(
            file, allow->source(), "security.allow_functions is a list, e.g. [\"public.my_func\", \"extension:pg_trgm\"]"));
    }
    for (const toml::node& entry : *list) {
        const auto name = entry.value<std::string>();
        auto ok = name ? guard::ValidateAllowEntry(*name)
                       : Result<void>(MakeError(ErrorCode::kInvalidArgument, "its entries are strings"));
        if (!ok) {
            return tl::unexpected(ConfigError(file, entry.source(), "security.allow_functions: " + ok.error().message));
        }
        out.push_back(*name);
    }
    return {};
}

Result<void> ReadSecurity(const std::filesystem::path& file, const toml::table& table, ServeConfig& config) {
    if (auto ok = RejectUnknown(file, table, {"api_dsn_keywords", "allow_functions"}, "security."); !ok) return ok;
    if (auto ok = ReadAllowFunctions(file, table, config.allow_functions); !ok) return ok;
    ApiDsnPolicy& policy = config.api_dsns;
    const toml::node* node = table.get("api_dsn_keywords");
    if (node == nullptr) return {};
    const std::string choices = [] {
        std::string out;
        for (const auto keyword : pg::kServerSideDsnKeywords) out += (out.empty() ? "" : ", ") + std::string(keyword);
        return out;
    }();
    if (const auto all = node->value_exact<bool>()) {
        policy.trusted = *all;
        return {};
    }
    const toml::array* list = node->as_array();
    if (list == nullptr) {
        return tl::unexpected(ConfigError(
            file, node->source(),
            fmt::format("security.api_dsn_keywords is true (DSNs from the API may use any libpq keyword) or a list "
                        "of some of: {}",
                        choices)));
    }
    for (const toml::node& item : *list) {
        const auto keyword = item.value<std::string>();
        if (!keyword || std::find(std::begin(pg::kServerSideDsnKeywords), std::end(pg::kServerSideDsnKeywords),
                                  *keyword) == std::end(pg::kServerSideDsnKeywords)) {
            return tl::unexpected(ConfigError(
                file, item.source(),
                fmt::format("security.api_dsn_keywords lists keywords refused by default, some of: {}", choices)));
        }
        policy.allowed_keywords.push_back(*keyword);
    }
    return {};
}

}  // namespace

Result<ServeConfig> ParseConfig(std::string_view text, const std::filesystem::path& file, ServeConfig config) {
    toml::table root;
    try {
        root = toml::parse(text, file.string());
    } catch (const toml::parse_error& e) {
        return tl::unexpected(ConfigError(file, e.source(), std::string(e.description())));
    }
    if (auto ok = RejectUnknown(
            file, root,
            {"listen", "data_dir", "store", "secret_key_file", "static_dir", "auth", "targets", "llm", "retention",
             "overview", "latency_probe_s", "io_threads", "worker_threads", "trusted_proxies", "limits", "security"},
            "");
        !ok) {
        return tl::unexpected(ok.error());
    }
    std::string static_dir, key_file;
    for (auto ok : {Read(file, root, "listen", config.listen), Read(file, root, "data_dir", config.data_dir),
                    Read(file, root, "store", config.store_dsn), Read(file, root, "secret_key_file", key_file),
                    Read(file, root, "static_dir", static_dir)}) {
        if (!ok) return tl::unexpected(ok.error());
    }
    if (!static_dir.empty()) config.static_dir = static_dir;
    if (const toml::node* proxies = root.get("trusted_proxies")) {
        const toml::array* list = proxies->as_array();
        if (list == nullptr) {
            return tl::unexpected(ConfigError(file, proxies->source(), "trusted_proxies is a list of IP addresses"));
        }
        for (const toml::node& proxy : *list) {
            const auto address = proxy.value<std::string>();
            if (!address || !api::IsIpAddress(*address)) {
                return tl::unexpected(ConfigError(
                    file, proxy.source(), "trusted_proxies holds IP addresses such as \"10.0.0.5\" (not names)"));
            }
            config.trusted_proxies.push_back(*address);
        }
    }
    if (!key_file.empty()) config.secret_key_file = key_file;
    if (!config.store_dsn.empty()) {
        if (auto ok = pg::ValidateDsn(config.store_dsn); !ok) {
            return tl::unexpected(ConfigError(file, root.get("store")->source(), "store: " + ok.error().message));
        }
    }
    std::int64_t probe = config.latency_probe_s, io = config.io_threads, workers = config.worker_threads;
    for (auto ok : {Read(file, root, "latency_probe_s", probe), Read(file, root, "io_threads", io),
                    Read(file, root, "worker_threads", workers)}) {
        if (!ok) return tl::unexpected(ok.error());
    }
    config.latency_probe_s = static_cast<int>(probe);
    config.io_threads = static_cast<int>(io);
    config.worker_threads = static_cast<int>(workers);
    if (const toml::table* auth = root["auth"].as_table()) {
        if (auto ok = RejectUnknown(file, *auth, {"admin_password_file", "session_hours", "secure_cookies", "enabled"},
                                    "auth.");
            !ok) {
            return tl::unexpected(ok.error());
        }
        std::string password_file;
        std::int64_t hours = config.session_hours;
        for (auto ok :
             {Read(file, *auth, "admin_password_file", password_file), Read(file, *auth, "session_hours", hours),
              Read(file, *auth, "secure_cookies", config.secure_cookies), Read(file, *auth, "enabled", config.auth)}) {
            if (!ok) return tl::unexpected(ok.error());
        }
        if (!password_file.empty()) config.admin_password_file = password_file;
        config.session_hours = static_cast<int>(hours);
    }
    if (const toml::table* retention = root["retention"].as_table()) {
        if (auto ok = RejectUnknown(file, *retention, {"snapshots_days", "rollups_days"}, "retention."); !ok) {
            return tl::unexpected(ok.error());
        }
        std::int64_t snapshots = config.snapshot_retention_days, rollups = config.rollup_retention_days;
        for (auto ok :
             {Read(file, *retention, "snapshots_days", snapshots), Read(file, *retention, "rollups_days", rollups)}) {
            if (!ok) return tl::unexpected(ok.error());
        }
        for (auto [key, days] : {std::pair{"snapshots_days", snapshots}, std::pair{"rollups_days", rollups}}) {
            if (days < 0 || days > 100 * 365) {
                return tl::unexpected(ConfigError(file, retention->get(key)->source(),
                                                  fmt::format("retention.{} must be between 0 (keep forever) and "
                                                              "36500 days",
                                                              key)));
            }
        }
        config.snapshot_retention_days = static_cast<int>(snapshots);
        config.rollup_retention_days = static_cast<int>(rollups);
    }
    if (const toml::node* overview = root.get("overview")) {
        if (!overview->is_table()) {
            return tl::unexpected(ConfigError(file, overview->source(),
                                              "overview is a table: write [overview] and its thresholds below it"));
        }
        if (auto ok = ReadOverview(file, *overview->as_table(), config.overview); !ok) {
            return tl::unexpected(ok.error());
        }
    }
    for (const char* section : {"limits", "security"}) {
        const toml::node* node = root.get(section);
        if (node == nullptr) continue;
        const toml::table* table = node->as_table();
        if (table == nullptr) {
            return tl::unexpected(
                ConfigError(file, node->source(), fmt::format("{} is a table: write [{}]", section, section)));
        }
        auto ok = std::string_view(section) == "limits" ? ReadLimits(file, *table, config)
                                                        : ReadSecurity(file, *table, config);
        if (!ok) return tl::unexpected(ok.error());
    }
    if (const toml::table* llm = root["llm"].as_table()) {
        if (auto ok = ReadLlm(file, *llm, config.llm); !ok) return tl::unexpected(ok.error());
    }
    if (const toml::array* targets = root["targets"].as_array()) {
        for (const toml::node& node : *targets) {
            const toml::table* t = node.as_table();
            if (t == nullptr) return tl::unexpected(ConfigError(file, node.source(), "[[targets]] entries are tables"));
            if (auto ok = RejectUnknown(file, *t, {"name", "dsn", "interval_s", "production"}, "targets."); !ok) {
                return tl::unexpected(ok.error());
            }
            TargetConfig target;
            std::int64_t interval = target.interval_s;
            for (auto ok : {Read(file, *t, "name", target.name), Read(file, *t, "dsn", target.dsn),
                            Read(file, *t, "interval_s", interval), Read(file, *t, "production", target.production)}) {
                if (!ok) return tl::unexpected(ok.error());
            }
            target.interval_s = static_cast<int>(interval);
            if (target.name.empty() || target.dsn.empty()) {
                return tl::unexpected(ConfigError(file, node.source(), "a target needs a name and a dsn"));
            }
            if (target.interval_s < 1) {
                return tl::unexpected(ConfigError(file, node.source(), "interval_s must be at least 1"));
            }
            if (auto ok = pg::ValidateDsn(target.dsn); !ok) {
                return tl::unexpected(ConfigError(file, node.source(), ok.error().message));
            }
            config.targets.push_back(std::move(target));
        }
    }
    return config;
}

Result<ServeConfig> LoadConfig(const std::filesystem::path& file, ServeConfig defaults) {
    std::ifstream in(file, std::ios::binary);
    std::string text(std::istreambuf_iterator<char>(in), {});
    std::error_code ec;
    if (!in.is_open() || in.bad() || std::filesystem::is_directory(file, ec)) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            fmt::format("cannot read the config file {}: check that it exists and is readable", file.string()));
    }
    return ParseConfig(text, file, std::move(defaults));
}

Result<TargetConfig> ParseTargetFlag(const std::string& flag) {
    const auto eq = flag.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == flag.size()) {
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("--target takes NAME=DSN, e.g. --target shop=postgresql://localhost/shop"));
    }
    TargetConfig t;
    t.name = flag.substr(0, eq);
    t.dsn = flag.substr(eq + 1);
    if (auto ok = pg::ValidateDsn(t.dsn); !ok) return tl::unexpected(ok.error());
    return t;
}

}  // namespace optischema::server
