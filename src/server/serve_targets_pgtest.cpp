// Targets added through the API of `optischema serve`: checked first, bad requests refused with why,
// and the connection tests and changes audited without the secrets they carried.
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>

#include <gtest/gtest.h>

#include "serve_fixture.hpp"

namespace optischema::server {
namespace {

using namespace optischema::testing;

TEST_F(ServeTest, TargetsAddedThroughTheApiAreCheckedFirst) {
    Server server({});
    const char* bare_dir = std::getenv("OPTISCHEMA_TEST_BARE_CLUSTER_DIR");
    ASSERT_NE(bare_dir, nullptr);
    std::string bare_dsn;
    std::getline(std::ifstream(std::string(bare_dir) + "/dsn"), bare_dsn);
    auto tested = server.Call("POST", "/api/v1/targets/test", Json{{"dsn", bare_dsn}}.dump());
    ASSERT_EQ(tested.status, 200);
    const auto report = Json::parse(tested.body);
    EXPECT_FALSE(report["ok"]);
    bool preload_fix = false;
    for (const auto& c : report["checks"]) {
        preload_fix |= c["status"] == "fail" && c["fix"].get<std::string>().find("shared_preload_libraries") == 0;
    }
    EXPECT_TRUE(preload_fix) << report.dump();
    auto refused = server.Call("POST", "/api/v1/targets", Json{{"name", "bare"}, {"dsn", bare_dsn}}.dump());
    EXPECT_EQ(refused.status, 422);
    EXPECT_TRUE(Json::parse(refused.body).contains("checks"));

    auto added = server.Call("POST", "/api/v1/targets",
                             Json{{"name", "shop"}, {"dsn", dsn_}, {"interval_s", 1}, {"production", false}}.dump());
    ASSERT_EQ(added.status, 201) << added.body;
    const auto target = Json::parse(added.body);
    EXPECT_FALSE(target["production"]);
    EXPECT_EQ(target["source"], "api");
    EXPECT_EQ(server.Call("POST", "/api/v1/targets", Json{{"name", "shop"}, {"dsn", dsn_}}.dump()).status, 400)
        << "names are unique";
    EXPECT_EQ(server.Call("POST", "/api/v1/targets", "[1,2]").status, 400);
    // A field of the wrong type is a 400 that names it (and is audited), not an internal error.
    auto wrong_type =
        server.Call("POST", "/api/v1/targets", Json{{"name", "typed"}, {"dsn", dsn_}, {"interval_s", "60"}}.dump());
    EXPECT_EQ(wrong_type.status, 400);
    EXPECT_NE(wrong_type.body.find("interval_s must be an integer"), std::string::npos) << wrong_type.body;
    EXPECT_EQ(server.Call("POST", "/api/v1/users", Json{{"username", 7}, {"password", "x"}}.dump()).status, 400);
    // libpq quotes the bad part of a malformed DSN, password and all; none of it may come back.
    auto leaky = server.Call("POST", "/api/v1/targets",
                             Json{{"name", "leaky"}, {"dsn", "postgresql://app:s3cret-xyz%zz@db/shop"}}.dump());
    EXPECT_EQ(leaky.status, 400);
    EXPECT_NE(leaky.body.find("malformed DSN"), std::string::npos) << leaky.body;
    EXPECT_EQ(leaky.body.find("s3cret-xyz"), std::string::npos) << leaky.body;
    EXPECT_EQ(server.Call("GET", "/api/v1/targets/999").status, 404);
    EXPECT_EQ(server.Call("GET", "/api/v1/targets/abc").status, 400);
    const std::string id = std::to_string(target["id"].get<int>());
    ASSERT_TRUE(server.WaitFor("/api/v1/targets/" + id, [](const Json& j) { return j["status"]["state"] == "up"; }));
    EXPECT_EQ(server.Call("DELETE", "/api/v1/targets/" + id).status, 204);
    EXPECT_EQ(server.Call("GET", "/api/v1/targets/" + id).status, 404);

    // Connection tests and configuration changes are audited, without the secrets they carried.
    auto secret = server.Call("POST", "/api/v1/targets/test",
                              Json{{"dsn", "host=/no/such/dir password=s3cret-xyz dbname=x"}}.dump());
    EXPECT_EQ(secret.status, 200);
    EXPECT_EQ(secret.body.find("s3cret-xyz"), std::string::npos);
    ASSERT_EQ(server.AddUser("otto", "operator-pass", "viewer").status, 201);
    const std::string otto = server.UserId("otto");
    ASSERT_FALSE(otto.empty());
    auto promoted = server.Call("PUT", "/api/v1/users/" + otto, Json{{"role", "operator"}}.dump());
    ASSERT_EQ(promoted.status, 200) << promoted.body;
    EXPECT_EQ(Json::parse(promoted.body)["role"], "operator");
    auto audit = server.Call("GET", "/api/v1/audit");
    ASSERT_EQ(audit.status, 200);
    EXPECT_EQ(audit.body.find("s3cret-xyz"), std::string::npos) << "no secret in the audit log";
    EXPECT_EQ(audit.body.find("operator-pass"), std::string::npos);
    std::map<std::string, int> actions;
    const auto events = Json::parse(audit.body);
    for (const auto& e : events["events"]) {
        ++actions[e["action"].get<std::string>() + ":" + e["outcome"].get<std::string>() + ":" +
                  e["target"].get<std::string>()];
    }
    EXPECT_EQ(actions["connect:ok:/api/v1/targets/test"], 2) << audit.body;
    EXPECT_EQ(actions["settings:failed:bare"], 1) << "the refused target";
    EXPECT_EQ(actions["settings:failed:typed"], 1) << "the target with a wrongly typed field";
    EXPECT_EQ(actions["settings:failed:leaky"], 1);
    EXPECT_EQ(actions["settings:ok:shop"], 1) << "the added target";
    EXPECT_EQ(actions["settings:ok:otto"], 1);
    EXPECT_GE(actions["settings:ok:/api/v1/targets/" + id], 1) << "the removal";
}

}  // namespace
}  // namespace optischema::server
