#include "llm/client.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "fake_llm_server.hpp"
#include "llm/answer.hpp"
#include "llm/gemini_client.hpp"
#include "llm/http.hpp"
#include "llm/openai_client.hpp"

namespace optischema::llm {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using std::chrono::milliseconds;
using testing::FakeLlmServer;
using testing::ScriptedResponse;

constexpr const char* kKey = "sk-test-9f8e7d6c5b4a39281706f5e4d3c2b1a0";

std::string Fixture(const std::string& name) {
    std::ifstream in(fs::path(OPTISCHEMA_TESTDATA_DIR) / "llm" / name);
    if (!in) throw std::runtime_error("missing fixture " + name);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

/// Waits are recorded instead of slept, so retries cost no time and their delays can be checked.
struct Harness {
    FakeLlmServer server;
    std::vector<milliseconds> sleeps;

    ProviderConfig Config(ProviderKind kind) {
        ProviderConfig c;
        c.kind = kind;
        c.base_url = kind == ProviderKind::kOpenAi ? server.BaseUrl() + "/v1" : server.BaseUrl();
        c.model = kind == ProviderKind::kOpenAi ? "gpt-4o-mini" : "gemini-2.5-flash";
        c.api_key = kKey;
        c.timeout = milliseconds(5000);
        c.connect_timeout = milliseconds(2000);
        c.max_retries = 2;
        c.initial_backoff = milliseconds(400);
        c.max_backoff = milliseconds(3000);
        c.max_retry_after = milliseconds(20'000);
        c.sleep = [this](milliseconds ms) { sleeps.push_back(ms); };
        return c;
    }

    std::unique_ptr<LlmClient> Client(ProviderConfig config) {
        auto client = MakeClient(std::move(config));
        if (!client) throw std::runtime_error(client.error().message);
        return std::move(*client);
    }
};

ChatRequest Question(bool json_response = true) {
    ChatRequest r;
    r.system = "You are a PostgreSQL expert. Answer in JSON.";
    r.user = "Why is SELECT * FROM orders WHERE customer_id = $1 slow?";
    r.max_output_tokens = 1500;
    r.temperature = 0.1;
    r.json_response = json_response;
    return r;
}

ScriptedResponse Status(int status, std::string body, std::vector<std::pair<std::string, std::string>> headers = {}) {
    return ScriptedResponse{status, std::move(body), std::move(headers), {}};
}

// --- OpenAI-compatible ---------------------------------------------------------------------------

TEST(OpenAiClient, SendsTheChatCompletionsRequestShape) {
    Harness h;
    h.server.EnqueueJson(Fixture("openai_chat_completion.json"));
    auto client = h.Client(h.Config(ProviderKind::kOpenAi));
    ASSERT_TRUE(client->Complete(Question()).has_value());

    const auto requests = h.server.Requests();
    ASSERT_EQ(requests.size(), 1u);
    const auto& r = requests[0];
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.path, "/v1/chat/completions");
    EXPECT_EQ(r.Header("authorization"), std::string("Bearer ") + kKey);
    EXPECT_EQ(r.Header("content-type"), "application/json");
    const json body = json::parse(r.body);
    EXPECT_EQ(body["model"], "gpt-4o-mini");
    ASSERT_EQ(body["messages"].size(), 2u);
    EXPECT_EQ(body["messages"][0]["role"], "system");
    EXPECT_EQ(body["messages"][0]["content"], Question().system);
    EXPECT_EQ(body["messages"][1]["role"], "user");
    EXPECT_EQ(body["messages"][1]["content"], Question().user);
    EXPECT_DOUBLE_EQ(body["temperature"].get<double>(), 0.1);
    EXPECT_EQ(body["max_tokens"], 1500);
    EXPECT_EQ(body["response_format"]["type"], "json_object");
}

TEST(OpenAiClient, OmitsJsonModeAndAuthorizationWhenNotWanted) {
    Harness h;
    h.server.EnqueueJson(Fixture("openai_chat_completion.json"));
    auto config = h.Config(ProviderKind::kOpenAi);
    config.api_key.clear();  // a local Ollama or llama.cpp server needs no key
    ::unsetenv(kApiKeyEnv);
    auto client = h.Client(config);
    ASSERT_TRUE(client->Complete(Question(false)).has_value());
    const auto r = h.server.Requests().at(0);
    EXPECT_EQ(r.Header("authorization"), "");
    EXPECT_FALSE(json::parse(r.body).contains("response_format"));
}

TEST(OpenAiClient, ParsesTextUsageModelAndCost) {
    Harness h;
    h.server.EnqueueJson(Fixture("openai_chat_completion.json"));
    auto config = h.Config(ProviderKind::kOpenAi);
    config.prices = {{"gpt-4o", 2.50, 10.00}, {"gpt-4o-mini", 0.15, 0.60}};
    auto completion = h.Client(config)->Complete(Question());
    ASSERT_TRUE(completion.has_value()) << completion.error().message;
    EXPECT_EQ(completion->provider, "openai");
    EXPECT_EQ(completion->model, "gpt-4o-mini-2024-07-18");
    EXPECT_EQ(completion->input_tokens, 1117);
    EXPECT_EQ(completion->output_tokens, 246);
    EXPECT_NEAR(completion->cost_usd, (1117 * 0.15 + 246 * 0.60) / 1e6, 1e-12);
    EXPECT_FALSE(completion->from_cache);
    EXPECT_FALSE(completion->truncated);
    EXPECT_GT(completion->latency_ms, 0);
    auto answer = ParseAnswer(completion->text);
    ASSERT_TRUE(answer.has_value());
    ASSERT_EQ(answer->rewrites.size(), 1u);
    EXPECT_TRUE(answer->rewrites[0].sql.starts_with("SELECT o.id, o.total FROM public.orders"));
    EXPECT_TRUE(answer->warnings.empty());
}

TEST(OpenAiClient, CostIsZeroForAModelWithoutPrice) {
    Harness h;
    h.server.EnqueueJson(Fixture("openai_chat_completion.json"));
    auto config = h.Config(ProviderKind::kOpenAi);
    config.prices = {{"deepseek-chat", 0.27, 1.10}};
    auto completion = h.Client(config)->Complete(Question());
    ASSERT_TRUE(completion.has_value());
    EXPECT_EQ(completion->cost_usd, 0);
    EXPECT_EQ(completion->input_tokens, 1117);
}

TEST(OpenAiClient, ReadsAnswerOfACompatibleServerWithFencedJson) {
    Harness h;
    h.server.EnqueueJson(Fixture("deepseek_chat_completion_fenced.json"));
    auto config = h.Config(ProviderKind::kOpenAi);
    config.model = "deepseek-chat";
    config.prices = {{"deepseek-chat", 0.27, 1.10}};
    auto completion = h.Client(config)->Complete(Question());
    ASSERT_TRUE(completion.has_value());
    EXPECT_EQ(completion->input_tokens, 1290);
    EXPECT_NEAR(completion->cost_usd, (1290 * 0.27 + 310 * 1.10) / 1e6, 1e-12);
    auto answer = ParseAnswer(completion->text);
    ASSERT_TRUE(answer.has_value());
    EXPECT_EQ(answer->index_ideas.size(), 1u);
    EXPECT_EQ(answer->risks.size(), 1u);
}

TEST(OpenAiClient, MarksAnAnswerCutAtMaxTokens) {
    Harness h;
    h.server.EnqueueJson(Fixture("openai_chat_completion_length.json"));
    auto completion = h.Client(h.Config(ProviderKind::kOpenAi))->Complete(Question());
    ASSERT_TRUE(completion.has_value());
    EXPECT_TRUE(completion->truncated);
    auto answer = ParseAnswer(completion->text);
    ASSERT_TRUE(answer.has_value());
    EXPECT_FALSE(answer->explanation.empty());
    ASSERT_FALSE(answer->warnings.empty());
    EXPECT_NE(answer->warnings[0].find("cut off"), std::string::npos);
}

TEST(OpenAiClient, RetriesA429AfterRetryAfterThenSucceeds) {
    Harness h;
    h.server.Enqueue(Status(429, Fixture("openai_error_429.json"), {{"Retry-After", "3"}}));
    h.server.EnqueueJson(Fixture("openai_chat_completion.json"));
    auto completion = h.Client(h.Config(ProviderKind::kOpenAi))->Complete(Question());
    ASSERT_TRUE(completion.has_value()) << completion.error().message;
    EXPECT_EQ(h.server.RequestCount(), 2u);
    ASSERT_EQ(h.sleeps.size(), 1u);
    EXPECT_EQ(h.sleeps[0], milliseconds(3000));
    // The retried request is the same request.
    const auto requests = h.server.Requests();
    EXPECT_EQ(requests[0].body, requests[1].body);
}

TEST(OpenAiClient, CapsALongRetryAfter) {
    Harness h;
    h.server.Enqueue(Status(429, Fixture("openai_error_429.json"), {{"Retry-After", "3600"}}));
    h.server.EnqueueJson(Fixture("openai_chat_completion.json"));
    auto config = h.Config(ProviderKind::kOpenAi);
    auto completion = h.Client(config)->Complete(Question());
    ASSERT_TRUE(completion.has_value());
    ASSERT_EQ(h.sleeps.size(), 1u);
    EXPECT_EQ(h.sleeps[0], config.max_retry_after);
}

TEST(OpenAiClient, RetriesA500WithBackoffThenSucceeds) {
    Harness h;
    h.server.Enqueue(Status(500, Fixture("openai_error_500.json")));
    h.server.Enqueue(Status(503, "<html><body>503 Service Unavailable</body></html>"));
    h.server.EnqueueJson(Fixture("openai_chat_completion.json"));
    auto completion = h.Client(h.Config(ProviderKind::kOpenAi))->Complete(Question());
    ASSERT_TRUE(completion.has_value()) << completion.error().message;
    EXPECT_EQ(h.server.RequestCount(), 3u);
    ASSERT_EQ(h.sleeps.size(), 2u);
    // Exponential: the first wait is in [200, 400] ms, the second in [400, 800] ms.
    EXPECT_GE(h.sleeps[0], milliseconds(200));
    EXPECT_LE(h.sleeps[0], milliseconds(400));
    EXPECT_GE(h.sleeps[1], milliseconds(400));
    EXPECT_LE(h.sleeps[1], milliseconds(800));
}

TEST(OpenAiClient, GivesUpOnPersistent500WithTheAttemptsInTheMessage) {
    Harness h;
    for (int i = 0; i < 3; ++i) h.server.Enqueue(Status(500, Fixture("openai_error_500.json")));
    auto completion = h.Client(h.Config(ProviderKind::kOpenAi))->Complete(Question());
    ASSERT_FALSE(completion.has_value());
    EXPECT_EQ(h.server.RequestCount(), 3u);  // 1 + max_retries
    EXPECT_EQ(completion.error().code, ErrorCode::kQueryFailed);
    const std::string& m = completion.error().message;
    EXPECT_NE(m.find("HTTP 500"), std::string::npos) << m;
    EXPECT_NE(m.find("The server had an error"), std::string::npos) << m;
    EXPECT_NE(m.find("after 3 attempts"), std::string::npos) << m;
}

TEST(OpenAiClient, DoesNotRetryA400AndReportsTheProvidersMessage) {
    Harness h;
    h.server.Enqueue(Status(400, Fixture("openai_error_400.json")));
    h.server.EnqueueJson(Fixture("openai_chat_completion.json"));
    auto completion = h.Client(h.Config(ProviderKind::kOpenAi))->Complete(Question());
    ASSERT_FALSE(completion.has_value());
    EXPECT_EQ(h.server.RequestCount(), 1u);
    EXPECT_TRUE(h.sleeps.empty());
    EXPECT_EQ(completion.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(completion.error().message.find("maximum context length is 128000 tokens"), std::string::npos);
}

TEST(OpenAiClient, DoesNotRetryARejectedKeyAndSaysWhatToSet) {
    Harness h;
    h.server.Enqueue(Status(401, Fixture("openai_error_401.json")));
    auto completion = h.Client(h.Config(ProviderKind::kOpenAi))->Complete(Question());
    ASSERT_FALSE(completion.has_value());
    EXPECT_EQ(h.server.RequestCount(), 1u);
    EXPECT_EQ(completion.error().code, ErrorCode::kConnectionFailed);
    const std::string& m = completion.error().message;
    EXPECT_NE(m.find("rejected the API key (HTTP 401"), std::string::npos) << m;
    EXPECT_NE(m.find("OPTISCHEMA_LLM_API_KEY"), std::string::npos) << m;
    EXPECT_EQ(m.find(kKey), std::string::npos) << m;
}

TEST(OpenAiClient, DoesNotRetryAnExhaustedQuota) {
    Harness h;
    h.server.Enqueue(Status(429, Fixture("openai_error_429_quota.json")));
    h.server.EnqueueJson(Fixture("openai_chat_completion.json"));
    auto completion = h.Client(h.Config(ProviderKind::kOpenAi))->Complete(Question());
    ASSERT_FALSE(completion.has_value());
    EXPECT_EQ(h.server.RequestCount(), 1u);
    EXPECT_NE(completion.error().message.find("no quota left"), std::string::npos);
}

TEST(OpenAiClient, A404NamesTheBaseUrlAndModel) {
    Harness h;
    h.server.Enqueue(Status(404, R"({"error":"model 'llama9' not found"})"));  // Ollama's error shape
    auto config = h.Config(ProviderKind::kOpenAi);
    config.model = "llama9";
    auto completion = h.Client(config)->Complete(Question());
    ASSERT_FALSE(completion.has_value());
    EXPECT_EQ(h.server.RequestCount(), 1u);
    EXPECT_EQ(completion.error().code, ErrorCode::kNotFound);
    const std::string& m = completion.error().message;
    EXPECT_NE(m.find("model 'llama9' not found"), std::string::npos) << m;
    EXPECT_NE(m.find("/v1"), std::string::npos) << m;
    EXPECT_NE(m.find("'llama9'"), std::string::npos) << m;
}

TEST(OpenAiClient, ATimeoutIsAClearErrorAndNotRetried) {
    Harness h;
    h.server.Enqueue(ScriptedResponse{200, Fixture("openai_chat_completion.json"), {}, milliseconds(3000)});
    auto config = h.Config(ProviderKind::kOpenAi);
    config.timeout = milliseconds(300);
    auto completion = h.Client(config)->Complete(Question());
    ASSERT_FALSE(completion.has_value());
    EXPECT_EQ(completion.error().code, ErrorCode::kConnectionFailed);
    const std::string& m = completion.error().message;
    EXPECT_NE(m.find("timed out after 0.3 s"), std::string::npos) << m;
    EXPECT_NE(m.find("raise the llm timeout"), std::string::npos) << m;
    EXPECT_EQ(h.server.RequestCount(), 1u);
}

TEST(OpenAiClient, AMalformedBodyIsAClearError) {
    Harness h;
    h.server.EnqueueJson("<html><body>Welcome to nginx!</body></html>");
    auto completion = h.Client(h.Config(ProviderKind::kOpenAi))->Complete(Question());
    ASSERT_FALSE(completion.has_value());
    EXPECT_EQ(completion.error().code, ErrorCode::kQueryFailed);
    const std::string& m = completion.error().message;
    EXPECT_NE(m.find("not an OpenAI-compatible chat completion"), std::string::npos) << m;
    EXPECT_NE(m.find(h.server.BaseUrl() + "/v1/chat/completions"), std::string::npos) << m;
    EXPECT_NE(m.find("Welcome to nginx"), std::string::npos) << m;
}

TEST(OpenAiClient, AJsonBodyWithoutChoicesIsAClearError) {
    Harness h;
    h.server.EnqueueJson(R"({"id":"x","object":"chat.completion","choices":[]})");
    auto completion = h.Client(h.Config(ProviderKind::kOpenAi))->Complete(Question());
    ASSERT_FALSE(completion.has_value());
    EXPECT_NE(completion.error().message.find("no choices"), std::string::npos);
}

TEST(OpenAiClient, AnUnreachableServerIsRetriedThenAClearError) {
    std::string url;
    {
        FakeLlmServer closed;
        url = closed.BaseUrl() + "/v1";
    }
    Harness h;
    auto config = h.Config(ProviderKind::kOpenAi);
    config.base_url = url;
    auto completion = h.Client(config)->Complete(Question());
    ASSERT_FALSE(completion.has_value());
    EXPECT_EQ(completion.error().code, ErrorCode::kConnectionFailed);
    EXPECT_EQ(h.sleeps.size(), 2u);  // a refused connection is worth retrying
    const std::string& m = completion.error().message;
    EXPECT_NE(m.find(url), std::string::npos) << m;
    EXPECT_NE(m.find("check the base URL"), std::string::npos) << m;
    EXPECT_NE(m.find("after 3 attempts"), std::string::npos) << m;
}

// --- Gemini --------------------------------------------------------------------------------------

TEST(GeminiClient, SendsTheGenerateContentRequestShape) {
    Harness h;
    h.server.EnqueueJson(Fixture("gemini_generate_content.json"));
    ASSERT_TRUE(h.Client(h.Config(ProviderKind::kGemini))->Complete(Question()).has_value());
    const auto r = h.server.Requests().at(0);
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.path, "/v1beta/models/gemini-2.5-flash:generateContent");
    EXPECT_EQ(r.Header("x-goog-api-key"), kKey);
    EXPECT_EQ(r.Header("authorization"), "");
    EXPECT_EQ(r.path.find(kKey), std::string::npos);  // the key is never in the URL
    const json body = json::parse(r.body);
    EXPECT_EQ(body["systemInstruction"]["parts"][0]["text"], Question().system);
    ASSERT_EQ(body["contents"].size(), 1u);
    EXPECT_EQ(body["contents"][0]["role"], "user");
    EXPECT_EQ(body["contents"][0]["parts"][0]["text"], Question().user);
    EXPECT_DOUBLE_EQ(body["generationConfig"]["temperature"].get<double>(), 0.1);
    EXPECT_EQ(body["generationConfig"]["maxOutputTokens"], 1500);
    EXPECT_EQ(body["generationConfig"]["responseMimeType"], "application/json");
}

TEST(GeminiClient, AcceptsModelsPrefixAndVersionedBaseUrl) {
    Harness h;
    h.server.EnqueueJson(Fixture("gemini_generate_content.json"));
    auto config = h.Config(ProviderKind::kGemini);
    config.base_url += "/v1beta/";
    config.model = "models/gemini-2.5-flash";
    ASSERT_TRUE(h.Client(config)->Complete(Question(false)).has_value());
    const auto r = h.server.Requests().at(0);
    EXPECT_EQ(r.path, "/v1beta/models/gemini-2.5-flash:generateContent");
    EXPECT_FALSE(json::parse(r.body)["generationConfig"].contains("responseMimeType"));
}

TEST(GeminiClient, ParsesTextUsageWithThoughtsAndCost) {
    Harness h;
    h.server.EnqueueJson(Fixture("gemini_generate_content.json"));
    auto config = h.Config(ProviderKind::kGemini);
    config.prices = {{"gemini-2.5-flash", 0.30, 2.50}};
    auto completion = h.Client(config)->Complete(Question());
    ASSERT_TRUE(completion.has_value()) << completion.error().message;
    EXPECT_EQ(completion->provider, "gemini");
    EXPECT_EQ(completion->model, "gemini-2.5-flash");
    EXPECT_EQ(completion->input_tokens, 1523);
    EXPECT_EQ(completion->output_tokens, 412 + 366);
    EXPECT_NEAR(completion->cost_usd, (1523 * 0.30 + 778 * 2.50) / 1e6, 1e-12);
    auto answer = ParseAnswer(completion->text);
    ASSERT_TRUE(answer.has_value());
    EXPECT_EQ(answer->index_ideas.size(), 1u);
}

TEST(GeminiClient, SkipsThoughtPartsAndJoinsTextParts) {
    auto completion = ParseGeminiResponse(
        R"({"candidates":[{"content":{"role":"model","parts":[{"text":"planning...","thought":true},)"
        R"({"text":"{\"explanation\":"},{"text":"\"ok\"}"}]},"finishReason":"STOP"}]})",
        "u");
    ASSERT_TRUE(completion.has_value());
    EXPECT_EQ(completion->text, R"({"explanation":"ok"})");
}

TEST(GeminiClient, ABlockedPromptIsAClearError) {
    Harness h;
    h.server.EnqueueJson(Fixture("gemini_blocked.json"));
    auto completion = h.Client(h.Config(ProviderKind::kGemini))->Complete(Question());
    ASSERT_FALSE(completion.has_value());
    EXPECT_EQ(completion.error().code, ErrorCode::kQueryFailed);
    EXPECT_NE(completion.error().message.find("Gemini blocked the prompt (blockReason SAFETY"), std::string::npos)
        << completion.error().message;
    EXPECT_EQ(h.server.RequestCount(), 1u);
}

TEST(GeminiClient, AWithheldAnswerIsAClearError) {
    Harness h;
    h.server.EnqueueJson(Fixture("gemini_finish_safety.json"));
    auto completion = h.Client(h.Config(ProviderKind::kGemini))->Complete(Question());
    ASSERT_FALSE(completion.has_value());
    EXPECT_NE(completion.error().message.find("finishReason SAFETY"), std::string::npos);
}

TEST(GeminiClient, AnInvalidKeyIs400ButReportedAsTheKeyAndNotRetried) {
    Harness h;
    h.server.Enqueue(Status(400, Fixture("gemini_error_400_api_key.json")));
    auto completion = h.Client(h.Config(ProviderKind::kGemini))->Complete(Question());
    ASSERT_FALSE(completion.has_value());
    EXPECT_EQ(h.server.RequestCount(), 1u);
    const std::string& m = completion.error().message;
    EXPECT_NE(m.find("rejected the API key"), std::string::npos) << m;
    EXPECT_NE(m.find("API key not valid"), std::string::npos) << m;
    EXPECT_EQ(m.find(kKey), std::string::npos) << m;
}

TEST(GeminiClient, HonoursRetryInfoOfA429) {
    Harness h;
    h.server.Enqueue(Status(429, Fixture("gemini_error_429.json")));
    h.server.EnqueueJson(Fixture("gemini_generate_content.json"));
    auto completion = h.Client(h.Config(ProviderKind::kGemini))->Complete(Question());
    ASSERT_TRUE(completion.has_value()) << completion.error().message;
    EXPECT_EQ(h.server.RequestCount(), 2u);
    ASSERT_EQ(h.sleeps.size(), 1u);
    EXPECT_EQ(h.sleeps[0], milliseconds(17'000));
}

TEST(GeminiClient, AnUnknownModelIsNotFound) {
    Harness h;
    h.server.Enqueue(Status(404, Fixture("gemini_error_404_model.json")));
    auto config = h.Config(ProviderKind::kGemini);
    config.model = "gemini-9-ultra";
    auto completion = h.Client(config)->Complete(Question());
    ASSERT_FALSE(completion.has_value());
    EXPECT_EQ(completion.error().code, ErrorCode::kNotFound);
    EXPECT_NE(completion.error().message.find("models/gemini-9-ultra is not found"), std::string::npos);
}

TEST(GeminiClient, NeedsAKeyFromConfigOrEnvironment) {
    ProviderConfig config;
    config.kind = ProviderKind::kGemini;
    config.model = "gemini-2.5-flash";
    ::unsetenv(kApiKeyEnv);
    auto missing = MakeClient(config);
    ASSERT_FALSE(missing.has_value());
    EXPECT_EQ(missing.error().code, ErrorCode::kPrerequisiteMissing);
    EXPECT_NE(missing.error().message.find("OPTISCHEMA_LLM_API_KEY"), std::string::npos);

    Harness h;
    h.server.EnqueueJson(Fixture("gemini_generate_content.json"));
    config.base_url = h.server.BaseUrl();
    ::setenv(kApiKeyEnv, "key-from-env", 1);
    auto client = MakeClient(config);
    ::unsetenv(kApiKeyEnv);
    ASSERT_TRUE(client.has_value());
    ASSERT_TRUE((*client)->Complete(Question()).has_value());
    EXPECT_EQ(h.server.Requests().at(0).Header("x-goog-api-key"), "key-from-env");
}

// --- The key never leaks -------------------------------------------------------------------------

TEST(ApiKey, NeverAppearsInErrorMessagesEvenWhenTheServerEchoesIt) {
    const std::string echoed = std::string(R"({"error":{"message":"Incorrect API key provided: )") + kKey + R"("}})";
    const std::vector<ScriptedResponse> failures = {
        Status(401, echoed),
        Status(400, echoed),
        Status(403, echoed),
        Status(404, echoed),
        Status(500, echoed),
        Status(200, std::string("not json, but the key: ") + kKey),
        Status(200, echoed),
        Status(502, std::string(280, 'x') + kKey),  // a message cut for length must not keep part of it
    };
    for (const auto kind : {ProviderKind::kOpenAi, ProviderKind::kGemini}) {
        for (const auto& failure : failures) {
            Harness h;
            for (int i = 0; i < 3; ++i) h.server.Enqueue(failure);
            auto completion = h.Client(h.Config(kind))->Complete(Question());
            ASSERT_FALSE(completion.has_value()) << failure.status;
            const std::string& m = completion.error().message;
            EXPECT_EQ(m.find(std::string(kKey).substr(0, 12)), std::string::npos)
                << ProviderKindName(kind) << " " << failure.status << ": " << m;
            EXPECT_NE(m.find("[redacted]"), std::string::npos) << m;
        }
    }
}

TEST(ApiKey, ConfigWinsOverEnvironment) {
    ::setenv(kApiKeyEnv, "from-env", 1);
    EXPECT_EQ(ResolveApiKey("from-config"), "from-config");
    EXPECT_EQ(ResolveApiKey(""), "from-env");
    ::unsetenv(kApiKeyEnv);
    EXPECT_EQ(ResolveApiKey(""), "");
}

TEST(ApiKey, RedactReplacesEveryOccurrence) {
    EXPECT_EQ(Redact("a KEY b KEY", "KEY"), "a [redacted] b [redacted]");
    EXPECT_EQ(Redact("nothing", ""), "nothing");
}

// --- Configuration and pure helpers --------------------------------------------------------------

TEST(ProviderConfig, ParsesProviderNames) {
    EXPECT_EQ(ParseProviderKind("OpenAI").value(), ProviderKind::kOpenAi);
    EXPECT_EQ(ParseProviderKind("deepseek").value(), ProviderKind::kOpenAi);
    EXPECT_EQ(ParseProviderKind("gemini").value(), ProviderKind::kGemini);
    auto bad = ParseProviderKind("claude-via-carrier-pigeon");
    ASSERT_FALSE(bad.has_value());
    EXPECT_NE(bad.error().message.find("openai"), std::string::npos);
}

TEST(ProviderConfig, RejectsUnusableConfigurations) {
    ProviderConfig config;
    config.api_key = "k";
    EXPECT_EQ(MakeClient(config).error().code, ErrorCode::kInvalidArgument);  // no model
    config.model = "m";
    config.base_url = "ftp://example.com";
    EXPECT_EQ(MakeClient(config).error().code, ErrorCode::kInvalidArgument);
    config.base_url = "";
    auto client = MakeClient(config);
    ASSERT_TRUE(client.has_value());
    EXPECT_EQ((*client)->Endpoint(), "https://api.openai.com/v1");
}

TEST(Prices, ExactMatchBeatsTheLongestPrefix) {
    const std::vector<ModelPrice> prices = {{"gpt-4o", 2.5, 10}, {"gpt-4o-mini", 0.15, 0.6}};
    EXPECT_EQ(FindPrice(prices, "gpt-4o")->input_usd_per_mtok, 2.5);
    EXPECT_EQ(FindPrice(prices, "gpt-4o-mini-2024-07-18")->input_usd_per_mtok, 0.15);
    EXPECT_EQ(FindPrice(prices, "o3"), nullptr);
    EXPECT_NEAR(CostUsd(FindPrice(prices, "gpt-4o"), 1'000'000, 500'000), 2.5 + 5, 1e-9);
    EXPECT_EQ(CostUsd(nullptr, 1000, 1000), 0);
}

TEST(Backoff, GrowsExponentiallyWithJitterUpToTheCap) {
    ProviderConfig config;
    config.initial_backoff = milliseconds(500);
    config.max_backoff = milliseconds(4000);
    std::mt19937 rng(7);
    for (int i = 0; i < 50; ++i) {
        const auto d0 = BackoffDelay(0, config, rng);
        EXPECT_GE(d0, milliseconds(250));
        EXPECT_LE(d0, milliseconds(500));
        const auto d2 = BackoffDelay(2, config, rng);
        EXPECT_GE(d2, milliseconds(1000));
        EXPECT_LE(d2, milliseconds(2000));
        const auto d10 = BackoffDelay(10, config, rng);
        EXPECT_GE(d10, milliseconds(2000));
        EXPECT_LE(d10, milliseconds(4000));
    }
}

TEST(RetryAfter, ParsesSecondsAndHttpDates) {
    EXPECT_EQ(ParseRetryAfter("20", 0), milliseconds(20'000));
    // Wed, 21 Oct 2015 07:28:00 GMT is 1445412480.
    EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", 1445412480 - 90), milliseconds(90'000));
    EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", 1445412480 + 90), milliseconds(0));
    EXPECT_FALSE(ParseRetryAfter("soon", 0).has_value());
}

TEST(ProviderErrorMessage, ReadsEachProvidersErrorShape) {
    EXPECT_EQ(ProviderErrorMessage(R"({"error":{"message":"bad key","type":"x"}})"), "bad key");
    EXPECT_EQ(ProviderErrorMessage(R"({"error":"model not found"})"), "model not found");
    EXPECT_EQ(ProviderErrorMessage(R"([{"error":{"code":400,"message":"gemini says no"}}])"), "gemini says no");
    EXPECT_EQ(ProviderErrorMessage("Bad   Gateway\n"), "Bad Gateway");
}

}  // namespace
}  // namespace optischema::llm
