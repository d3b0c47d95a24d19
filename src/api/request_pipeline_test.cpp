#include "api/request_pipeline.hpp"

#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "api/http_message.hpp"
#include "api/router.hpp"

namespace optischema::api {
namespace {

TEST(LoopbackHostTest, NamesThisMachineOnly) {
    for (const std::string_view yes : {"localhost", "LOCALHOST:80", "127.0.0.1", "127.1.2.3:8080", "[::1]:80", "::1"}) {
        EXPECT_TRUE(IsLoopbackHost(yes)) << yes;
    }
    for (const std::string_view no : {"0.0.0.0:8080", ":8080", "10.0.0.1:80", "localhost.evil.example", "[::2]:80",
                                      "evil.example", "127.0.0.1.evil.example", ""}) {
        EXPECT_FALSE(IsLoopbackHost(no)) << no;
    }
}

TEST(AddressGroupTest, IPv4AloneIPv6ByItsSlash64AndMappedIPv4AsIPv4) {
    EXPECT_EQ(AddressGroup("10.0.0.5"), "10.0.0.5");
    EXPECT_EQ(AddressGroup("::ffff:10.0.0.5"), "10.0.0.5");
    EXPECT_EQ(AddressGroup("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), "2001:db8:1:2::/64");
    EXPECT_EQ(AddressGroup("2001:db8:1:2::1"), AddressGroup("2001:db8:1:2:ffff::9"));
    EXPECT_NE(AddressGroup("2001:db8:1:2::1"), AddressGroup("2001:db8:1:3::1"));
    EXPECT_EQ(AddressGroup("::1"), "::/64");
    EXPECT_EQ(AddressGroup("not an address"), "not an address");
}

TEST(ClientAddressTest, OnlyATrustedProxyNamesTheClient) {
    const std::vector<std::string> proxies = {"10.0.0.5", "10.0.0.6"};
    auto from = [&](std::string_view peer, std::vector<std::string> forwarded) {
        HttpHeaders headers;
        for (const auto& line : forwarded) headers.Add("X-Forwarded-For", line);
        return ClientAddress(peer, headers, proxies);
    };
    EXPECT_EQ(from("203.0.113.9", {"198.51.100.1"}), "203.0.113.9") << "anyone else's header is ignored";
    EXPECT_EQ(from("10.0.0.5", {}), "10.0.0.5");
    EXPECT_EQ(from("10.0.0.5", {"198.51.100.1"}), "198.51.100.1");
    EXPECT_EQ(from("10.0.0.5", {"1.2.3.4, 198.51.100.1"}), "198.51.100.1") << "the client may have forged 1.2.3.4";
    EXPECT_EQ(from("10.0.0.5", {"1.2.3.4", "198.51.100.1, 10.0.0.6"}), "198.51.100.1") << "proxies are skipped";
    EXPECT_EQ(from("10.0.0.5", {"2001:db8::7"}), "2001:db8::7");
    EXPECT_EQ(from("10.0.0.5", {"unknown"}), "10.0.0.5") << "not an address";
}

// What an authenticator says becomes the answer: a refusal with a reason is 401 with that reason, a store
// that cannot say is 503, and neither reaches the handler.
TEST(RequestPipelineTest, AnAuthenticatorsRefusalIs401WithItsReasonAndAnOutageIs503) {
    Router router;
    int handled = 0;
    router.Get("/api/v1/thing", [&handled](const HttpRequest&) {
        ++handled;
        return HttpResponse::Text(200, "ok", "text/plain");
    });
    HttpServerOptions options;
    Result<std::optional<Principal>> verdict = std::optional<Principal>();
    options.authenticate = [&verdict](const HttpRequest&) { return verdict; };
    RequestPipeline pipeline(router, options);
    auto call = [&] {
        HttpRequest request;
        request.method = "GET";
        request.path = "/api/v1/thing";
        return pipeline.Handle(request);
    };

    verdict = MakeError(ErrorCode::kUnauthenticated, "the API token abc was revoked at 2030-01-01T00:00:00.000Z");
    HttpResponse refused = call();
    EXPECT_EQ(refused.status, 401);
    EXPECT_NE(refused.body.find("was revoked at"), std::string::npos) << refused.body;
    EXPECT_NE(refused.body.find("\"unauthorized\""), std::string::npos) << refused.body;
    EXPECT_EQ(refused.headers.Get("WWW-Authenticate"), "Bearer realm=\"optischema\", error=\"invalid_token\"");

    verdict = MakeError(ErrorCode::kStorage, "store down");
    EXPECT_EQ(call().status, 503);
    verdict = std::optional<Principal>();
    EXPECT_EQ(call().status, 401);
    EXPECT_EQ(handled, 0);
    verdict = std::optional<Principal>(Principal{"bot", Role::kViewer, AuthMethod::kBearer, "abc"});
    EXPECT_EQ(call().status, 200);
    EXPECT_EQ(handled, 1);
}

}  // namespace
}  // namespace optischema::api
