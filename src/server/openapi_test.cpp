#include "server/openapi.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "api/auth.hpp"
#include "api/http_server.hpp"
#include "api/metrics.hpp"
#include "api/stream_hub.hpp"
#include "common/clock.hpp"
#include "server/routes.hpp"
#include "store/sqlite_store.hpp"
#include "store/target_claims.hpp"

namespace optischema::server {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

const std::set<std::string> kMethods = {"get", "put", "post", "delete", "patch", "head", "options", "trace"};

Json Document() { return Json::parse(OpenApiDocument()); }

/// Every `$ref` in the document, with the JSON pointer of where it is.
void CollectRefs(const Json& node, const std::string& where, std::vector<std::pair<std::string, std::string>>& out) {
    if (node.is_object()) {
        for (const auto& [key, value] : node.items()) {
            if (key == "$ref" && value.is_string()) out.emplace_back(where, value.get<std::string>());
            CollectRefs(value, where + "/" + key, out);
        }
    } else if (node.is_array()) {
        for (std::size_t i = 0; i < node.size(); ++i) CollectRefs(node[i], where + "/" + std::to_string(i), out);
    }
}

/// A parameter or its `$ref` target.
const Json& Resolve(const Json& doc, const Json& node) {
    if (node.contains("$ref")) return doc.at(Json::json_pointer(node["$ref"].get<std::string>().substr(1)));
    return node;
}

std::string Describe(const std::vector<ApiOperation>& ops) {
    std::string out;
    for (const auto& op : ops) out += fmt::format("\n  {} {} ({})", op.method, op.pattern, op.required_role);
    return out.empty() ? " none" : out;
}

/// A real server's services over a throwaway data directory: nothing is started, the routes only need them to
/// exist.
class RoutesFixture : public ::testing::Test {
protected:
    void SetUp() override {
        std::string tmpl = (fs::temp_directory_path() / "optischema-openapi-XXXXXX").string();
        ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
        dir_ = tmpl;
        config_.data_dir = dir_.string();
    }
    void TearDown() override {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }

    fs::path dir_;
    ServeConfig config_;
};

TEST(OpenApiTest, TheEmbeddedDocumentIsOpenApi31) {
    const auto doc = Json::parse(OpenApiDocument(), nullptr, false);
    ASSERT_FALSE(doc.is_discarded()) << "docs/openapi.json is not valid JSON";
    ASSERT_TRUE(doc.is_object());
    EXPECT_EQ(doc.value("openapi", "").rfind("3.1.", 0), 0u) << doc.value("openapi", "");
    EXPECT_TRUE(doc["info"].contains("title"));
    EXPECT_TRUE(doc["info"].contains("version"));
    EXPECT_FALSE(doc["paths"].empty());
}

TEST(OpenApiTest, EveryRefResolves) {
    const Json doc = Document();
    std::vector<std::pair<std::string, std::string>> refs;
    CollectRefs(doc, "", refs);
    ASSERT_FALSE(refs.empty());
    for (const auto& [where, ref] : refs) {
        ASSERT_EQ(ref.rfind("#/", 0), 0u) << where << ": only local references: " << ref;
        EXPECT_TRUE(doc.contains(Json::json_pointer(ref.substr(1)))) << where << ": " << ref << " does not resolve";
    }
}

TEST(OpenApiTest, EveryOperationHasItsRoleSecurityParametersAndResponses) {
    const Json doc = Document();
    const std::set<std::string> schemes = [&] {
        std::set<std::string> s;
        for (const auto& [name, scheme] : doc["components"]["securitySchemes"].items()) s.insert(name);
        return s;
    }();
    std::set<std::string> operation_ids;
    for (const auto& [path, item] : doc["paths"].items()) {
        for (const auto& [method, op] : item.items()) {
            if (!kMethods.contains(method)) continue;
            const std::string name = method + " " + path;
            EXPECT_TRUE(operation_ids.insert(op.value("operationId", "")).second)
                << name << ": missing or duplicate operationId";
            const std::string role = op.value("x-required-role", "");
            EXPECT_TRUE(role == "none" || role == "viewer" || role == "operator" || role == "admin")
                << name << ": x-required-role is " << role;
            // Public operations need no credentials; the others use the document's default or name schemes.
            if (role == "none") {
                EXPECT_EQ(op.value("security", Json()), Json::array())
                    << name << ": a public operation has security []";
            } else {
                const Json& security = op.contains("security") ? op["security"] : doc["security"];
                ASSERT_FALSE(security.empty()) << name;
                for (const auto& requirement : security) {
                    for (const auto& [scheme, scopes] : requirement.items()) {
                        EXPECT_TRUE(schemes.contains(scheme)) << name << ": unknown security scheme " << scheme;
                    }
                    // A browser session must send the CSRF header with every mutation.
                    if (method != "get" && requirement.contains("session")) {
                        EXPECT_TRUE(requirement.contains("csrf")) << name << ": a mutation by session needs csrf";
                    }
                }
                EXPECT_TRUE(op["responses"].contains("401")) << name;
                EXPECT_TRUE(op["responses"].contains("403")) << name;
            }
            // Every {param} of the path is declared, required, and nothing else is in the path.
            std::set<std::string> in_path;
            for (std::size_t open = path.find('{'); open != std::string::npos; open = path.find('{', open + 1)) {
                in_path.insert(path.substr(open + 1, path.find('}', open) - open - 1));
            }
            std::set<std::string> declared;
            for (const auto& p : op.value("parameters", Json::array())) {
                const Json& param = Resolve(doc, p);
                if (param.value("in", "") != "path") continue;
                declared.insert(param.value("name", ""));
                EXPECT_TRUE(param.value("required", false)) << name << ": path parameter " << param["name"];
            }
            EXPECT_EQ(declared, in_path) << name;
            ASSERT_TRUE(op.contains("responses")) << name;
            bool success = false;
            for (const auto& [status, response] : op["responses"].items())
                success |= status[0] == '1' || status[0] == '2';
            EXPECT_TRUE(success) << name << ": no success response";
        }
    }
}

// The document and the server agree on every path, method and role. The WebSocket is served by the HTTP
// server, not by the Router, with the default role.
TEST_F(RoutesFixture, TheDocumentListsExactlyTheRoutesTheServerRegisters) {
    std::vector<std::unique_ptr<store::Store>> stores;
    auto opened = store::SqliteStore::Open(config_.data_dir);
    ASSERT_TRUE(opened) << opened.error().message;
    stores.push_back(std::move(*opened));
    store::StorePool store(std::move(stores));
    auto secrets = api::SecretBox::LoadOrCreate(dir_ / "secret.key");
    ASSERT_TRUE(secrets) << secrets.error().message;
    SystemClock clock;
    AuthService auth(store, clock, {});
    api::MetricsRegistry metrics;
    api::StreamHub hub(&metrics);
    ViewCache views;
    store::LocalClaims claims;
    TargetService targets(
        store, *secrets,
        []() -> Result<std::unique_ptr<store::Store>> { return MakeError(ErrorCode::kInternal, "unused"); },
        WorkerOptions{}, [](std::int64_t, const service::Cycle&) {}, claims);
    LlmService llm(config_.llm, store, *secrets, config_.data_dir);
    sandbox::ClusterHost clusters(dir_ / "sandbox");
    RunningChanges changes;
    Services services{config_, store, targets, auth, hub, metrics, views, llm, clusters, changes};
    api::Router router;
    RegisterRoutes(router, services);

    std::vector<ApiOperation> served = RouterOperations(router);
    served.push_back({"GET", api::HttpServerOptions{}.stream_path, "viewer"});
    std::sort(served.begin(), served.end());
    auto spec = SpecOperations();
    ASSERT_TRUE(spec) << spec.error().message;

    std::vector<ApiOperation> only_spec;
    std::vector<ApiOperation> only_served;
    std::set_difference(spec->begin(), spec->end(), served.begin(), served.end(), std::back_inserter(only_spec));
    std::set_difference(served.begin(), served.end(), spec->begin(), spec->end(), std::back_inserter(only_served));
    EXPECT_TRUE(only_spec.empty() && only_served.empty())
        << "docs/openapi.json and the Router differ (method, path, role).\nIn the document only:" << Describe(only_spec)
        << "\nServed only:" << Describe(only_served);
}

TEST(OpenApiTest, IsServedAsIsWithoutLogin) {
    api::Router router;
    RegisterOpenApi(router);
    const auto match = router.Find("GET", "/api/v1/openapi.json");
    ASSERT_EQ(match.kind, api::RouteMatch::Kind::kFound);
    EXPECT_TRUE(match.route->options.public_route);
    const auto response = match.route->handler(api::HttpRequest{});
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(response.content_type, "application/json");
    EXPECT_EQ(response.body, OpenApiDocument());
}

}  // namespace
}  // namespace optischema::server
