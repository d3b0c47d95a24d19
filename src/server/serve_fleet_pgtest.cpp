// Instances of `optischema serve` on a shared PostgreSQL store: two instances splitting the targets and
// one taking over when the other dies, and history pruned past its retention.
#include <fstream>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "pg_test_env.hpp"
#include "serve_fixture.hpp"

namespace optischema::server {
namespace {

using namespace optischema::testing;
using namespace std::chrono_literals;

TEST_F(ServeTest, TwoInstancesOnASharedStoreSplitTheTargetsAndTakeOverWhenOneDies) {
    const std::string store_dsn = FreshDatabase("fleet_store");
    const std::string dsn_a = FreshDatabase("fleet_a");
    const std::string dsn_b = FreshDatabase("fleet_b");
    BinaryRunner shared;  // a directory for the config and the key file both instances use
    const std::string config = shared.data_dir() + "/fleet.toml";
    std::ofstream(config) << "store = \"" << store_dsn << "\"\nsecret_key_file = \"" << shared.data_dir()
                          << "/secret.key\"\n[[targets]]\nname = \"a\"\ndsn = \"" << dsn_a
                          << "\"\ninterval_s = 1\n[[targets]]\nname = \"b\"\ndsn = \"" << dsn_b
                          << "\"\ninterval_s = 1\n";
    Server one({"--config", config});
    Server two({"--config", config});
    auto split = [](Server& server) {
        auto states = States(server);
        return states.size() == 2 &&
               ((states["a"] == "up" && states["b"] == "remote") || (states["a"] == "remote" && states["b"] == "up"));
    };
    ASSERT_TRUE(BothHold(one, two, split, 40s))
        << "each instance collects one target: " << one.GetJson("/api/v1/targets").dump() << " / "
        << two.GetJson("/api/v1/targets").dump();
    const auto states_one = States(one);
    const std::string ones = states_one.at("a") == "up" ? "a" : "b";
    const std::string twos = ones == "a" ? "b" : "a";
    EXPECT_EQ(States(two).at(twos), "up");
    // Either instance answers for both: the history is in the shared store.
    RunSql(twos == "a" ? dsn_a : dsn_b, "SELECT sum(g) FROM generate_series(1, 300000) AS g");
    const std::string twos_id = IdOf(one.GetJson("/api/v1/targets")["targets"], "name", twos);
    EXPECT_TRUE(one.WaitFor("/api/v1/targets/" + twos_id + "/statements", [](const Json& j) {
        return FindStatement(j, "SELECT sum(g) FROM generate_series($1, $2) AS g") != nullptr;
    })) << "instance one shows what instance two collected";
    EXPECT_EQ(one.Call("POST", "/api/v1/targets/" + twos_id + "/collect").status, 409)
        << "the other instance collects it";

    // An edit made on one instance reaches the collector on the other, which starts again with it (from
    // the stored baseline: the count below stays exact); the old name does not come back as a target.
    const std::string renamed = twos + "-renamed";
    const int collected_before = two.GetJson("/api/v1/targets/" + twos_id)["status"]["snapshots"].get<int>();
    ASSERT_GE(collected_before, 2);
    auto edited = one.Call("PUT", "/api/v1/targets/" + twos_id, Json{{"name", renamed}}.dump());
    ASSERT_EQ(edited.status, 200) << edited.body;
    EXPECT_TRUE(two.WaitFor("/api/v1/targets/" + twos_id, [&](const Json& j) {
        return j["status"]["snapshots"].get<int>() < collected_before;  // a new collector counts from 0
    })) << "instance two restarts its collector";
    EXPECT_TRUE(two.WaitFor("/api/v1/targets", [&](const Json& j) {
        auto states = StatesOf(j);
        return states.size() == 2 && states[renamed] == "up" && !states.contains(twos);
    })) << two.GetJson("/api/v1/targets").dump();

    // Instance two dies without releasing anything: one takes its target over.
    two.Kill();
    EXPECT_TRUE(one.WaitFor(
        "/api/v1/targets",
        [](const Json& j) {
            int up = 0;
            for (const auto& t : j["targets"]) up += t["status"]["state"] == "up";
            return up == 2;
        },
        60s))
        << Json(States(one)).dump();
    RunSql(twos == "a" ? dsn_a : dsn_b, "SELECT max(g) FROM generate_series(1, 300000) AS g");
    ASSERT_EQ(one.Call("POST", "/api/v1/targets/" + twos_id + "/collect").status, 202);
    EXPECT_TRUE(one.WaitFor("/api/v1/targets/" + twos_id + "/statements", [](const Json& j) {
        return FindStatement(j, "SELECT max(g) FROM generate_series($1, $2) AS g") != nullptr;
    })) << one.GetJson("/api/v1/targets/" + twos_id + "/statements").dump();
    const Json statements = one.GetJson("/api/v1/targets/" + twos_id + "/statements");
    const Json* before = FindStatement(statements, "SELECT sum(g) FROM generate_series($1, $2) AS g");
    ASSERT_NE(before, nullptr);
    EXPECT_EQ((*before)["calls"], 1) << "counted once across the handover";
}

TEST_F(ServeTest, HistoryPastItsRetentionIsPruned) {
    const std::string store_dsn = FreshDatabase("retention_store");
    BinaryRunner shared;
    const std::string config = shared.data_dir() + "/retention.toml";
    std::ofstream(config) << "store = \"" << store_dsn << "\"\nsecret_key_file = \"" << shared.data_dir()
                          << "/secret.key\"\n[retention]\nsnapshots_days = 30\nrollups_days = 90\n";
    const std::vector<std::string> args = {"--config", config, "--target", "db=" + dsn_, "--interval", "1"};
    auto collected = [](const Json& j) { return j["targets"][0]["status"]["snapshots"].get<int>() >= 3; };
    {
        Server server(args);
        ASSERT_TRUE(server.WaitFor("/api/v1/targets", collected));
        for (int i = 0; i < 5; ++i) RunSql(dsn_, "SELECT * FROM items WHERE id = " + std::to_string(i));
        ASSERT_TRUE(server.WaitFor(
            "/api/v1/targets", [](const Json& j) { return j["targets"][0]["status"]["snapshots"].get<int>() >= 5; }));
    }
    // What the first run stored becomes old: snapshots and latency 60 days back, rollups 100 days back.
    constexpr const char* kDayMs = "86400000::bigint";
    RunSql(store_dsn, fmt::format("UPDATE optischema.snapshots SET taken_at_ms = taken_at_ms - 60 * {0};"
                                  "UPDATE optischema.latency_samples SET at_ms = at_ms - 60 * {0};"
                                  "UPDATE optischema.group_rollups SET hour_ms = hour_ms - 100 * {0}",
                                  kDayMs));
    const std::string aged = QueryValue(store_dsn, "SELECT count(*) FROM optischema.snapshots");
    ASSERT_GE(std::stoi(aged), 3);
    ASSERT_NE(QueryValue(store_dsn, "SELECT count(*) FROM optischema.group_rollups"), "0");
    // How many rows of `table` have `column` more than `days` days back.
    auto older = [&](const char* table, const char* column, int days) {
        return QueryValue(store_dsn, fmt::format("SELECT count(*) FROM optischema.{} WHERE {} < (extract(epoch FROM "
                                                 "now()) * 1000)::bigint - {} * {}",
                                                 table, column, days, kDayMs));
    };
    {
        Server server(args);
        ASSERT_TRUE(server.WaitFor("/api/v1/targets", collected));
        EXPECT_EQ(older("snapshots", "taken_at_ms", 30), "0") << "the snapshots past 30 days are gone";
        EXPECT_EQ(older("latency_samples", "at_ms", 30), "0");
        EXPECT_EQ(older("group_rollups", "hour_ms", 90), "0") << "the rollups past 90 days are gone";
        EXPECT_NE(QueryValue(store_dsn, "SELECT count(*) FROM optischema.snapshots"), "0") << "new ones stay";
    }
}

}  // namespace
}  // namespace optischema::server
