// The built dashboard served by the HTTP server: types, caching, the SPA fallback, gzip variants, ETags,
// no way out of the directory, and security headers on every response.
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>
#include <unistd.h>

#include "api/auth.hpp"
#include "api/http_server.hpp"
#include "api/http_server_fixture.hpp"
#include "http_test_client.hpp"

namespace optischema::api {
namespace {

namespace fs = std::filesystem;
using namespace optischema::api::testing;
using optischema::testing::HttpTestClient;
using optischema::testing::HttpTestResponse;

class StaticFilesTest : public HttpServerTest {
protected:
    StaticFilesTest() {
        base_ = fs::temp_directory_path() /
                ("optischema-static-" + std::to_string(::getpid()) + "-" + NewToken().substr(0, 6));
        const auto root = base_ / "dist";
        fs::create_directories(root / "assets");
        Write(root / "index.html", "<html>dashboard</html>");
        Write(root / "favicon.svg", "<svg/>");
        Write(root / "assets" / "app.1a2b3c.js", "console.log('plain')");
        Write(root / "assets" / "app.1a2b3c.js.gz", "GZIPPED-BYTES");
        Write(root / "assets" / "style.9f8e.css", "body{}");
        Write(root / ".env", "TOPSECRET");
        Write(base_ / "secret.txt", "TOPSECRET");
        fs::create_symlink(base_ / "secret.txt", root / "assets" / "link.js");
        Write(root / "assets" / "page.5d6e.js", "console.log('page')");
        fs::create_symlink(base_ / "secret.txt", root / "assets" / "page.5d6e.js.gz");  // a .gz sibling leading out
        options_.static_dir = root;
    }
    ~StaticFilesTest() override {
        std::error_code ec;
        fs::remove_all(base_, ec);
    }
    static void Write(const fs::path& path, std::string_view contents) {
        std::ofstream(path, std::ios::binary) << contents;
    }

    fs::path base_;
};

TEST_F(StaticFilesTest, ServesFilesWithTypesCachingAndSpaFallback) {
    StartServer();
    HttpTestClient client(port_);
    auto index = client.Get("/");
    ASSERT_EQ(index.status, 200);
    EXPECT_EQ(index.body, "<html>dashboard</html>");
    EXPECT_EQ(index.Header("Content-Type"), "text/html; charset=utf-8");
    EXPECT_EQ(index.Header("Cache-Control"), "no-cache");

    auto script = client.Get("/assets/app.1a2b3c.js");
    EXPECT_EQ(script.body, "console.log('plain')");
    EXPECT_EQ(script.Header("Content-Type"), "text/javascript; charset=utf-8");
    EXPECT_EQ(script.Header("Cache-Control"), "public, max-age=31536000, immutable");
    EXPECT_EQ(script.Header("Vary"), "Accept-Encoding");
    EXPECT_FALSE(script.Header("Content-Encoding"));

    EXPECT_EQ(client.Get("/assets/style.9f8e.css").Header("Content-Type"), "text/css; charset=utf-8");
    EXPECT_EQ(client.Get("/favicon.svg").Header("Content-Type"), "image/svg+xml");

    auto spa = client.Get("/targets/5/statements?range=1h");
    EXPECT_EQ(spa.status, 200);
    EXPECT_EQ(spa.body, "<html>dashboard</html>");
    EXPECT_EQ(spa.Header("Cache-Control"), "no-cache");

    EXPECT_EQ(client.Get("/assets/missing.js").status, 404);
    auto api = client.Get("/api/v1/unknown");
    EXPECT_EQ(api.status, 404);
    EXPECT_EQ(api.Header("Content-Type"), "application/json");
    EXPECT_EQ(client.Request("POST", "/somewhere").status, 404);
}

TEST_F(StaticFilesTest, ServesGzipVariantOnlyWhenAccepted) {
    StartServer();
    HttpTestClient client(port_);
    auto gzip = client.Get("/assets/app.1a2b3c.js", {{"Accept-Encoding", "gzip, deflate, br"}});
    EXPECT_EQ(gzip.body, "GZIPPED-BYTES");
    EXPECT_EQ(gzip.Header("Content-Encoding"), "gzip");
    EXPECT_EQ(gzip.Header("Content-Type"), "text/javascript; charset=utf-8");
    EXPECT_EQ(gzip.Header("Vary"), "Accept-Encoding");

    EXPECT_EQ(client.Get("/assets/app.1a2b3c.js", {{"Accept-Encoding", "gzip;q=0, br"}}).body, "console.log('plain')");
    EXPECT_EQ(client.Get("/assets/app.1a2b3c.js", {{"Accept-Encoding", "identity"}}).body, "console.log('plain')");
    EXPECT_NE(gzip.Header("ETag"), client.Get("/assets/app.1a2b3c.js").Header("ETag"));
}

TEST_F(StaticFilesTest, RevalidatesWithEtag) {
    StartServer();
    HttpTestClient client(port_);
    auto first = client.Get("/");
    ASSERT_TRUE(first.Header("ETag"));
    auto again = client.Get("/", {{"If-None-Match", *first.Header("ETag")}});
    EXPECT_EQ(again.status, 304);
    EXPECT_TRUE(again.body.empty());
    EXPECT_EQ(client.Get("/", {{"If-None-Match", "W/\"other\""}}).status, 200);
}

TEST_F(StaticFilesTest, RefusesTraversalHiddenFilesAndSymlinksOut) {
    StartServer();
    for (const char* target :
         {"/../secret.txt", "/%2e%2e/secret.txt", "/assets/..%2f..%2fsecret.txt", "/assets/%2e%2e/%2e%2e/secret.txt",
          "/assets/../../secret.txt", "/.env", "/%2eenv", "/assets/link.js", "/assets/..%5c..%5csecret.txt"}) {
        HttpTestClient client(port_);
        auto response = client.Get(target);
        EXPECT_NE(response.status, 200) << target;
        EXPECT_EQ(response.body.find("TOPSECRET"), std::string::npos) << target;
    }
    // An absolute-looking path is still relative to the dashboard: the SPA fallback, not /etc/passwd.
    HttpTestClient client(port_);
    auto sibling = client.Get("/assets/page.5d6e.js", {{"Accept-Encoding", "gzip"}});
    EXPECT_EQ(sibling.status, 200);
    EXPECT_EQ(sibling.body, "console.log('page')") << "the plain file, not the .gz that leads out of the root";
    auto passwd = client.Get("//etc/passwd");
    EXPECT_EQ(passwd.body, "<html>dashboard</html>");
}

TEST_F(StaticFilesTest, EveryResponseCarriesSecurityHeaders) {
    StartServer();
    std::vector<HttpTestResponse> responses;
    {
        HttpTestClient client(port_);
        responses.push_back(client.Get("/"));
        responses.push_back(client.Get("/assets/app.1a2b3c.js"));
        responses.push_back(client.Get("/api/v1/targets/1"));
        responses.push_back(client.Get("/api/v1/missing"));
        responses.push_back(client.Request("PUT", "/api/v1/targets/1"));
    }
    {
        HttpTestClient client(port_);
        client.SendRaw("NOT HTTP\r\n\r\n");
        responses.push_back(client.ReadResponse());
    }
    for (const auto& response : responses) {
        EXPECT_EQ(response.Header("X-Content-Type-Options"), "nosniff") << response.status;
        EXPECT_EQ(response.Header("X-Frame-Options"), "DENY") << response.status;
        EXPECT_EQ(response.Header("Referrer-Policy"), "no-referrer") << response.status;
        const auto csp = response.Header("Content-Security-Policy").value_or("");
        EXPECT_NE(csp.find("default-src 'self'"), std::string::npos) << response.status;
        EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << response.status;
        EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos) << response.status;
    }
}

}  // namespace
}  // namespace optischema::api
