#include <cstdlib>
#include <map>

#include <gtest/gtest.h>

#include "pg/connection.hpp"

namespace optischema::pg {
namespace {

std::map<std::string, std::string> Defaults(const std::string& dsn) {
    std::map<std::string, std::string> out;
    for (auto& [key, value] : ConnectionDefaults(dsn, SessionLimits{})) out.emplace(key, value);
    return out;
}

class ConnectionDefaultsTest : public ::testing::Test {
protected:
    void SetUp() override {
        unsetenv("PGCONNECT_TIMEOUT");
        unsetenv("PGSERVICE");
    }
    void TearDown() override { SetUp(); }
};

TEST_F(ConnectionDefaultsTest, TimeoutAndKeepalivesWhenNothingSetsThem) {
    const auto d = Defaults("host=db dbname=shop");
    EXPECT_EQ(d.at("connect_timeout"), "10");
    EXPECT_EQ(d.at("keepalives_idle"), "30");
    EXPECT_EQ(d.at("keepalives_interval"), "10");
    EXPECT_EQ(d.at("keepalives_count"), "3");
    EXPECT_EQ(d.at("tcp_user_timeout"), "60000");  // libpq 15 here
}

TEST_F(ConnectionDefaultsTest, WhatTheDsnSetsIsLeftToIt) {
    const auto d = Defaults("postgresql://db/shop?keepalives_idle=5&connect_timeout=3");
    EXPECT_FALSE(d.contains("keepalives_idle"));
    EXPECT_FALSE(d.contains("connect_timeout"));
    EXPECT_TRUE(d.contains("keepalives_count"));
}

TEST_F(ConnectionDefaultsTest, TheEnvironmentAndServiceFilesKeepTheirs) {
    setenv("PGCONNECT_TIMEOUT", "4", 1);
    EXPECT_FALSE(Defaults("host=db").contains("connect_timeout"));
    unsetenv("PGCONNECT_TIMEOUT");

    const auto service = Defaults("service=prod");
    EXPECT_EQ(service.size(), 1u) << "only connect_timeout: the service file may set the TCP options";
    EXPECT_TRUE(service.contains("connect_timeout"));
    setenv("PGSERVICE", "prod", 1);
    EXPECT_EQ(Defaults("host=db").size(), 1u);
}

}  // namespace
}  // namespace optischema::pg
