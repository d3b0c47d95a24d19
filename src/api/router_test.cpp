#include "api/router.hpp"

#include <stdexcept>

#include <gtest/gtest.h>

#include "api/http_message.hpp"

namespace optischema::api {
namespace {

Handler Named(std::string name) {
    return [name](const HttpRequest&) { return HttpResponse::Text(200, name); };
}

std::string Call(const RouteMatch& match) {
    HttpRequest request;
    return match.route->handler(request).body;
}

TEST(RouterTest, MatchesLiteralAndParameterSegments) {
    Router router;
    router.Get("/api/v1/targets", Named("list"));
    router.Get("/api/v1/targets/{id}", Named("one"));
    router.Get("/api/v1/targets/{id}/statements/{fingerprint}", Named("statement"));

    auto list = router.Find("GET", "/api/v1/targets");
    ASSERT_EQ(list.kind, RouteMatch::Kind::kFound);
    EXPECT_EQ(Call(list), "list");

    auto one = router.Find("GET", "/api/v1/targets/42");
    ASSERT_EQ(one.kind, RouteMatch::Kind::kFound);
    EXPECT_EQ(Call(one), "one");
    EXPECT_EQ(one.params.at("id"), "42");
    EXPECT_EQ(one.route->pattern, "/api/v1/targets/{id}");

    auto statement = router.Find("GET", "/api/v1/targets/db%2Eprod/statements/ab%20cd");
    ASSERT_EQ(statement.kind, RouteMatch::Kind::kFound);
    EXPECT_EQ(statement.params.at("id"), "db.prod");
    EXPECT_EQ(statement.params.at("fingerprint"), "ab cd");
}

TEST(RouterTest, EncodedSlashStaysInsideOneParameter) {
    Router router;
    router.Get("/api/v1/targets/{id}", Named("one"));
    auto match = router.Find("GET", "/api/v1/targets/a%2Fb");
    ASSERT_EQ(match.kind, RouteMatch::Kind::kFound);
    EXPECT_EQ(match.params.at("id"), "a/b");
    EXPECT_EQ(router.Find("GET", "/api/v1/targets/a/b").kind, RouteMatch::Kind::kNotFound);
}

TEST(RouterTest, LiteralBeatsParameterWhateverTheRegistrationOrder) {
    Router router;
    router.Get("/api/v1/targets/{id}", Named("param"));
    router.Get("/api/v1/targets/test", Named("literal"));
    EXPECT_EQ(Call(router.Find("GET", "/api/v1/targets/test")), "literal");
    EXPECT_EQ(Call(router.Find("GET", "/api/v1/targets/7")), "param");
}

TEST(RouterTest, UnknownPathIsNotFoundAndWrongMethodListsAllowed) {
    Router router;
    router.Get("/api/v1/targets/{id}", Named("get"));
    router.Delete("/api/v1/targets/{id}", Named("delete"));
    router.Put("/api/v1/targets/{id}", Named("put"));

    EXPECT_EQ(router.Find("GET", "/api/v1/nothing").kind, RouteMatch::Kind::kNotFound);
    EXPECT_EQ(router.Find("GET", "/api/v1/targets").kind, RouteMatch::Kind::kNotFound);
    EXPECT_EQ(router.Find("GET", "/api/v1/targets/").kind, RouteMatch::Kind::kNotFound);  // empty id

    auto post = router.Find("POST", "/api/v1/targets/3");
    EXPECT_EQ(post.kind, RouteMatch::Kind::kMethodNotAllowed);
    EXPECT_EQ(post.allow, "DELETE, GET, HEAD, PUT");
}

TEST(RouterTest, HeadFallsBackToGetAndTrailingSlashIsIgnored) {
    Router router;
    router.Get("/healthz", Named("health"));
    auto head = router.Find("HEAD", "/healthz/");
    ASSERT_EQ(head.kind, RouteMatch::Kind::kFound);
    EXPECT_EQ(Call(head), "health");
}

TEST(RouterTest, RootPathMatchesOnlyRoot) {
    Router router;
    router.Get("/", Named("root"));
    EXPECT_EQ(router.Find("GET", "/").kind, RouteMatch::Kind::kFound);
    EXPECT_EQ(router.Find("GET", "/x").kind, RouteMatch::Kind::kNotFound);
}

TEST(RouterTest, RefusesMalformedAndDuplicatePatterns) {
    Router router;
    router.Get("/api/v1/targets/{id}", Named("a"));
    EXPECT_THROW(router.Get("/api/v1/targets/{other}", Named("b")), std::invalid_argument);
    EXPECT_THROW(router.Get("api/v1", Named("b")), std::invalid_argument);
    EXPECT_THROW(router.Get("/api/v1/x{id}", Named("b")), std::invalid_argument);
    EXPECT_THROW(router.Get("/api//v1", Named("b")), std::invalid_argument);
    EXPECT_THROW(router.Get("/a/{id}/b/{id}", Named("b")), std::invalid_argument);
    EXPECT_NO_THROW(router.Post("/api/v1/targets/{id}", Named("post")));
}

TEST(HttpMessageTest, HeadersAreCaseInsensitiveAndKeepRepeats) {
    HttpHeaders headers;
    headers.Add("Set-Cookie", "a=1");
    headers.Add("set-cookie", "b=2");
    headers.Set("Content-Type", "text/plain");
    EXPECT_EQ(headers.Get("SET-COOKIE"), "a=1");
    EXPECT_EQ(headers.GetAll("Set-Cookie").size(), 2u);
    headers.Set("content-type", "application/json");
    EXPECT_EQ(headers.GetAll("Content-Type").size(), 1u);
    EXPECT_EQ(headers.Get("CONTENT-TYPE"), "application/json");
    headers.Remove("SET-cookie");
    EXPECT_FALSE(headers.Has("Set-Cookie"));
}

TEST(HttpMessageTest, ParsesTargetsAndQueryStrings) {
    HttpRequest request;
    ASSERT_TRUE(ParseRequestTarget("/api/v1/statements?from=1&q=select+1%3B&empty=&q=second&=x&bad=%zz", request));
    EXPECT_EQ(request.path, "/api/v1/statements");
    EXPECT_EQ(request.QueryParam("from"), "1");
    EXPECT_EQ(request.QueryParam("q"), "select 1;");  // the first of repeated keys wins
    EXPECT_EQ(request.QueryParam("empty"), "");
    EXPECT_FALSE(request.QueryParam("bad"));
    EXPECT_EQ(request.query.size(), 3u);

    HttpRequest other;
    EXPECT_FALSE(ParseRequestTarget("*", other));
    EXPECT_FALSE(ParseRequestTarget("http://evil/", other));
    EXPECT_FALSE(ParseRequestTarget("/a%00b", other));
    EXPECT_FALSE(ParseRequestTarget("/a%4", other));
    EXPECT_FALSE(ParseRequestTarget("/a\x01", other));
}

TEST(HttpMessageTest, PercentDecodeRejectsBrokenEscapes) {
    EXPECT_EQ(PercentDecode("a%20b+c"), "a b+c");
    EXPECT_EQ(PercentDecode("a%20b+c", true), "a b c");
    EXPECT_FALSE(PercentDecode("%"));
    EXPECT_FALSE(PercentDecode("%2"));
    EXPECT_FALSE(PercentDecode("%g0"));
}

TEST(HttpMessageTest, ServiceErrorsMapToStatusWithoutLeakingInternals) {
    auto not_found = HttpResponse::FromError(Error{ErrorCode::kNotFound, "no target 7", ""});
    EXPECT_EQ(not_found.status, 404);
    EXPECT_NE(not_found.body.find("no target 7"), std::string::npos);
    EXPECT_NE(not_found.body.find("\"code\":\"not_found\""), std::string::npos);

    auto query = HttpResponse::FromError(Error{ErrorCode::kQueryFailed, "relation missing", "42P01"});
    EXPECT_EQ(query.status, 502);
    EXPECT_NE(query.body.find("42P01"), std::string::npos);

    auto storage = HttpResponse::FromError(Error{ErrorCode::kStorage, "disk full at /secret/path", ""});
    EXPECT_EQ(storage.status, 500);
    EXPECT_EQ(storage.body.find("/secret/path"), std::string::npos);

    EXPECT_EQ(HttpStatusFor(ErrorCode::kInvalidArgument), 400);
    EXPECT_EQ(HttpStatusFor(ErrorCode::kPrerequisiteMissing), 409);
}

TEST(HttpMessageTest, JsonNeverThrowsOnInvalidUtf8) {
    auto response = HttpResponse::Error(400, "bad", std::string("bad \xff byte"));
    EXPECT_EQ(response.content_type, "application/json");
    EXPECT_NE(response.body.find("bad"), std::string::npos);
}

}  // namespace
}  // namespace optischema::api
