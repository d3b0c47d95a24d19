// The AI assistant of `optischema serve` against a local fake of the provider: settings from the
// dashboard, the response cache, the engine checking what the model proposes, and the API key going only
// to the provider it was configured for.
#include <cstdlib>
#include <fstream>
#include <string>
#include <utility>

#include <gtest/gtest.h>

#include "fake_llm_server.hpp"
#include "http_test_client.hpp"
#include "pg_test_env.hpp"
#include "serve_fixture.hpp"

namespace optischema::server {
namespace {

using namespace optischema::testing;

TEST_F(ServeTest, AskAiThroughTheDashboardSettingsWithTheCacheAndTheEngineChecking) {
    constexpr const char* kKey = "sk-serve-test-0f1e2d3c4b5a69788796a5b4";
    unsetenv("OPTISCHEMA_LLM_API_KEY");
    FakeLlmServer llm;
    Server server({"--target", "shop=" + dsn_, "--interval", "1"});
    // The first snapshot is the baseline: statements run before it are not work done since.
    ASSERT_TRUE(server.WaitFor("/api/v1/targets", [](const Json& j) {
        return !j["targets"].empty() && j["targets"][0]["status"]["snapshots"].get<int>() >= 1;
    }));
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
    ASSERT_EQ(server.AddUser("vic", "viewer-password", "viewer").status, 201);
    HttpTestClient viewer(server.port());
    const HeaderList headers = server.LoginHeaders("vic", "viewer-password");
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
    for (const auto& [method, path] :
         {std::pair{"POST", "/api/v1/settings/llm/test"}, {"PUT", "/api/v1/settings/llm"}}) {
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

}  // namespace
}  // namespace optischema::server
