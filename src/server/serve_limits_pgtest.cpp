// Hostile input to `optischema serve`: numbers out of range in query strings and bodies, DSNs from the
// API that would reach the server's own secrets, and the modes of what it writes in its data directory.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "binary_runner.hpp"
#include "pg_test_env.hpp"
#include "serve_fixture.hpp"

namespace optischema::server {
namespace {

using namespace optischema::testing;

TEST_F(ServeTest, NumbersOutOfRangeAre400sNamingTheParameterAndTheRange) {
    Server server({});
    auto added = server.Call("POST", "/api/v1/targets", Json{{"name", "shop"}, {"dsn", dsn_}}.dump());
    ASSERT_EQ(added.status, 201) << added.body;
    const std::string target = "/api/v1/targets/" + std::to_string(Json::parse(added.body)["id"].get<int>());
    struct Case {
        std::string method;
        std::string path;
        std::string body;
        std::string says;  // a part of the error message
    };
    const std::vector<Case> cases = {
        // Unix ms whose nanoseconds overflow 64 bits (the year 5138), and an ISO year past 2262.
        {"GET", target + "/statements?to=99999999999999", "", "to must be a time from 1970-01-01T00:00:00Z"},
        {"GET", target + "/statements?from=99999999999999", "", "from must be a time from 1970"},
        {"GET", target + "/statements?to=9999-01-01T00:00:00Z", "", "to must be a time"},
        {"GET", target + "/statements?from=-5", "", "from must be a time"},
        {"GET", target + "/latency?to=18446744073709551616", "", "to must be a time"},
        {"GET", target + "/statements?limit=0", "", "limit must be a whole number from 1 to 5000"},
        {"GET", target + "/statements?limit=5001", "", "limit must be a whole number from 1 to 5000"},
        {"GET", target + "/statements?limit=99999999999999999999", "", "limit must be a whole number from 1 to 5000"},
        {"GET", target + "/statements?limit=12abc", "", "limit must be a whole number"},
        {"GET", "/api/v1/audit?limit=-1", "", "limit must be a whole number from 1 to 100000"},
        {"GET", "/api/v1/targets/99999999999999999999", "", "id must be a whole number from 1 to"},
        {"GET", "/api/v1/targets/0/latency", "", "id must be a whole number from 1 to"},
        {"POST", "/api/v1/targets", Json{{"name", "x"}, {"dsn", dsn_}, {"interval_s", 0}}.dump(),
         "interval_s must be a whole number from 1 to 86400"},
        {"POST", "/api/v1/targets", Json{{"name", "x"}, {"dsn", dsn_}, {"interval_s", 4294967356LL}}.dump(),
         "interval_s must be a whole number from 1 to 86400"},
        {"PUT", target, Json{{"interval_s", 18446744073709551615ULL}}.dump(),
         "interval_s must be a whole number from 1 to 86400"},
        {"POST", "/api/v1/recommendations/r1/validate", Json{{"runs", 1000000}}.dump(),
         "runs must be a whole number from 3 to 100"},
        {"PUT", "/api/v1/settings/llm", Json{{"provider", "openai"}, {"timeout_s", 4294967301LL}}.dump(),
         "timeout_s must be a whole number from 1 to 3600"},
    };
    for (const Case& c : cases) {
        const auto response = server.Call(c.method, c.path, c.body);
        EXPECT_EQ(response.status, 400) << c.method << " " << c.path << " " << c.body << ": " << response.body;
        EXPECT_NE(response.body.find(c.says), std::string::npos)
            << c.method << " " << c.path << " " << c.body << ": " << response.body;
    }
    // The edges of each range are accepted.
    for (const std::string ok : {"/statements?from=0&to=7258118400000&limit=5000", "/statements?limit=1",
                                 "/statements?from=2026-01-01T00:00:00Z&to=2199-12-31T23:59:59Z"}) {
        EXPECT_EQ(server.Call("GET", target + ok).status, 200) << ok;
    }
    EXPECT_EQ(server.Call("GET", "/api/v1/audit?limit=100000").status, 200);
    EXPECT_EQ(server.Call("PUT", target, Json{{"interval_s", 86400}}.dump()).status, 200);
}

TEST_F(ServeTest, ApiDsnsMayNotUseKeywordsThatReachTheServersOwnFiles) {
    Server server({});
    auto added = server.Call("POST", "/api/v1/targets", Json{{"name", "shop"}, {"dsn", dsn_}}.dump());
    ASSERT_EQ(added.status, 201) << added.body;
    const std::string target = "/api/v1/targets/" + std::to_string(Json::parse(added.body)["id"].get<int>());
    // host=storedb hostaddr=<elsewhere> would send what .pgpass holds for storedb elsewhere.
    for (const std::string keyword :
         {"hostaddr=127.0.0.1", "passfile=/root/.pgpass", "service=prod", "sslkey=/etc/optischema/secret.key",
          "sslcert=/etc/ssl/c.crt", "sslpassword=x", "sslrootcert=/etc/passwd", "sslcrl=/etc/shadow"}) {
        const std::string name = keyword.substr(0, keyword.find('='));
        const std::string dsn = testing::WithParams(dsn_, keyword);
        for (const auto& [method, path, body] :
             {std::tuple{"POST", std::string("/api/v1/targets/test"), Json{{"dsn", dsn}}},
              std::tuple{"POST", std::string("/api/v1/targets"), Json{{"name", "evil"}, {"dsn", dsn}}},
              std::tuple{"PUT", target, Json{{"dsn", dsn}}}}) {
            const auto response = server.Call(method, path, body.dump());
            EXPECT_EQ(response.status, 400) << method << " " << path << " " << keyword << ": " << response.body;
            EXPECT_NE(response.body.find("sets " + name + ","), std::string::npos) << response.body;
            EXPECT_NE(response.body.find("[security] api_dsn_keywords"), std::string::npos) << response.body;
        }
    }
    EXPECT_EQ(server.GetJson(target)["source"], "api");
    // What libpq options that stay on the database side look like still works.
    EXPECT_EQ(server.Call("PUT", target, Json{{"dsn", testing::WithParams(dsn_, "sslmode=disable")}}.dump()).status,
              200);
}

TEST_F(ServeTest, ApiDsnsNeverUseTheServersPasswordFileUnlessTheConfigTrustsThem) {
    // The test cluster requires a SCRAM password for this role (scripts/pg_cluster.sh).
    testing::RunSql(dsn_, "DROP ROLE IF EXISTS optischema_pw");
    testing::RunSql(dsn_, "CREATE ROLE optischema_pw LOGIN PASSWORD 'from-the-servers-pgpass'");
    testing::BinaryRunner files;
    const std::string pgpass = files.data_dir() + "/pgpass";
    std::ofstream(pgpass) << "*:*:*:optischema_pw:from-the-servers-pgpass\n";
    ::chmod(pgpass.c_str(), 0600);
    setenv("PGPASSFILE", pgpass.c_str(), 1);  // inherited by the servers started below
    const std::string dsn = testing::WithParams(dsn_, "user=optischema_pw");
    const auto connected = [&](Server& server) {
        const auto response = server.Call("POST", "/api/v1/targets/test", Json{{"dsn", dsn}}.dump());
        EXPECT_EQ(response.status, 200) << response.body;
        const auto report = Json::parse(response.body);
        return report["checks"][0]["name"] == "connect" && report["checks"][0]["status"] == "pass";
    };
    {
        Server server({});
        EXPECT_FALSE(connected(server)) << "an API DSN logged in with the server's password file";
        // A DSN from the command line is the operator's: the password file serves it.
        Server trusting({"--target", "mine=" + dsn});
        ASSERT_TRUE(trusting.WaitFor("/api/v1/targets", [](const Json& j) {
            return !j["targets"].empty() && j["targets"][0]["status"]["state"] != "starting";
        }));
        const auto status = trusting.GetJson("/api/v1/targets")["targets"][0]["status"];
        EXPECT_TRUE(status["error"].is_null() ||
                    status["error"].get<std::string>().find("password") == std::string::npos)
            << status.dump();
    }
    const std::string config = files.data_dir() + "/trusting.toml";
    std::ofstream(config) << "[security]\napi_dsn_keywords = true\n";
    Server trusted({"--config", config});
    EXPECT_TRUE(connected(trusted)) << "[security] api_dsn_keywords = true trusts API DSNs";
    unsetenv("PGPASSFILE");
}

TEST_F(ServeTest, TheDataDirectoryAndEverythingInItAreTheUsersAlone) {
    Server server({});
    auto added =
        server.Call("POST", "/api/v1/targets", Json{{"name", "shop"}, {"dsn", dsn_}, {"interval_s", 1}}.dump());
    ASSERT_EQ(added.status, 201) << added.body;
    ASSERT_TRUE(
        server.WaitFor("/api/v1/targets", [](const Json& j) { return j["targets"][0]["status"]["snapshots"] >= 1; }));
    const std::filesystem::path dir = server.data_dir();
    struct stat st {};
    ASSERT_EQ(::stat(dir.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);
    int files = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
        // Written by the test harness, not by OptiSchema.
        if (entry.path().filename() == "admin-password" || entry.path().filename() == "stdin") continue;
        ASSERT_EQ(::stat(entry.path().c_str(), &st), 0);
        const unsigned mode = st.st_mode & 0777;
        if (entry.is_directory()) {
            EXPECT_EQ(mode & 0077, 0u) << entry.path() << " is open to others: " << std::oct << mode;
        } else if (entry.is_regular_file()) {
            ++files;
            EXPECT_EQ(mode, 0600u) << entry.path() << ": " << std::oct << mode;
        }
    }
    EXPECT_GE(files, 3) << "the store, its WAL and the key file at least";
    EXPECT_TRUE(std::filesystem::exists(dir / "optischema.db"));
    EXPECT_TRUE(std::filesystem::exists(dir / "secret.key"));
}

}  // namespace
}  // namespace optischema::server
