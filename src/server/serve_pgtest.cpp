// `optischema serve` as a user runs it, against real clusters: login and roles, CSRF, targets added
// through the API with their checks, statements appearing, the stream pushing each snapshot, a target
// server stopped and restarted during collection without lost or double-counted calls, bad requests,
// and a graceful stop.
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <signal.h>

#include "binary_runner.hpp"
#include "fake_llm_server.hpp"
#include "http_test_client.hpp"
#include "common/clock.hpp"
#include "common/format.hpp"
#include "pg/connection.hpp"
#include "pg_test_env.hpp"

namespace optischema::server {
namespace {

using optischema::testing::BinaryRunner;
using optischema::testing::FakeLlmServer;
using optischema::testing::FreshDatabase;
using optischema::testing::HeaderList;
using optischema::testing::HttpTestClient;
using optischema::testing::HttpTestResponse;
using optischema::testing::QueryValue;
using optischema::testing::RunSql;
using optischema::testing::WebSocketTestClient;
using Json = nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kPassword = "correct-horse-battery";

std::string ReadFile(const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

/// A running `optischema serve` and a logged-in admin session.
class Server {
public:
    explicit Server(std::vector<std::string> extra) {
        std::ofstream(runner_.data_dir() + "/admin-password") << kPassword << "\n";
        std::vector<std::string> args = {"serve", "--listen", "127.0.0.1:0", "--admin-password-file",
                                         runner_.data_dir() + "/admin-password"};
        args.insert(args.end(), extra.begin(), extra.end());
        pid_ = runner_.Start(args);
        const std::regex url(R"(listening on http://127\.0\.0\.1:(\d+))");
        for (int i = 0; i < 200 && port_ == 0; ++i) {
            std::this_thread::sleep_for(50ms);
            std::smatch m;
            const std::string out = ReadFile(runner_.data_dir() + "/stdout");
            if (std::regex_search(out, m, url)) port_ = static_cast<std::uint16_t>(std::stoi(m[1]));
        }
        if (port_ == 0) throw std::runtime_error("serve did not start: " + ReadFile(runner_.data_dir() + "/stderr"));
    }
    ~Server() {
        if (pid_ > 0) {
            ::kill(pid_, SIGTERM);
            (void)runner_.Wait(pid_);
        }
    }

    /// Logs in and returns the cookie header and the CSRF token.
    std::pair<std::string, std::string> Login(const std::string& user, const std::string& password) {
        HttpTestClient c(port_);
        auto r = c.Request("POST", "/api/v1/auth/login", Json{{"username", user}, {"password", password}}.dump(),
                           {{"Content-Type", "application/json"}});
        if (r.status != 200) throw std::runtime_error("login failed: " + r.body);
        std::string cookies;
        for (const auto& [name, value] : r.headers) {
            if (name == "Set-Cookie" || name == "set-cookie") {
                cookies += (cookies.empty() ? "" : "; ") + value.substr(0, value.find(';'));
            }
        }
        return {cookies, Json::parse(r.body)["csrf_token"].get<std::string>()};
    }

    HttpTestResponse Call(std::string_view method,
                          std::string_view path,
                          const std::string& body = {},
                          bool with_csrf = true) {
        if (session_.first.empty()) session_ = Login("admin", kPassword);
        HeaderList headers = {{"Cookie", session_.first}, {"Content-Type", "application/json"}};
        if (with_csrf) headers.emplace_back("X-CSRF-Token", session_.second);
        HttpTestClient c(port_);
        return c.Request(method, path, body, headers);
    }
    Json GetJson(std::string_view path) {
        auto r = Call("GET", path);
        if (r.status != 200)
            throw std::runtime_error(std::string(path) + ": " + std::to_string(r.status) + " " + r.body);
        return Json::parse(r.body);
    }

    /// Polls until `pred(GET path)` holds or the time is up.
    bool WaitFor(std::string_view path,
                 const std::function<bool(const Json&)>& pred,
                 std::chrono::seconds timeout = 20s) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            if (pred(GetJson(path))) return true;
            std::this_thread::sleep_for(200ms);
        }
        return false;
    }

    /// Sends SIGTERM and returns how the process ended.
    optischema::testing::CommandResult Stop() {
        ::kill(pid_, SIGTERM);
        auto result = runner_.Wait(pid_);
        pid_ = -1;
        return result;
    }

    /// Kills the process without a chance to clean up (a crashed or unplugged machine).
    void Kill() {
        ::kill(pid_, SIGKILL);
        (void)runner_.Wait(pid_);
        pid_ = -1;
    }

    std::uint16_t port() const { return port_; }
    const std::string& data_dir() const { return runner_.data_dir(); }
    const std::pair<std::string, std::string>& session() {
        if (session_.first.empty()) session_ = Login("admin", kPassword);
        return session_;
    }

private:
    BinaryRunner runner_;
    pid_t pid_ = -1;
    std::uint16_t port_ = 0;
    std::pair<std::string, std::string> session_;
};

const Json* FindStatement(const Json& statements, const std::string& text) {
    for (const auto& s : statements["statements"]) {
        if (s["query"] == text) return &s;
    }
    return nullptr;
}

/// Polls until `pred` holds for both servers or the time is up.
bool BothHold(Server& one, Server& two, const std::function<bool(Server&)>& pred, std::chrono::seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (pred(one) && pred(two)) return true;
        std::this_thread::sleep_for(250ms);
    }
    return false;
}

class ServeTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dsn_ = FreshDatabase("serve_shop");
        RunSql(dsn_,
               "CREATE TABLE items (id int PRIMARY KEY, kind int NOT NULL);"
               "INSERT INTO items SELECT g, g % 100 FROM generate_series(1, 20000) g; ANALYZE");
    }
    static std::string dsn_;
};

std::string ServeTest::dsn_;

TEST_F(ServeTest, AuthenticationRolesAndCsrf) {
    Server server({"--target", "shop=" + dsn_, "--interval", "1"});
    HttpTestClient anonymous(server.port());
    EXPECT_EQ(anonymous.Get("/healthz").status, 200);
    EXPECT_EQ(anonymous.Get("/api/v1/targets").status, 401);
    auto wrong = anonymous.Request("POST", "/api/v1/auth/login", R"({"username": "admin", "password": "nope"})");
    EXPECT_EQ(wrong.status, 401);
    EXPECT_EQ(wrong.body.find(kPassword), std::string::npos);
    auto malformed = anonymous.Request("POST", "/api/v1/auth/login", "{not json");
    EXPECT_EQ(malformed.status, 400);

    auto me = server.GetJson("/api/v1/auth/me");
    EXPECT_EQ(me["user"]["role"], "admin");
    // A mutating call with the session cookie but without the CSRF header is refused.
    EXPECT_EQ(server.Call("POST", "/api/v1/targets/1/collect", "", false).status, 403);
    EXPECT_EQ(server.Call("POST", "/api/v1/targets/1/collect").status, 202);

    // A viewer reads but cannot change anything.
    ASSERT_EQ(server
                  .Call("POST", "/api/v1/users",
                        Json{{"username", "vera"}, {"password", "viewer-password"}, {"role", "viewer"}}.dump())
                  .status,
              201);
    auto [cookies, csrf] = server.Login("vera", "viewer-password");
    HttpTestClient viewer(server.port());
    const HeaderList headers = {{"Cookie", cookies}, {"X-CSRF-Token", csrf}};
    EXPECT_EQ(viewer.Get("/api/v1/targets", headers).status, 200);
    EXPECT_EQ(viewer.Request("POST", "/api/v1/targets/1/collect", "", headers).status, 403);
    EXPECT_EQ(viewer.Request("POST", "/api/v1/targets/test", R"({"dsn": "host=x"})", headers).status, 403);
    EXPECT_EQ(viewer.Get("/api/v1/users", headers).status, 403);

    // The only admin can neither be demoted nor removed: nobody could manage users any more.
    auto demoted = server.Call("PUT", "/api/v1/users/1", Json{{"role", "operator"}}.dump());
    EXPECT_EQ(demoted.status, 409) << demoted.body;
    EXPECT_NE(demoted.body.find("only admin"), std::string::npos) << demoted.body;
    EXPECT_EQ(server.Call("DELETE", "/api/v1/users/1").status, 409);
    EXPECT_EQ(server.GetJson("/api/v1/auth/me")["user"]["role"], "admin");

    // A new password ends the user's other sessions (whoever knew the old one), not the one that set it.
    std::string vera_id;
    const Json users = server.GetJson("/api/v1/users");
    for (const auto& u : users["users"]) {
        if (u["username"] == "vera") vera_id = std::to_string(u["id"].get<int>());
    }
    ASSERT_EQ(server.Call("PUT", "/api/v1/users/" + vera_id, Json{{"password", "new-viewer-password"}}.dump()).status,
              200);
    EXPECT_EQ(viewer.Get("/api/v1/targets", headers).status, 401) << "the session from before the change";
    EXPECT_NO_THROW(server.Login("vera", "new-viewer-password")) << "the new password works";
    ASSERT_EQ(server.Call("PUT", "/api/v1/users/1", Json{{"password", kPassword}}.dump()).status, 200);
    EXPECT_EQ(server.GetJson("/api/v1/auth/me")["user"]["username"], "admin") << "the admin who set it stays";

    // Logging out ends the session, and the live stream opened with it (within its 5 s recheck).
    HttpTestClient admin(server.port());
    const auto& session = server.session();
    WebSocketTestClient stream(server.port(), "/api/v1/stream", {{"Cookie", session.first}});
    ASSERT_TRUE(stream.ReadText(5s)) << "the stream works before the logout";
    EXPECT_EQ(
        admin.Request("POST", "/api/v1/auth/logout", "", {{"Cookie", session.first}, {"X-CSRF-Token", session.second}})
            .status,
        204);
    EXPECT_EQ(admin.Get("/api/v1/targets", {{"Cookie", session.first}}).status, 401);
    EXPECT_TRUE(stream.connection().WaitForClose(15s)) << "the stream of a logged-out session is closed";
}

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
    ASSERT_EQ(server
                  .Call("POST", "/api/v1/users",
                        Json{{"username", "otto"}, {"password", "operator-pass"}, {"role", "viewer"}}.dump())
                  .status,
              201);
    const auto users = server.GetJson("/api/v1/users");
    std::string otto;
    for (const auto& u : users["users"]) {
        if (u["username"] == "otto") otto = std::to_string(u["id"].get<int>());
    }
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

// A chat.completion as OpenAI documents it, with `answer` as the assistant's message.
std::string OpenAiBody(const Json& answer) { return testing::OpenAiCompletionBody(answer.dump(), 1800, 300); }

TEST_F(ServeTest, AskAiThroughTheDashboardSettingsWithTheCacheAndTheEngineChecking) {
    constexpr const char* kKey = "sk-serve-test-0f1e2d3c4b5a69788796a5b4";
    unsetenv("OPTISCHEMA_LLM_API_KEY");
    FakeLlmServer llm;
    Server server({"--target", "shop=" + dsn_, "--interval", "1"});
    for (int i = 0; i < 5; ++i) RunSql(dsn_, "SELECT count(*) FROM items WHERE kind = " + std::to_string(i));
    ASSERT_EQ(server.Call("POST", "/api/v1/targets/1/collect").status, 202);
    std::string fp;
    ASSERT_TRUE(server.WaitFor("/api/v1/targets/1/statements", [&](const Json& j) {
        const Json* s = FindStatement(j, "SELECT count(*) FROM items WHERE kind = $1");
        if (s != nullptr) fp = (*s)["fingerprint"];
        return s != nullptr;
    }));
    const std::string ask = "/api/v1/targets/1/statements/" + fp + "/ai";

    auto none = server.GetJson("/api/v1/settings/llm");
    EXPECT_EQ(none["configured"], false);
    EXPECT_EQ(none["source"], "none");
    auto unconfigured = server.Call("POST", ask, "{}");
    EXPECT_EQ(unconfigured.status, 409);
    EXPECT_EQ(Json::parse(unconfigured.body)["error"]["code"], "llm_not_configured") << unconfigured.body;

    // Unusable settings are refused with why; nothing is saved.
    auto bad = server.Call("PUT", "/api/v1/settings/llm", Json{{"provider", "openai"}, {"base_url", "ftp://x"}}.dump());
    EXPECT_EQ(bad.status, 400) << bad.body;
    EXPECT_EQ(server.GetJson("/api/v1/settings/llm")["source"], "none");

    const Json settings = {{"provider", "openai"}, {"base_url", llm.BaseUrl() + "/v1"}, {"model", "gpt-4o-mini"},
                           {"api_key", kKey},      {"input_usd_per_mtok", 0.15},        {"output_usd_per_mtok", 0.60}};
    llm.EnqueueJson(OpenAiBody(Json("OK")));
    auto tested = server.Call("POST", "/api/v1/settings/llm/test", settings.dump());
    ASSERT_EQ(tested.status, 200) << tested.body;
    EXPECT_EQ(Json::parse(tested.body)["ok"], true) << tested.body;
    ASSERT_EQ(llm.RequestCount(), 1u);
    EXPECT_EQ(llm.Requests()[0].Header("authorization"), std::string("Bearer ") + kKey);
    EXPECT_EQ(server.GetJson("/api/v1/settings/llm")["source"], "none") << "a test saves nothing";

    auto saved = server.Call("PUT", "/api/v1/settings/llm", settings.dump());
    ASSERT_EQ(saved.status, 200) << saved.body;
    EXPECT_EQ(saved.body.find(kKey), std::string::npos) << "the key is never returned";
    const auto current = Json::parse(saved.body);
    EXPECT_EQ(current["source"], "dashboard");
    EXPECT_EQ(current["has_key"], true);
    EXPECT_EQ(current["model"], "gpt-4o-mini");
    // The saved key goes nowhere else unless typed again: another address without a key is refused
    // (test or save), while another model at the same address keeps it.
    Json elsewhere = settings;
    elsewhere.erase("api_key");
    elsewhere["base_url"] = "http://127.0.0.1:9/v1";
    for (const char* path : {"/api/v1/settings/llm/test", "/api/v1/settings/llm"}) {
        auto refused =
            server.Call(path == std::string("/api/v1/settings/llm") ? "PUT" : "POST", path, elsewhere.dump());
        EXPECT_EQ(refused.status, 400) << path << " " << refused.body;
        EXPECT_NE(refused.body.find("enter the key"), std::string::npos) << refused.body;
    }
    EXPECT_EQ(llm.RequestCount(), 1u);
    Json other_model = settings;
    other_model.erase("api_key");
    other_model["model"] = "gpt-4o";
    auto kept = server.Call("PUT", "/api/v1/settings/llm", other_model.dump());
    ASSERT_EQ(kept.status, 200) << kept.body;
    EXPECT_EQ(Json::parse(kept.body)["has_key"], true);
    ASSERT_EQ(server.Call("PUT", "/api/v1/settings/llm", settings.dump()).status, 200);
    EXPECT_EQ(server.GetJson("/api/v1/settings/llm")["has_key"], true);

    // A wrong rewrite (another filter: other rows) and a useful index.
    const Json answer = {
        {"explanation", "## Why it is slow\n\nThe **Seq Scan** on `items` reads all 20,000 rows.\n\n- add an index"},
        {"rewrites",
         {{{"sql", "SELECT count(*) FROM items WHERE kind = 1 OR kind = 2"}, {"rationale", "an OR is faster"}}}},
        {"index_ideas", {{{"ddl", "CREATE INDEX ON items (kind)"}, {"rationale", "the filter on kind"}}}},
        {"risks", {"the index slows writes a little"}}};
    llm.EnqueueJson(OpenAiBody(answer));
    auto first = server.Call("POST", ask, "{}");
    ASSERT_EQ(first.status, 200) << first.body;
    const auto a = Json::parse(first.body);
    EXPECT_TRUE(a["error"].is_null()) << a.dump(2);
    EXPECT_EQ(a["from_cache"], false);
    EXPECT_NE(a["explanation"].get<std::string>().find("Seq Scan"), std::string::npos);
    ASSERT_EQ(a["rewrites"].size(), 1u);
    EXPECT_EQ(a["rewrites"][0]["status"], "rejected") << a.dump(2);
    EXPECT_EQ(a["rewrites"][0]["model"], "gpt-4o-mini-2024-07-18");
    ASSERT_EQ(a["index_ideas"].size(), 1u);
    EXPECT_EQ(a["index_ideas"][0]["status"], "verified") << a.dump(2);
    ASSERT_TRUE(a["cost_usd"].is_number()) << "the configured price gives a cost";
    EXPECT_NEAR(a["cost_usd"].get<double>(), (1800 * 0.15 + 300 * 0.60) / 1e6, 1e-9);
    ASSERT_EQ(llm.RequestCount(), 2u);
    const auto request = Json::parse(llm.Requests()[1].body);
    EXPECT_EQ(request["model"], "gpt-4o-mini");
    EXPECT_NE(request["messages"].back()["content"].get<std::string>().find("FROM items WHERE kind = $1"),
              std::string::npos);

    auto second = server.Call("POST", ask, "{}");
    ASSERT_EQ(second.status, 200) << second.body;
    EXPECT_EQ(Json::parse(second.body)["from_cache"], true);
    EXPECT_EQ(llm.RequestCount(), 2u) << "a cached answer sends no request";
    llm.EnqueueJson(OpenAiBody(answer));
    auto refreshed = server.Call("POST", ask, R"({"refresh": true})");
    ASSERT_EQ(refreshed.status, 200) << refreshed.body;
    EXPECT_EQ(Json::parse(refreshed.body)["from_cache"], false);
    EXPECT_EQ(llm.RequestCount(), 3u) << "refresh asks again";
    const auto cache = server.GetJson("/api/v1/settings/llm")["cache"];
    EXPECT_EQ(cache["hits"], 1) << cache.dump();
    EXPECT_EQ(cache["tokens_saved"], 2100) << cache.dump();

    // Ask AI about a recommendation: the engine's proposal is in the prompt for the model to assess.
    ASSERT_EQ(server.Call("POST", "/api/v1/targets/1/advise").status, 200);
    const auto recs = server.GetJson("/api/v1/targets/1/recommendations")["recommendations"];
    ASSERT_FALSE(recs.empty()) << "advise recommends an index on items (kind)";
    llm.EnqueueJson(OpenAiBody(answer));
    auto about = server.Call("POST", "/api/v1/recommendations/" + recs[0]["id"].get<std::string>() + "/ai", "{}");
    ASSERT_EQ(about.status, 200) << about.body;
    ASSERT_EQ(llm.RequestCount(), 4u);
    const std::string prompt = Json::parse(llm.Requests()[3].body)["messages"].back()["content"];
    EXPECT_NE(prompt.find("OptiSchema's engine proposes"), std::string::npos) << prompt;
    EXPECT_NE(prompt.find(recs[0]["sql"].get<std::string>()), std::string::npos) << prompt;

    // A viewer neither asks nor changes settings; the settings changes are audited without the key.
    ASSERT_EQ(server
                  .Call("POST", "/api/v1/users",
                        Json{{"username", "vic"}, {"password", "viewer-password"}, {"role", "viewer"}}.dump())
                  .status,
              201);
    auto [cookies, csrf] = server.Login("vic", "viewer-password");
    HttpTestClient viewer(server.port());
    const HeaderList headers = {{"Cookie", cookies}, {"X-CSRF-Token", csrf}};
    EXPECT_EQ(viewer.Request("POST", ask, "{}", headers).status, 403);
    EXPECT_EQ(viewer.Request("PUT", "/api/v1/settings/llm", settings.dump(), headers).status, 403);
    auto seen = viewer.Get("/api/v1/settings/llm", headers);
    EXPECT_EQ(seen.status, 200);
    EXPECT_EQ(seen.body.find(kKey), std::string::npos);
    auto audit = server.Call("GET", "/api/v1/audit");
    EXPECT_EQ(audit.body.find(kKey), std::string::npos) << "no key in the audit log";
    EXPECT_NE(audit.body.find("/api/v1/settings/llm"), std::string::npos) << "the change is audited";

    auto reset = server.Call("DELETE", "/api/v1/settings/llm");
    ASSERT_EQ(reset.status, 200) << reset.body;
    EXPECT_EQ(Json::parse(reset.body)["source"], "none");
    const auto result = server.Stop();
    EXPECT_EQ(result.out.find(kKey), std::string::npos) << "the key is never printed";
    EXPECT_EQ(result.err.find(kKey), std::string::npos) << "the key is never logged";
}

TEST_F(ServeTest, TheConfiguredKeyGoesOnlyToTheConfiguredProvider) {
    constexpr const char* kKey = "sk-config-key-5a4b3c2d1e0f";
    FakeLlmServer configured;
    FakeLlmServer elsewhere;
    BinaryRunner dir;
    const std::string config = dir.data_dir() + "/llm.toml";
    std::ofstream(config) << "[llm]\nprovider = \"openai\"\nbase_url = \"" << configured.BaseUrl()
                          << "/v1\"\nmodel = \"gpt-4o-mini\"\n";
    setenv("OPTISCHEMA_LLM_API_KEY", kKey, 1);
    Server server({"--config", config});
    unsetenv("OPTISCHEMA_LLM_API_KEY");

    configured.EnqueueJson(OpenAiBody(Json("OK")));
    auto tested = server.Call("POST", "/api/v1/settings/llm/test", "{}");
    ASSERT_EQ(tested.status, 200) << tested.body;
    EXPECT_EQ(Json::parse(tested.body)["ok"], true) << tested.body;
    ASSERT_EQ(configured.RequestCount(), 1u);
    EXPECT_EQ(configured.Requests()[0].Header("authorization"), std::string("Bearer ") + kKey);

    // An admin who types another address gets no key from the environment: typed again or explicitly none.
    const Json other = {{"provider", "openai"}, {"base_url", elsewhere.BaseUrl() + "/v1"}, {"model", "gpt-4o-mini"}};
    for (const auto& [method, path] : {std::pair{"POST", "/api/v1/settings/llm/test"}, {"PUT", "/api/v1/settings/llm"}}) {
        auto refused = server.Call(method, path, other.dump());
        EXPECT_EQ(refused.status, 400) << path << " " << refused.body;
        EXPECT_NE(refused.body.find("enter the key"), std::string::npos) << refused.body;
    }
    Json keyless = other;
    keyless["api_key"] = "";
    elsewhere.EnqueueJson(OpenAiBody(Json("OK")));
    auto without = server.Call("POST", "/api/v1/settings/llm/test", keyless.dump());
    ASSERT_EQ(without.status, 200) << without.body;
    ASSERT_EQ(elsewhere.RequestCount(), 1u);
    EXPECT_EQ(elsewhere.Requests()[0].Header("authorization"), "") << "no key went elsewhere";
    const auto result = server.Stop();
    EXPECT_EQ(result.err.find(kKey), std::string::npos) << "the key is never logged";
}

// The state of each target by name, as one instance shows them.
std::map<std::string, std::string> States(Server& server) {
    std::map<std::string, std::string> out;
    const Json targets = server.GetJson("/api/v1/targets");
    for (const auto& t : targets["targets"]) {
        out[t["name"].get<std::string>()] = t["status"]["state"].get<std::string>();
    }
    return out;
}

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
    const std::string twos_id = [&] {
        const Json targets = one.GetJson("/api/v1/targets");
        for (const auto& t : targets["targets"]) {
            if (t["name"] == twos) return std::to_string(t["id"].get<int>());
        }
        return std::string();
    }();
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
        std::map<std::string, std::string> states;
        for (const auto& t : j["targets"]) states[t["name"]] = t["status"]["state"];
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

// Two validations and an apply at once through the server. The validations share one managed cluster,
// and neither stops it under the other; the apply, held up by a writer's open transaction, is cancelled
// from the API: audited as cancelled, with no index (valid or INVALID) left behind.
TEST_F(ServeTest, TwoValidationsAndAnApplyAtOnceAndTheApplyIsCancelledFromTheApi) {
    const std::string dsn = FreshDatabase("serve_concurrent");
    std::string setup;
    for (const char* t : {"t1", "t2", "t3"}) {
        setup += fmt::format(
            "CREATE TABLE {0} (id int PRIMARY KEY, k int NOT NULL, pad text);"
            "INSERT INTO {0} SELECT g, g % 20000, repeat('x', 40) FROM generate_series(1, 100000) g;",
            t);
    }
    RunSql(dsn, setup + "ANALYZE");
    for (int i = 0; i < 3; ++i) {
        RunSql(dsn, fmt::format("SELECT * FROM t1 WHERE k = {0}; SELECT * FROM t2 WHERE k = {0};"
                                "SELECT * FROM t3 WHERE k = {0}",
                                i + 7));
    }
    Server server({"--target", "shop=" + dsn, "--interval", "60"});
    auto advised = server.Call("POST", "/api/v1/targets/1/advise");
    ASSERT_EQ(advised.status, 200) << advised.body;
    std::map<std::string, std::string> by_table;  // table -> recommendation id
    const Json advice = Json::parse(advised.body);
    for (const auto& r : advice["recommendations"]) by_table[r["table"]] = r["id"];
    ASSERT_EQ(by_table.size(), 3u) << "one index per table: " << advised.body;

    // A writer holds t3: CREATE INDEX CONCURRENTLY waits for it (up to its 5 s lock timeout).
    auto writer = pg::Connection::Open(dsn);
    ASSERT_TRUE(writer) << writer.error().message;
    ASSERT_TRUE(writer->ExecuteAll({"BEGIN", "LOCK TABLE t3 IN ROW EXCLUSIVE MODE"}));

    HttpTestResponse validated[2];
    std::thread validations[2];
    for (int i = 0; i < 2; ++i) {
        const std::string path = "/api/v1/recommendations/" + by_table[i == 0 ? "t1" : "t2"] + "/validate";
        validations[i] = std::thread([&server, &validated, i, path] { validated[i] = server.Call("POST", path, "{}"); });
    }
    const std::string apply = "/api/v1/recommendations/" + by_table["t3"] + "/apply";
    HttpTestResponse applied;
    std::thread applying([&] { applied = server.Call("POST", apply, "{}"); });
    // Cancel once the build waits for the writer.
    const std::string build_waits =
        "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%CREATE INDEX CONCURRENTLY%' AND wait_event_type = "
        "'Lock'";
    bool waiting = false;
    for (int i = 0; i < 200 && !waiting; ++i) {
        std::this_thread::sleep_for(20ms);
        waiting = QueryValue(dsn, build_waits) == "1";
    }
    if (!waiting) {
        const std::string activity = QueryValue(
            dsn, "SELECT string_agg(coalesce(wait_event_type, '-') || ' ' || left(query, 60), ' | ') FROM "
                 "pg_stat_activity WHERE backend_type = 'client backend'");
        (void)writer->Execute("ROLLBACK");
        applying.join();
        for (auto& t : validations) t.join();
        FAIL() << "the apply's build does not wait for the writer: " << activity << "; apply: " << applied.status
               << " " << applied.body;
    }
    EXPECT_EQ(server.Call("POST", apply, "{}").status, 409) << "a second apply of the same recommendation";
    auto cancelled = server.Call("POST", apply + "/cancel", "{}");
    EXPECT_EQ(cancelled.status, 202) << cancelled.body;
    // Once the build is cancelled, the writer ends, so the INVALID index the build left can be dropped.
    for (int i = 0; i < 200 && QueryValue(dsn, build_waits) != "0"; ++i) std::this_thread::sleep_for(20ms);
    (void)writer->Execute("ROLLBACK");
    applying.join();
    EXPECT_NE(applied.status, 200) << applied.body;
    EXPECT_NE(applied.body.find("cancelled"), std::string::npos) << applied.body;
    EXPECT_EQ(server.Call("POST", apply + "/cancel", "{}").status, 404) << "nothing runs any more";
    EXPECT_EQ(QueryValue(dsn, "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
                              "WHERE c.relname = 't3' AND NOT i.indisprimary"),
              "0")
        << "no index, valid or INVALID, is left on t3";

    for (auto& t : validations) t.join();
    for (const auto& v : validated) {
        ASSERT_EQ(v.status, 200) << v.body;
        EXPECT_EQ(Json::parse(v.body)["verdict"], "improved") << v.body;
    }
    // The three ran at once: each validation's interval overlaps the apply's.
    const Json events = server.GetJson("/api/v1/audit")["events"];
    struct Interval {
        double start_ms = 0;
        double end_ms = 0;
    };
    std::vector<Interval> validate_runs;
    std::optional<Interval> apply_run;
    for (const auto& e : events) {
        const auto at = ParseTime(e["at"].get<std::string>());
        ASSERT_TRUE(at.has_value()) << e.dump();
        const double end_ms = static_cast<double>(ToUnixMs(*at));
        const Interval run{end_ms - e["duration_ms"].get<double>(), end_ms};
        if (e["action"] == "validate") validate_runs.push_back(run);
        if (e["action"] == "apply") {
            EXPECT_EQ(e["outcome"], "cancelled") << e.dump();
            apply_run = run;
        }
    }
    ASSERT_EQ(validate_runs.size(), 2u) << events.dump(2);
    ASSERT_TRUE(apply_run.has_value()) << events.dump(2);
    for (const auto& v : validate_runs) {
        EXPECT_LT(v.start_ms, apply_run->end_ms + 1);
        EXPECT_GT(v.end_ms + 1, apply_run->start_ms);
    }
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
