// `optischema serve` as a user signs in to it: login and roles, CSRF, the only admin kept, a new password
// ending the other sessions, and a logout ending the session and its live stream.
#include <string>

#include <gtest/gtest.h>

#include "http_test_client.hpp"
#include "serve_fixture.hpp"

namespace optischema::server {
namespace {

using namespace optischema::testing;
using namespace std::chrono_literals;

TEST_F(ServeTest, AuthenticationRolesAndCsrf) {
    Server server({"--target", "shop=" + dsn_, "--interval", "1"});
    HttpTestClient anonymous(server.port());
    EXPECT_EQ(anonymous.Get("/healthz").status, 200);
    EXPECT_EQ(anonymous.Get("/api/v1/targets").status, 401);
    auto wrong = anonymous.Request("POST", "/api/v1/auth/login", R"({"username": "admin", "password": "nope"})");
    EXPECT_EQ(wrong.status, 401);
    EXPECT_EQ(wrong.body.find(kAdminPassword), std::string::npos);
    auto malformed = anonymous.Request("POST", "/api/v1/auth/login", "{not json");
    EXPECT_EQ(malformed.status, 400);

    auto me = server.GetJson("/api/v1/auth/me");
    EXPECT_EQ(me["user"]["role"], "admin");
    // A mutating call with the session cookie but without the CSRF header is refused.
    EXPECT_EQ(server.Call("POST", "/api/v1/targets/1/collect", "", false).status, 403);
    EXPECT_EQ(server.Call("POST", "/api/v1/targets/1/collect").status, 202);

    // A viewer reads but cannot change anything.
    ASSERT_EQ(server.AddUser("vera", "viewer-password", "viewer").status, 201);
    HttpTestClient viewer(server.port());
    const HeaderList headers = server.LoginHeaders("vera", "viewer-password");
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
    const std::string vera_id = server.UserId("vera");
    ASSERT_EQ(server.Call("PUT", "/api/v1/users/" + vera_id, Json{{"password", "new-viewer-password"}}.dump()).status,
              200);
    EXPECT_EQ(viewer.Get("/api/v1/targets", headers).status, 401) << "the session from before the change";
    EXPECT_NO_THROW(server.Login("vera", "new-viewer-password")) << "the new password works";
    ASSERT_EQ(server.Call("PUT", "/api/v1/users/1", Json{{"password", kAdminPassword}}.dump()).status, 200);
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

}  // namespace
}  // namespace optischema::server
