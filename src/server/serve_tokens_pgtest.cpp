// `optischema serve` as a script uses it: API tokens created from a login session, sent as
// `Authorization: Bearer`, held to their role, refused once revoked or expired, never shown again, never
// logged; and the server deleting expired sessions. The store is PostgreSQL, so the test can read and age
// what the server keeps.
#include <fstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "http_test_client.hpp"
#include "pg_test_env.hpp"
#include "serve_fixture.hpp"

namespace optischema::server {
namespace {

using namespace optischema::testing;
using namespace std::chrono_literals;

HeaderList Bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

// A config file with a PostgreSQL store, in `dir`.
std::string StoreConfig(const BinaryRunner& dir, const std::string& store_dsn) {
    const std::string config = dir.data_dir() + "/tokens.toml";
    std::ofstream(config) << "store = \"" << store_dsn << "\"\nsecret_key_file = \"" << dir.data_dir()
                          << "/secret.key\"\n";
    return config;
}

TEST_F(ServeTest, ApiTokensActForTheirOwnerWithinTheirRoleUntilRevokedOrExpired) {
    const std::string store_dsn = FreshDatabase("tokens_store");
    BinaryRunner dir;
    Server server({"--config", StoreConfig(dir, store_dsn), "--target", "shop=" + dsn_, "--interval", "1", "-v"});
    ASSERT_EQ(server.AddUser("otto", "operator-password", "operator").status, 201);
    ASSERT_EQ(server.AddUser("vera", "viewer-password", "viewer").status, 201);
    HttpTestClient http(server.port());
    const HeaderList otto = server.LoginHeaders("otto", "operator-password");
    const HeaderList vera = server.LoginHeaders("vera", "viewer-password");

    // An operator creates an operator token from their session; the answer holds it, once.
    auto created = http.Request("POST", "/api/v1/tokens", R"({"name": "ci", "role": "operator"})", otto);
    ASSERT_EQ(created.status, 201) << created.body;
    const Json answer = Json::parse(created.body);
    const std::string token = answer["token"];
    const std::string id = answer["api_token"]["id"];
    EXPECT_TRUE(token.starts_with("osk_" + id + "_")) << token;
    EXPECT_EQ(answer["api_token"]["owner"], "otto");
    EXPECT_EQ(answer["api_token"]["role"], "operator");
    EXPECT_FALSE(answer["api_token"]["expires_at"].is_null()) << "a default expiry (90 days)";
    EXPECT_EQ(QueryValue(store_dsn, "SELECT count(*) FROM optischema.api_tokens t WHERE strpos(t::text, '" +
                                        token.substr(21) + "') > 0"),
              "0")
        << "the store keeps a hash, not the token";

    // The token calls an operator route with no cookie and no CSRF header.
    auto collect = http.Request("POST", "/api/v1/targets/1/collect", "", Bearer(token));
    EXPECT_EQ(collect.status, 202) << collect.body;
    auto me = http.Get("/api/v1/auth/me", Bearer(token));
    ASSERT_EQ(me.status, 200);
    EXPECT_EQ(Json::parse(me.body)["user"]["username"], "otto");

    // A viewer cannot create an operator token; a viewer's token is refused on an operator route.
    auto above = http.Request("POST", "/api/v1/tokens", R"({"name": "x", "role": "operator"})", vera);
    EXPECT_EQ(above.status, 403) << above.body;
    EXPECT_NE(above.body.find("you are viewer"), std::string::npos) << above.body;
    auto viewer_created = http.Request("POST", "/api/v1/tokens", R"({"name": "grafana"})", vera);
    ASSERT_EQ(viewer_created.status, 201) << viewer_created.body;
    const std::string viewer_token = Json::parse(viewer_created.body)["token"];
    EXPECT_EQ(http.Get("/api/v1/targets", Bearer(viewer_token)).status, 200);
    EXPECT_EQ(http.Request("POST", "/api/v1/targets/1/collect", "", Bearer(viewer_token)).status, 403);
    // Nobody but an admin may choose "never"; a token cannot mint tokens.
    EXPECT_EQ(http.Request("POST", "/api/v1/tokens", R"({"name": "x", "expires_at": "never"})", otto).status, 403);
    EXPECT_EQ(http.Request("POST", "/api/v1/tokens", R"({"name": "x"})", Bearer(token)).status, 403);
    EXPECT_EQ(http.Request("POST", "/api/v1/tokens", R"({"name": "x", "expires_at": "soon"})", otto).status, 400);

    // Lists: your own, an admin's all; never a token.
    auto own = http.Get("/api/v1/tokens", Bearer(token));
    ASSERT_EQ(own.status, 200);
    const Json own_tokens = Json::parse(own.body)["tokens"];
    ASSERT_EQ(own_tokens.size(), 1u) << own.body;
    EXPECT_EQ(own_tokens[0]["name"], "ci");
    EXPECT_FALSE(own_tokens[0]["last_used_at"].is_null()) << "its use was noted";
    EXPECT_FALSE(own_tokens[0].contains("token"));
    const Json all = server.GetJson("/api/v1/tokens");
    EXPECT_EQ(all["tokens"].size(), 2u) << all.dump();
    for (const std::string& secret : {token, viewer_token}) {
        EXPECT_EQ(own.body.find(secret.substr(21)), std::string::npos);
        EXPECT_EQ(all.dump().find(secret.substr(21)), std::string::npos);
    }

    // Another user's token is not found; the owner revokes it, and it is refused from then on.
    EXPECT_EQ(http.Request("DELETE", "/api/v1/tokens/" + id, "", vera).status, 404);
    EXPECT_EQ(http.Get("/api/v1/targets", Bearer(token)).status, 200);
    EXPECT_EQ(http.Request("DELETE", "/api/v1/tokens/" + id, "", otto).status, 204);
    auto revoked = http.Get("/api/v1/targets", Bearer(token));
    EXPECT_EQ(revoked.status, 401);
    EXPECT_NE(revoked.body.find("was revoked at"), std::string::npos) << revoked.body;

    // Expired: its expiry moved into the past in the store.
    const std::string viewer_id = viewer_token.substr(4, 16);
    RunSql(store_dsn, "UPDATE optischema.api_tokens SET expires_at_ms = 1000 WHERE id = '" + viewer_id + "'");
    auto expired = http.Get("/api/v1/targets", Bearer(viewer_token));
    EXPECT_EQ(expired.status, 401);
    EXPECT_NE(expired.body.find("expired at"), std::string::npos) << expired.body;
    auto mistyped = http.Get("/api/v1/targets", Bearer(token.substr(0, token.size() - 1) + "Q"));
    EXPECT_EQ(mistyped.status, 401);

    // Creating and revoking are audited, without the token.
    const Json audit = server.GetJson("/api/v1/audit?limit=50");
    int creates = 0;
    int revokes = 0;
    for (const auto& e : audit["events"]) {
        if (e["action"] == "token_create" && e["outcome"] == "ok") ++creates;
        if (e["action"] == "token_revoke" && e["outcome"] == "ok") {
            ++revokes;
            EXPECT_EQ(e["actor"], "user:otto");
            EXPECT_NE(e["target"].get<std::string>().find(id), std::string::npos);
        }
    }
    EXPECT_EQ(creates, 2);
    EXPECT_EQ(revokes, 1);
    EXPECT_EQ(audit.dump().find(token.substr(21)), std::string::npos);

    // Nothing the server logged (debug level: every request) holds a token.
    const CommandResult stopped = server.Stop();
    for (const std::string& secret : {token, viewer_token}) {
        EXPECT_EQ(stopped.out.find(secret.substr(21)), std::string::npos);
        EXPECT_EQ(stopped.err.find(secret.substr(21)), std::string::npos);
    }
}

TEST_F(ServeTest, ExpiredSessionsAndLongEndedTokensAreDeleted) {
    const std::string store_dsn = FreshDatabase("sessions_store");
    BinaryRunner dir;
    const std::string config = StoreConfig(dir, store_dsn);
    {
        Server server({"--config", config});
        (void)server.session();  // a live session, which stays
    }
    RunSql(store_dsn,
           "INSERT INTO optischema.sessions VALUES ('expired-a', 1, 'session', '', 0, 1000), "
           "('expired-b', 1, 'session', '', 0, 2000);"
           "INSERT INTO optischema.api_tokens VALUES "
           "('00000000000000aa', 'old', 1, 'viewer', 'h', 0, 1000, NULL, NULL), "
           "('00000000000000bb', 'revoked long ago', 1, 'viewer', 'h', 0, NULL, NULL, 5000), "
           "('00000000000000cc', 'live', 1, 'viewer', 'h', 0, NULL, NULL, NULL)");
    ASSERT_EQ(QueryValue(store_dsn, "SELECT count(*) FROM optischema.sessions"), "3");
    Server server({"--config", config});  // the cleanup runs at start, then every hour
    bool deleted = false;
    for (int i = 0; i < 200 && !deleted; ++i) {
        deleted = QueryValue(store_dsn,
                             "SELECT count(*) FROM optischema.sessions WHERE token_hash LIKE "
                             "'expired-%'") == "0";
        if (!deleted) std::this_thread::sleep_for(100ms);
    }
    EXPECT_TRUE(deleted) << "expired sessions are deleted";
    EXPECT_EQ(QueryValue(store_dsn, "SELECT count(*) FROM optischema.sessions"), "1") << "the live one stays";
    EXPECT_EQ(QueryValue(store_dsn, "SELECT string_agg(name, ',') FROM optischema.api_tokens"), "live");
    EXPECT_EQ(server.GetJson("/api/v1/auth/me")["user"]["username"], "admin");
}

}  // namespace
}  // namespace optischema::server
