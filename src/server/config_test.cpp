#include "server/config.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <unistd.h>

namespace optischema::server {
namespace {

namespace fs = std::filesystem;

/// A config file with `text`, removed afterwards.
class ConfigFile {
public:
    explicit ConfigFile(const std::string& text) {
        std::string pattern = (fs::temp_directory_path() / "optischema_config_XXXXXX").string();
        const int fd = mkstemp(pattern.data());
        if (fd < 0) throw std::runtime_error("mkstemp failed");
        close(fd);
        path_ = pattern;
        std::ofstream(path_) << text;
    }
    ~ConfigFile() {
        std::error_code ec;
        fs::remove(path_, ec);
    }
    [[nodiscard]] const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

Result<ServeConfig> Load(const std::string& text) {
    ConfigFile file(text);
    return LoadConfig(file.path(), ServeConfig{});
}

TEST(LoadConfig, ReadsEverySection) {
    auto config = Load(R"(
listen = "0.0.0.0:9000"
data_dir = "/var/lib/optischema"
[auth]
session_hours = 4
secure_cookies = true
[retention]
snapshots_days = 14
rollups_days = 0
[[targets]]
name = "orders"
dsn = "postgresql://optischema@db1/orders"
interval_s = 30
production = false
[llm]
provider = "openai"
base_url = "https://api.deepseek.com/v1"
model = "deepseek-chat"
api_key_file = "/etc/optischema/llm-key"
timeout_s = 90
input_usd_per_mtok = 0.27
output_usd_per_mtok = 1
cache_ttl_hours = 24
)");
    ASSERT_TRUE(config) << config.error().message;
    EXPECT_EQ(config->listen, "0.0.0.0:9000");
    EXPECT_EQ(config->session_hours, 4);
    EXPECT_TRUE(config->secure_cookies);
    EXPECT_EQ(config->snapshot_retention_days, 14);
    EXPECT_EQ(config->rollup_retention_days, 0) << "0 keeps the rollups forever";
    ASSERT_EQ(config->targets.size(), 1u);
    EXPECT_EQ(config->targets[0].interval_s, 30);
    EXPECT_FALSE(config->targets[0].production);
    EXPECT_EQ(config->llm.provider, "openai");
    EXPECT_EQ(config->llm.base_url, "https://api.deepseek.com/v1");
    EXPECT_EQ(config->llm.model, "deepseek-chat");
    EXPECT_EQ(config->llm.api_key_file, fs::path("/etc/optischema/llm-key"));
    EXPECT_EQ(config->llm.timeout_s, 90);
    EXPECT_EQ(config->llm.price_usd_per_mtok, (std::vector<double>{0.27, 1.0})) << "an integer price is a number too";
    EXPECT_EQ(config->llm.cache_ttl_hours, 24);
}

TEST(LoadConfig, WithoutAnLlmSectionThereIsNoAssistant) {
    auto config = Load("listen = \"127.0.0.1:8080\"\n");
    ASSERT_TRUE(config) << config.error().message;
    EXPECT_TRUE(config->llm.provider.empty());
    EXPECT_TRUE(config->llm.price_usd_per_mtok.empty());
    EXPECT_EQ(config->snapshot_retention_days, 30);
    EXPECT_EQ(config->rollup_retention_days, 400);
}

TEST(LoadConfig, MistakesNameTheKeyAndTheLine) {
    auto typo = Load("listen = \"127.0.0.1:8080\"\n[llm]\nprovider = \"openai\"\nmodle = \"x\"\n");
    ASSERT_FALSE(typo);
    EXPECT_NE(typo.error().message.find(":4: unknown setting llm.modle"), std::string::npos) << typo.error().message;

    auto provider = Load("[llm]\nprovider = \"claude-direct\"\n");
    ASSERT_FALSE(provider);
    EXPECT_NE(provider.error().message.find("claude-direct"), std::string::npos) << provider.error().message;

    auto half_price = Load("[llm]\nprovider = \"openai\"\ninput_usd_per_mtok = 0.5\n");
    ASSERT_FALSE(half_price);
    EXPECT_NE(half_price.error().message.find("or neither"), std::string::npos) << half_price.error().message;

    auto negative = Load("[llm]\ninput_usd_per_mtok = -1\noutput_usd_per_mtok = 1\n");
    ASSERT_FALSE(negative);
    EXPECT_NE(negative.error().message.find(":2: input_usd_per_mtok must be a number >= 0"), std::string::npos)
        << negative.error().message;

    auto timeout = Load("[llm]\ntimeout_s = 0\n");
    ASSERT_FALSE(timeout);
    EXPECT_NE(timeout.error().message.find("timeout_s must be between 1 and 3600"), std::string::npos);

    auto retention = Load("[retention]\nsnapshots_days = -1\n");
    ASSERT_FALSE(retention);
    EXPECT_NE(retention.error().message.find(":2: retention.snapshots_days must be between 0"), std::string::npos)
        << retention.error().message;

    auto proxy_name = Load("trusted_proxies = [\"10.0.0.5\", \"proxy.internal\"]\n");
    ASSERT_FALSE(proxy_name);
    EXPECT_NE(proxy_name.error().message.find(":1: trusted_proxies holds IP addresses"), std::string::npos)
        << proxy_name.error().message;
    auto proxies = Load("trusted_proxies = [\"10.0.0.5\", \"::1\"]\n");
    ASSERT_TRUE(proxies) << proxies.error().message;
    EXPECT_EQ(proxies->trusted_proxies, (std::vector<std::string>{"10.0.0.5", "::1"}));

    auto wrong_type = Load("[llm]\nmodel = 4\n");
    ASSERT_FALSE(wrong_type);
    EXPECT_NE(wrong_type.error().message.find("model has the wrong type"), std::string::npos);
}

TEST(LoadConfig, OverviewThresholdsDefaultToTheDashboards) {
    auto config = Load("listen = \"127.0.0.1:8080\"\n");
    ASSERT_TRUE(config) << config.error().message;
    EXPECT_EQ(config->overview.cache_hit_pct_min, 99);
    EXPECT_EQ(config->overview.slow_mean_ms, 100);
    EXPECT_EQ(config->overview.temp_written_mb_max, 0);
    EXPECT_EQ(config->overview.round_trip_p95_ms, 5);
}

TEST(LoadConfig, ReadsOverviewThresholds) {
    auto config = Load(R"(
[overview]
cache_hit_pct_min = 95.5
slow_mean_ms = 250
temp_written_mb_max = 512
round_trip_p95_ms = 20
)");
    ASSERT_TRUE(config) << config.error().message;
    EXPECT_EQ(config->overview.cache_hit_pct_min, 95.5);
    EXPECT_EQ(config->overview.slow_mean_ms, 250) << "an integer is a number too";
    EXPECT_EQ(config->overview.temp_written_mb_max, 512);
    EXPECT_EQ(config->overview.round_trip_p95_ms, 20);

    auto some = Load("[overview]\nslow_mean_ms = 500\n");
    ASSERT_TRUE(some) << some.error().message;
    EXPECT_EQ(some->overview.slow_mean_ms, 500);
    EXPECT_EQ(some->overview.cache_hit_pct_min, 99) << "a threshold not given keeps its default";
}

TEST(LoadConfig, WrongOverviewThresholdsNameTheKeyTheLineAndAnExample) {
    auto negative = Load("[overview]\nslow_mean_ms = -1\n");
    ASSERT_FALSE(negative);
    EXPECT_NE(negative.error().message.find(
                  ":2: overview.slow_mean_ms must be a number of milliseconds >= 0, e.g. slow_mean_ms = 100"),
              std::string::npos)
        << negative.error().message;

    auto text = Load("[overview]\n\nround_trip_p95_ms = \"5ms\"\n");
    ASSERT_FALSE(text);
    EXPECT_NE(text.error().message.find(
                  ":3: overview.round_trip_p95_ms must be a number of milliseconds >= 0, e.g. round_trip_p95_ms = 5"),
              std::string::npos)
        << text.error().message;

    auto percent = Load("[overview]\ncache_hit_pct_min = 101\n");
    ASSERT_FALSE(percent);
    EXPECT_NE(percent.error().message.find("overview.cache_hit_pct_min must be a percentage between 0 and 100"),
              std::string::npos)
        << percent.error().message;

    auto infinite = Load("[overview]\ntemp_written_mb_max = inf\n");
    ASSERT_FALSE(infinite);
    EXPECT_NE(infinite.error().message.find("overview.temp_written_mb_max must be a number of megabytes >= 0"),
              std::string::npos)
        << infinite.error().message;

    auto typo = Load("[overview]\nslow_ms = 100\n");
    ASSERT_FALSE(typo);
    EXPECT_NE(typo.error().message.find(":2: unknown setting overview.slow_ms"), std::string::npos)
        << typo.error().message;

    auto not_a_table = Load("overview = 99\n");
    ASSERT_FALSE(not_a_table);
    EXPECT_NE(not_a_table.error().message.find(":1: overview is a table"), std::string::npos)
        << not_a_table.error().message;
}

}  // namespace
}  // namespace optischema::server
