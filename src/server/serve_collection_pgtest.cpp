// `optischema serve` collecting from a real cluster: statements appearing, the stream pushing each
// snapshot, a target server stopped and restarted during collection without lost or double-counted
// calls, and a graceful stop.
#include <cstdlib>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "http_test_client.hpp"
#include "pg_test_env.hpp"
#include "serve_fixture.hpp"

namespace optischema::server {
namespace {

using namespace optischema::testing;
using namespace std::chrono_literals;

TEST_F(ServeTest, StatementsAppearAndTheStreamPushesEachSnapshot) {
    Server server({"--target", "shop=" + dsn_, "--interval", "1"});
    ASSERT_TRUE(server.WaitFor("/api/v1/targets", [](const Json& j) {
        return !j["targets"].empty() && j["targets"][0]["status"]["state"] == "up" &&
               j["targets"][0]["status"]["snapshots"].get<int>() >= 1;
    })) << server.GetJson("/api/v1/targets").dump();
    const auto targets = server.GetJson("/api/v1/targets");
    EXPECT_EQ(targets["targets"][0]["name"], "shop");
    EXPECT_EQ(targets["targets"][0]["dsn_display"].get<std::string>().find("password"), std::string::npos);

    WebSocketTestClient ws(server.port(), "/api/v1/stream", {{"Cookie", server.session().first}});
    for (int i = 0; i < 7; ++i) RunSql(dsn_, "SELECT count(*) FROM items WHERE kind = " + std::to_string(i));
    ASSERT_EQ(server.Call("POST", "/api/v1/targets/1/collect").status, 202);
    bool pushed = false;
    for (int i = 0; i < 10 && !pushed; ++i) {
        auto message = ws.ReadText(3s);
        ASSERT_TRUE(message) << "no stream message";
        const auto event = Json::parse(*message);
        if (event["data"]["kind"] != "snapshot") continue;
        EXPECT_EQ(event["topic"], "target:1");
        for (const auto& s : event["data"]["statements"]) {
            pushed |= s["query"] == "SELECT count(*) FROM items WHERE kind = $1";
        }
    }
    EXPECT_TRUE(pushed) << "a snapshot with the new statement was pushed";

    // The interval's own collections may snapshot between the seven statements (a loaded machine runs
    // them slowly): the pushed snapshot may hold some; the collection after them holds all.
    const bool all_counted = server.WaitFor("/api/v1/targets/1/statements", [](const Json& j) {
        const Json* s = FindStatement(j, "SELECT count(*) FROM items WHERE kind = $1");
        return s != nullptr && (*s)["calls"] == 7;
    });
    EXPECT_TRUE(all_counted);
    const auto statements = server.GetJson("/api/v1/targets/1/statements");
    const Json* s = FindStatement(statements, "SELECT count(*) FROM items WHERE kind = $1");
    ASSERT_NE(s, nullptr) << statements.dump();
    EXPECT_EQ((*s)["calls"], 7);
    const std::string fp = (*s)["fingerprint"];
    const auto detail = server.GetJson("/api/v1/targets/1/statements/" + fp);
    EXPECT_EQ(detail["totals"]["calls"], 7);
    EXPECT_FALSE(detail["history"].empty());
    auto plan = server.Call("POST", "/api/v1/targets/1/statements/" + fp + "/explain", "{}");
    ASSERT_EQ(plan.status, 200) << plan.body;
    EXPECT_FALSE(Json::parse(plan.body)["findings"].is_null());

    auto csv = server.Call("GET", "/api/v1/targets/1/export/statements.csv");
    EXPECT_EQ(csv.status, 200);
    EXPECT_NE(csv.body.find("SELECT count(*) FROM items WHERE kind = $1"), std::string::npos);
    const auto overview = server.GetJson("/api/v1/targets/1/overview");
    EXPECT_FALSE(overview["checks"].empty());
    EXPECT_FALSE(overview["top"].empty());
    auto metrics = HttpTestClient(server.port()).Get("/metrics");
    EXPECT_NE(metrics.body.find("optischema_snapshots_total"), std::string::npos);
    auto openapi = HttpTestClient(server.port()).Get("/api/v1/openapi.json");
    ASSERT_EQ(openapi.status, 200);
    EXPECT_TRUE(Json::parse(openapi.body)["paths"].contains("/api/v1/targets/{id}/statements"));
}

TEST_F(ServeTest, ATargetStoppedAndRestartedLosesNoCallsAndCountsNoneTwice) {
    // A cluster of this test's own, to stop and start.
    const std::string dir = std::string(std::getenv("OPTISCHEMA_TEST_CLUSTER_DIR")) + "-restart";
    const std::string script = std::string(OPTISCHEMA_SOURCE_DIR) + "/scripts/pg_cluster.sh";
    ASSERT_EQ(std::system((script + " start " + dir + " 5440 >/dev/null").c_str()), 0);
    std::string admin;
    std::getline(std::ifstream(dir + "/dsn"), admin);
    RunSql(admin, "DROP DATABASE IF EXISTS restart_db");
    RunSql(admin, "CREATE DATABASE restart_db");
    const std::string dsn = testing::WithParams(admin, "dbname=restart_db");
    RunSql(dsn, "CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t SELECT generate_series(1, 1000)");
    {
        Server server({"--target", "db=" + dsn, "--interval", "1"});
        auto snapshots = [&] {
            return server.GetJson("/api/v1/targets")["targets"][0]["status"]["snapshots"].get<int>();
        };
        ASSERT_TRUE(server.WaitFor(
            "/api/v1/targets", [](const Json& j) { return j["targets"][0]["status"]["snapshots"].get<int>() >= 2; }));
        for (int i = 0; i < 5; ++i) RunSql(dsn, "SELECT * FROM t WHERE id = " + std::to_string(i));
        ASSERT_TRUE(server.WaitFor("/api/v1/targets",
                                   [&, before = snapshots()](const Json&) { return snapshots() > before + 1; }));

        ASSERT_EQ(std::system((script + " keep-stop " + dir + " >/dev/null").c_str()), 0);
        ASSERT_TRUE(server.WaitFor("/api/v1/targets", [](const Json& j) {
            return j["targets"][0]["status"]["state"] == "down";
        })) << "the target shows as down";
        ASSERT_EQ(std::system((script + " start " + dir + " 5440 >/dev/null").c_str()), 0);
        // Calls made right after the restart, before OptiSchema reconnects.
        for (int i = 0; i < 3; ++i) RunSql(dsn, "SELECT * FROM t WHERE id = " + std::to_string(i));
        ASSERT_TRUE(server.WaitFor(
            "/api/v1/targets", [](const Json& j) { return j["targets"][0]["status"]["state"] == "up"; }, 40s))
            << "collection resumes by itself";
        for (int i = 0; i < 2; ++i) RunSql(dsn, "SELECT * FROM t WHERE id = " + std::to_string(i));
        ASSERT_EQ(server.Call("POST", "/api/v1/targets/1/collect").status, 202);
        bool exact = server.WaitFor("/api/v1/targets/1/statements", [](const Json& j) {
            const Json* s = FindStatement(j, "SELECT * FROM t WHERE id = $1");
            return s != nullptr && (*s)["calls"] == 10;
        });
        const auto statements = server.GetJson("/api/v1/targets/1/statements");
        const Json* s = FindStatement(statements, "SELECT * FROM t WHERE id = $1");
        ASSERT_NE(s, nullptr) << statements.dump();
        EXPECT_TRUE(exact) << "5 before the stop, 3 after the restart, 2 later: 10, not " << (*s)["calls"];
    }
    (void)std::system((script + " stop " + dir + " >/dev/null").c_str());
}

TEST_F(ServeTest, StopsGracefully) {
    Server server({"--target", "shop=" + dsn_, "--interval", "1"});
    ASSERT_TRUE(
        server.WaitFor("/api/v1/targets", [](const Json& j) { return j["targets"][0]["status"]["state"] == "up"; }));
    const auto result = server.Stop();
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_NE(result.out.find("OptiSchema stopped."), std::string::npos);
}

}  // namespace
}  // namespace optischema::server
