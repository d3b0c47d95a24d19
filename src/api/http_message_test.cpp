// What the transport relies on to write a response that cannot be split and to find where to listen.
#include "api/http_message.hpp"

#include <string>
#include <string_view>

#include <gtest/gtest.h>

namespace optischema::api {
namespace {

TEST(HttpMessageTest, HeaderNamesAreTokensAndValuesCannotEndTheirLine) {
    for (const std::string_view name : {"Content-Type", "X-Custom_1", "a!#$%&'*+-.^_`|~z"}) {
        EXPECT_TRUE(IsToken(name)) << name;
    }
    for (const std::string_view name : {"", "Bad Name", "X:Y", "X\r\nSet-Cookie", "Caf\xc3\xa9", "(x)"}) {
        EXPECT_FALSE(IsToken(name)) << name;
    }
    EXPECT_TRUE(IsSafeHeaderValue("text/html; charset=utf-8"));
    EXPECT_TRUE(IsSafeHeaderValue(""));
    EXPECT_TRUE(IsSafeHeaderValue("tab\tand \xc3\xa9"));
    EXPECT_FALSE(IsSafeHeaderValue("a\r\nSet-Cookie: x=1"));
    EXPECT_FALSE(IsSafeHeaderValue("a\nb"));
    EXPECT_FALSE(IsSafeHeaderValue(std::string_view("a\0b", 3)));
}

TEST(HttpMessageTest, OnlyResponsesWithContentCarryABody) {
    for (const int status : {200, 201, 206, 301, 400, 404, 500}) EXPECT_TRUE(StatusHasBody(status)) << status;
    for (const int status : {100, 101, 204, 304}) EXPECT_FALSE(StatusHasBody(status)) << status;
}

TEST(HttpMessageTest, HandlerHeadersThatCouldSplitOrReframeTheResponseAreNotSent) {
    EXPECT_EQ(ClassifyResponseHeader("Cache-Control", "no-store"), ResponseHeaderUse::kSend);
    EXPECT_EQ(ClassifyResponseHeader("set-cookie", "a=1; HttpOnly"), ResponseHeaderUse::kSend);
    EXPECT_EQ(ClassifyResponseHeader("Content-Length", "12"), ResponseHeaderUse::kSkip);
    EXPECT_EQ(ClassifyResponseHeader("content-length", "1\r\n"), ResponseHeaderUse::kSkip);
    EXPECT_EQ(ClassifyResponseHeader("Transfer-Encoding", "chunked"), ResponseHeaderUse::kRefuse);
    EXPECT_EQ(ClassifyResponseHeader("CONNECTION", "keep-alive"), ResponseHeaderUse::kRefuse);
    EXPECT_EQ(ClassifyResponseHeader("X-Note", "a\r\nSet-Cookie: admin=1"), ResponseHeaderUse::kRefuse);
    EXPECT_EQ(ClassifyResponseHeader("X Note", "a"), ResponseHeaderUse::kRefuse);
}

TEST(HttpMessageTest, ListenAddressesSplitIntoHostAndPort) {
    auto v4 = ParseListenAddress("127.0.0.1:8080");
    ASSERT_TRUE(v4) << v4.error().message;
    EXPECT_EQ(v4->host, "127.0.0.1");
    EXPECT_EQ(v4->port, 8080);
    auto v6 = ParseListenAddress("[::1]:0");
    ASSERT_TRUE(v6) << v6.error().message;
    EXPECT_EQ(v6->host, "::1");
    EXPECT_EQ(v6->port, 0);
    auto any = ParseListenAddress(":65535");
    ASSERT_TRUE(any) << any.error().message;
    EXPECT_EQ(any->host, "0.0.0.0");
    EXPECT_EQ(any->port, 65535);
    auto name = ParseListenAddress("localhost:80");
    ASSERT_TRUE(name) << "the host is the transport's to check";
    EXPECT_EQ(name->host, "localhost");
}

TEST(HttpMessageTest, BadListenAddressesSayWhatIsWrong) {
    auto no_port = ParseListenAddress("localhost");
    ASSERT_FALSE(no_port);
    EXPECT_EQ(no_port.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(no_port.error().message.find("is not HOST:PORT"), std::string::npos) << no_port.error().message;
    auto unclosed = ParseListenAddress("[::1:80");
    ASSERT_FALSE(unclosed);
    EXPECT_NE(unclosed.error().message.find("is not [IPv6]:PORT"), std::string::npos) << unclosed.error().message;
    for (const std::string_view bad : {"127.0.0.1:99999", "127.0.0.1:", "127.0.0.1:80x", "127.0.0.1:-1", "[::1]:"}) {
        auto parsed = ParseListenAddress(bad);
        ASSERT_FALSE(parsed) << bad;
        EXPECT_NE(parsed.error().message.find("is not a port number"), std::string::npos) << parsed.error().message;
    }
}

TEST(HttpMessageTest, CredentialsKeepWhatAuthenticatesAndNothingElse) {
    HttpRequest request;
    request.method = "GET";
    request.path = "/api/v1/stream";
    request.body = "hello";
    request.headers.Add("Authorization", "Bearer t");
    request.cookies["optischema_session"] = "s";
    request.remote_address = "10.0.0.1";
    request.principal = Principal{"alice", Role::kViewer, AuthMethod::kCookie};
    const HttpRequest credentials = CredentialsOf(request);
    EXPECT_EQ(credentials.headers.Get("authorization"), "Bearer t");
    EXPECT_EQ(credentials.Cookie("optischema_session"), "s");
    EXPECT_EQ(credentials.remote_address, "10.0.0.1");
    EXPECT_TRUE(credentials.body.empty());
    EXPECT_TRUE(credentials.path.empty());
    EXPECT_FALSE(credentials.principal) << "who it was is asked again, not remembered";
}

}  // namespace
}  // namespace optischema::api
