// `optischema explain --ai` as a user runs it, against the throwaway cluster and a local server
// that speaks the providers' real protocols (tests/fake_llm_server): the request the model gets, the
// engine's verdict on each suggestion (a wrong rewrite rejected, a right one verified in a sandbox,
// index ideas costed with HypoPG), the response cache, and a provider that fails.
#include <cstdlib>

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <sys/socket.h>
#include <unistd.h>

#include "binary_runner.hpp"
#include "fake_llm_server.hpp"
#include "pg_test_env.hpp"

namespace optischema::cli {
namespace {

using optischema::testing::BinaryRunner;
using optischema::testing::CommandResult;
using optischema::testing::FakeLlmServer;
using optischema::testing::FreshDatabase;
using optischema::testing::QueryValue;
using optischema::testing::RunSql;
using optischema::testing::ScriptedResponse;
using Json = nlohmann::json;

constexpr const char* kKey = "sk-test-ai-5e4d3c2b1a0918273645f6e7d8c9b0a1";

// A chat.completion as OpenAI documents it, with `answer` as the assistant's message.
std::string OpenAiBody(const Json& answer) { return testing::OpenAiCompletionBody(answer.dump(), 2311, 402); }

// A generateContent response as Gemini documents it.
std::string GeminiBody(const Json& answer) {
    Json body = {{"candidates",
                  {{{"content", {{"parts", {{{"text", answer.dump()}}}}, {"role", "model"}}},
                    {"finishReason", "STOP"},
                    {"index", 0}}}},
                 {"usageMetadata",
                  {{"promptTokenCount", 2290},
                   {"candidatesTokenCount", 350},
                   {"totalTokenCount", 2900},
                   {"thoughtsTokenCount", 260}}},
                 {"modelVersion", "gemini-2.5-flash"},
                 {"responseId", "mJ1jaPyiLMPOz7IPxYnB0Qk"}};
    return body.dump();
}

// The user message the provider received.
std::string PromptOf(const testing::RecordedRequest& request) {
    const auto body = Json::parse(request.body);
    if (body.contains("messages")) return body["messages"].back()["content"].get<std::string>();
    return body["contents"][0]["parts"][0]["text"].get<std::string>();
}

// A local port nothing listens on.
int ClosedPort() {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    close(fd);
    return ntohs(addr.sin_port);
}

class AiTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        setenv("OPTISCHEMA_LLM_API_KEY", kKey, 1);
        dsn_ = FreshDatabase("ai_shop");
        // No autovacuum: an ANALYZE between two runs would change the statistics in the prompt, and so
        // the question (the cache test asks the same one twice).
        RunSql(dsn_,
               "CREATE TABLE customers (id int PRIMARY KEY, email text NOT NULL, country text NOT NULL) "
               "WITH (autovacuum_enabled = false);"
               "INSERT INTO customers SELECT g, 'user' || g || '@example.com', (ARRAY['DE','FR','US'])[1 + g % 3] "
               "FROM generate_series(1, 20000) g;"
               "CREATE TABLE orders (id int PRIMARY KEY, customer_id int NOT NULL, status text NOT NULL, "
               "total int NOT NULL, created_at timestamptz NOT NULL) WITH (autovacuum_enabled = false);"
               "INSERT INTO orders SELECT g, 1 + g % 20000, CASE WHEN g % 50 = 0 THEN 'pending' ELSE 'delivered' END, "
               "g % 500, '2024-01-01'::timestamptz + g * interval '1 minute' FROM generate_series(1, 300000) g");
        RunSql(dsn_, "VACUUM ANALYZE");
    }
    static void TearDownTestSuite() { unsetenv("OPTISCHEMA_LLM_API_KEY"); }

    static std::string IndexCount() {
        return QueryValue(dsn_, "SELECT count(*) FROM pg_indexes WHERE schemaname = 'public'");
    }

    static void ExpectNoKey(const CommandResult& run) {
        EXPECT_EQ(run.out.find(kKey), std::string::npos) << "the API key is never printed";
        EXPECT_EQ(run.err.find(kKey), std::string::npos) << "the API key is never logged";
    }

    static std::string dsn_;
};

std::string AiTest::dsn_;

// A needless DISTINCT (id is the primary key): the hash aggregate over most of the table is all waste.
constexpr const char* kDistinctQuery =
    "SELECT DISTINCT o.id, o.customer_id, o.total FROM orders o WHERE o.total >= 100";

TEST_F(AiTest, EverySuggestionIsVerifiedOrRejectedWithWhy) {
    FakeLlmServer server;
    const Json answer = {
        {"explanation",
         "Most of the time goes to the **HashAggregate** of `DISTINCT`: it removes duplicates that cannot exist, "
         "because `id` is the primary key of `public.orders`."},
        {"rewrites",
         {{{"sql", "SELECT o.id, o.customer_id, o.total FROM public.orders o WHERE o.total > $1"},
           {"rationale", "Drops the DISTINCT (and, wrongly, the rows equal to $1)."}},
          {{"sql", "SELECT o.id, o.customer_id, o.total FROM public.orders o WHERE o.total >= $1;"},
           {"rationale", "id is unique, so DISTINCT removes nothing: no aggregate needed."}},
          {{"sql", "SELECT DISTINCT x.id, x.customer_id, x.total FROM public.orders x WHERE x.total >= $1"},
           {"rationale", "Shorter alias."}},
          {{"sql", "SELECT l.order_id FROM public.order_lines l WHERE l.total >= $1"},
           {"rationale", "Reads the narrower order_lines table."}},
          {{"sql", "SELECT o.id, o.customer_id, o.total FROM public.orders o WHERE o.amount >= $1"},
           {"rationale", "Filters on amount."}}}},
        {"index_ideas",
         {{{"ddl", "CREATE INDEX CONCURRENTLY orders_priority_idx ON public.orders (priority)"},
           {"rationale", "Serves a filter on priority."}},
          {{"ddl", "CREATE INDEX CONCURRENTLY orders_total_idx ON public.orders (total)"},
           {"rationale", "Serves the range filter on total."}}}},
        {"risks", {"Without DISTINCT, a future change of the primary key could return duplicates."}}};
    server.EnqueueJson(OpenAiBody(answer));
    const std::string indexes_before = IndexCount();
    const std::string orders_before = QueryValue(dsn_, "SELECT count(*) FROM orders");

    BinaryRunner runner;
    CommandResult run = runner.Run({"explain", "--dsn", dsn_, "--ai", "--llm-base-url", server.BaseUrl() + "/v1",
                                    "--llm-model", "gpt-4o-mini", "--format", "json", kDistinctQuery});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    ExpectNoKey(run);

    // What the model was asked: the query (normalized, and with its values), the plan, over the
    // OpenAI protocol with the key as a bearer token.
    ASSERT_EQ(server.RequestCount(), 1u);
    const auto request = server.Requests()[0];
    EXPECT_EQ(request.method, "POST");
    EXPECT_EQ(request.path, "/v1/chat/completions");
    EXPECT_EQ(request.Header("authorization"), std::string("Bearer ") + kKey);
    const auto sent = Json::parse(request.body);
    EXPECT_EQ(sent["model"], "gpt-4o-mini");
    const std::string prompt = PromptOf(request);
    EXPECT_NE(prompt.find("WHERE o.total >= $1"), std::string::npos) << prompt;
    EXPECT_NE(prompt.find(kDistinctQuery), std::string::npos) << prompt;
    EXPECT_NE(prompt.find("Seq Scan on"), std::string::npos) << prompt;
    EXPECT_NE(prompt.find("HashAggregate"), std::string::npos) << prompt;
    EXPECT_NE(prompt.find("Table public.orders"), std::string::npos) << prompt;
    EXPECT_NE(prompt.find("customer_id integer"), std::string::npos) << prompt;
    EXPECT_NE(prompt.find("PostgreSQL version: "), std::string::npos) << prompt;

    const auto j = Json::parse(run.out);
    EXPECT_TRUE(j["plan"].contains("node_type")) << "the plan is still there";
    const auto& ai = j["ai"];
    EXPECT_TRUE(ai["error"].is_null()) << ai.dump(2);
    EXPECT_EQ(ai["provider"], "openai");
    EXPECT_EQ(ai["model"], "gpt-4o-mini-2024-07-18");
    EXPECT_EQ(ai["from_cache"], false);
    EXPECT_EQ(ai["input_tokens"], 2311);
    EXPECT_EQ(ai["output_tokens"], 402);
    EXPECT_NE(ai["explanation"].get<std::string>().find("HashAggregate"), std::string::npos);
    EXPECT_EQ(ai["risks"].size(), 1u);

    const auto& rewrites = ai["rewrites"];
    ASSERT_EQ(rewrites.size(), 5u) << ai.dump(2);
    EXPECT_EQ(rewrites[0]["status"], "rejected") << rewrites[0].dump(2);
    EXPECT_NE(rewrites[0]["reason"].get<std::string>().find("rows"), std::string::npos) << rewrites[0].dump(2);
    EXPECT_EQ(rewrites[1]["status"], "verified") << rewrites[1].dump(2);
    EXPECT_GT(rewrites[1]["speedup"].get<double>(), 1.1) << rewrites[1].dump(2);
    EXPECT_NE(rewrites[1]["reason"].get<std::string>().find("same rows"), std::string::npos) << rewrites[1].dump(2);
    EXPECT_EQ(rewrites[1]["model"], "gpt-4o-mini-2024-07-18");
    // The same plan cannot be faster, whatever a noisy benchmark says.
    EXPECT_EQ(rewrites[2]["status"], "rejected") << rewrites[2].dump(2);
    EXPECT_NE(rewrites[2]["reason"].get<std::string>().find("faster"), std::string::npos) << rewrites[2].dump(2);
    EXPECT_EQ(rewrites[3]["status"], "rejected");
    EXPECT_NE(rewrites[3]["reason"].get<std::string>().find("public.order_lines"), std::string::npos)
        << rewrites[3].dump(2);
    EXPECT_EQ(rewrites[4]["status"], "rejected");
    EXPECT_NE(rewrites[4]["reason"].get<std::string>().find("o.amount"), std::string::npos) << rewrites[4].dump(2);

    const auto& ideas = ai["index_ideas"];
    ASSERT_EQ(ideas.size(), 2u) << ai.dump(2);
    EXPECT_EQ(ideas[0]["status"], "rejected") << ideas[0].dump(2);
    EXPECT_NE(ideas[0]["reason"].get<std::string>().find("public.orders has no column priority"), std::string::npos)
        << ideas[0].dump(2);
    EXPECT_EQ(ideas[1]["status"], "rejected") << "most rows match: a scan of the table stays cheaper";
    EXPECT_NE(ideas[1]["reason"].get<std::string>().find("does not use it"), std::string::npos) << ideas[1].dump(2);
    EXPECT_GT(ideas[1]["cost_before"].get<double>(), 0);

    // Nothing the model wrote ran on the target: no index, no change; the sandbox checks are audited.
    EXPECT_EQ(IndexCount(), indexes_before);
    EXPECT_EQ(QueryValue(dsn_, "SELECT count(*) FROM orders"), orders_before);
    CommandResult audit = runner.Run({"audit", "--format", "json"});
    ASSERT_EQ(audit.exit_code, 0) << audit.err;
    EXPECT_EQ(Json::parse(audit.out).size(), 3u) << "one sandbox validation per rewrite that got that far";
}

// Selective: an index on customer_id turns the scan of 300,000 rows into a lookup of 15.
constexpr const char* kLookupQuery = "SELECT id, total FROM orders WHERE customer_id = 42";

Json LookupAnswer() {
    return {
        {"explanation", "The **Seq Scan** on `orders` reads all 300,000 rows to return the 15 of one customer."},
        {"rewrites",
         {{{"sql", "DELETE FROM public.orders WHERE customer_id = $1"}, {"rationale", "Fewer rows to scan."}}}},
        {"index_ideas",
         {{{"ddl", "CREATE INDEX CONCURRENTLY orders_customer_id_idx ON public.orders (customer_id) INCLUDE (total)"},
           {"rationale", "An index-only scan of one customer's orders."}}}},
        {"risks", Json::array()}};
}

TEST_F(AiTest, TheSecondIdenticalQuestionIsAnsweredFromTheCache) {
    FakeLlmServer server;
    server.EnqueueJson(OpenAiBody(LookupAnswer()));
    BinaryRunner runner;
    const std::vector<std::string> args = {
        "explain", "--dsn", dsn_, "--ai", "--llm-base-url", server.BaseUrl() + "/v1", kLookupQuery};
    CommandResult first = runner.Run(args);
    ASSERT_EQ(first.exit_code, 0) << first.err;
    ExpectNoKey(first);
    ASSERT_EQ(server.RequestCount(), 1u);
    EXPECT_EQ(Json::parse(server.Requests()[0].body)["model"], "gpt-4o-mini") << "the default model";
    EXPECT_NE(first.out.find("Seq Scan on"), std::string::npos) << first.out;
    EXPECT_NE(first.out.find("AI assistant: openai · gpt-4o-mini-2024-07-18 · answered in"), std::string::npos)
        << first.out;
    EXPECT_NE(first.out.find("reads all 300,000 rows"), std::string::npos) << first.out;
    EXPECT_NE(first.out.find("[REJECTED] (suggested by gpt-4o-mini-2024-07-18)"), std::string::npos) << first.out;
    EXPECT_NE(first.out.find("a rewrite of a SELECT must be one SELECT"), std::string::npos) << first.out;
    EXPECT_NE(first.out.find("[VERIFIED] (suggested by gpt-4o-mini-2024-07-18)"), std::string::npos) << first.out;
    EXPECT_NE(first.out.find("the planner uses it"), std::string::npos) << first.out;

    CommandResult second = runner.Run(args);
    ASSERT_EQ(second.exit_code, 0) << second.err;
    EXPECT_EQ(server.RequestCount(), 1u) << "a cached answer sends no request";
    EXPECT_NE(second.out.find("answer from the cache"), std::string::npos) << second.out;
    EXPECT_NE(second.out.find("reads all 300,000 rows"), std::string::npos) << second.out;

    std::vector<std::string> json_args = args;
    json_args.insert(json_args.end() - 1, {"--format", "json"});
    CommandResult third = runner.Run(json_args);
    ASSERT_EQ(third.exit_code, 0) << third.err;
    EXPECT_EQ(server.RequestCount(), 1u);
    const auto ai = Json::parse(third.out)["ai"];
    EXPECT_EQ(ai["from_cache"], true);
    EXPECT_EQ(ai["input_tokens"], 2311) << "the tokens the cached answer cost";
    ASSERT_EQ(ai["index_ideas"].size(), 1u);
    const auto& idea = ai["index_ideas"][0];
    EXPECT_EQ(idea["status"], "verified") << idea.dump(2);
    EXPECT_LT(idea["cost_after"].get<double>(), 0.2 * idea["cost_before"].get<double>()) << idea.dump(2);
    EXPECT_EQ(QueryValue(dsn_, "SELECT count(*) FROM orders WHERE customer_id = 42"), "15")
        << "the DELETE the model proposed never ran";

    server.EnqueueJson(OpenAiBody(LookupAnswer()));
    std::vector<std::string> fresh = args;
    fresh.insert(fresh.end() - 1, "--no-llm-cache");
    CommandResult uncached = runner.Run(fresh);
    ASSERT_EQ(uncached.exit_code, 0) << uncached.err;
    EXPECT_EQ(server.RequestCount(), 2u) << "--no-llm-cache always asks";
}

TEST_F(AiTest, AProviderThatFailsLeavesThePlanAndFindings) {
    BinaryRunner runner;
    const std::string dead = "http://127.0.0.1:" + std::to_string(ClosedPort()) + "/v1";
    CommandResult refused = runner.Run(
        {"explain", "--dsn", dsn_, "--analyze", "--ai", "--llm-base-url", dead, "--llm-timeout-s", "5", kLookupQuery});
    ASSERT_EQ(refused.exit_code, 0) << refused.err;
    ExpectNoKey(refused);
    EXPECT_NE(refused.out.find("Seq Scan on"), std::string::npos) << refused.out;
    EXPECT_NE(refused.out.find("seq_scan_few_rows"), std::string::npos) << "the findings stand" << refused.out;
    EXPECT_NE(refused.out.find("AI assistant (openai, gpt-4o-mini): no answer: "), std::string::npos) << refused.out;
    EXPECT_NE(refused.out.find("127.0.0.1"), std::string::npos) << "the error names the server" << refused.out;
    EXPECT_NE(refused.err.find("no answer"), std::string::npos) << refused.err;

    FakeLlmServer server;
    for (int i = 0; i < 3; ++i) {
        server.Enqueue(ScriptedResponse{500,
                                        R"({"error":{"message":"The server had an error while processing your )"
                                        R"(request. Sorry about that!","type":"server_error"}})",
                                        {},
                                        {}});
    }
    CommandResult failing = runner.Run({"explain", "--dsn", dsn_, "--analyze", "--ai", "--llm-base-url",
                                        server.BaseUrl() + "/v1", "--format", "json", kLookupQuery});
    ASSERT_EQ(failing.exit_code, 0) << failing.err;
    EXPECT_EQ(server.RequestCount(), 3u) << "a 500 is retried, twice";
    const auto j = Json::parse(failing.out);
    EXPECT_TRUE(j["plan"].contains("node_type"));
    ASSERT_FALSE(j["findings"].empty());
    EXPECT_EQ(j["findings"][0]["rule"], "seq_scan_few_rows");
    const std::string error = j["ai"]["error"].is_string() ? j["ai"]["error"].get<std::string>() : "";
    EXPECT_NE(error.find("500"), std::string::npos) << j["ai"].dump(2);
    EXPECT_NE(error.find("server had an error"), std::string::npos) << j["ai"].dump(2);
    EXPECT_TRUE(j["ai"]["rewrites"].empty());

    // A failed request is not cached: once the provider is back, the question is asked again.
    server.EnqueueJson(OpenAiBody(LookupAnswer()));
    CommandResult recovered = runner.Run({"explain", "--dsn", dsn_, "--analyze", "--ai", "--llm-base-url",
                                          server.BaseUrl() + "/v1", "--format", "json", kLookupQuery});
    ASSERT_EQ(recovered.exit_code, 0) << recovered.err;
    EXPECT_TRUE(Json::parse(recovered.out)["ai"]["error"].is_null()) << recovered.out;
    EXPECT_EQ(server.RequestCount(), 4u);
}

TEST_F(AiTest, GeminiProtocolWithoutASandbox) {
    FakeLlmServer server;
    const Json answer = {
        {"explanation", "A sequential scan of `public.orders` filters out all but one customer's rows."},
        {"rewrites",
         {{{"sql", "SELECT o.id, o.total FROM public.orders o WHERE o.customer_id = $1"},
           {"rationale", "The same query with an alias."}}}},
        {"index_ideas",
         {{{"ddl", "CREATE INDEX ON public.orders (customer_id)"}, {"rationale", "One customer's orders directly."}},
          {{"ddl", "DROP TABLE public.orders"}, {"rationale", "Nothing to scan."}}}},
        {"risks", {"Index maintenance on every insert."}}};
    server.EnqueueJson(GeminiBody(answer));
    BinaryRunner runner;
    CommandResult run = runner.Run({"explain", "--dsn", dsn_, "--ai", "--llm-provider", "gemini", "--llm-base-url",
                                    server.BaseUrl(), "--verify-in", "none", "--format", "json", kLookupQuery});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    ExpectNoKey(run);
    ASSERT_EQ(server.RequestCount(), 1u);
    const auto request = server.Requests()[0];
    EXPECT_EQ(request.path, "/v1beta/models/gemini-2.5-flash:generateContent");
    EXPECT_EQ(request.Header("x-goog-api-key"), kKey);
    const auto sent = Json::parse(request.body);
    EXPECT_EQ(sent["generationConfig"]["responseMimeType"], "application/json");
    const std::string prompt = PromptOf(request);
    EXPECT_NE(prompt.find("WHERE customer_id = $1"), std::string::npos) << prompt;
    EXPECT_NE(prompt.find("Seq Scan on"), std::string::npos) << prompt;

    const auto ai = Json::parse(run.out)["ai"];
    EXPECT_EQ(ai["provider"], "gemini");
    EXPECT_EQ(ai["model"], "gemini-2.5-flash");
    EXPECT_EQ(ai["output_tokens"], 350 + 260) << "thinking tokens are billed as output";
    ASSERT_EQ(ai["rewrites"].size(), 1u);
    EXPECT_EQ(ai["rewrites"][0]["status"], "unverified") << ai["rewrites"][0].dump(2);
    EXPECT_NE(ai["rewrites"][0]["reason"].get<std::string>().find("--verify-in none"), std::string::npos);
    EXPECT_GT(ai["rewrites"][0]["planned_cost"].get<double>(), 0);
    ASSERT_EQ(ai["index_ideas"].size(), 2u);
    EXPECT_EQ(ai["index_ideas"][0]["status"], "verified") << "an unnamed index gets a name" << ai.dump(2);
    EXPECT_EQ(ai["index_ideas"][1]["status"], "rejected");
    EXPECT_NE(ai["index_ideas"][1]["reason"].get<std::string>().find("CREATE INDEX"), std::string::npos)
        << ai["index_ideas"][1].dump(2);
    EXPECT_EQ(QueryValue(dsn_, "SELECT count(*) FROM orders"), "300000");
    CommandResult audit = runner.Run({"audit", "--format", "json"});
    EXPECT_TRUE(Json::parse(audit.out).empty()) << "no sandbox ran";
}

TEST_F(AiTest, BadSettingsAreClearErrors) {
    BinaryRunner runner;
    CommandResult without_ai = runner.Run({"explain", "--dsn", dsn_, "--llm-model", "x", kLookupQuery});
    EXPECT_EQ(without_ai.exit_code, 2);
    EXPECT_NE(without_ai.err.find("--ai"), std::string::npos) << without_ai.err;

    CommandResult provider = runner.Run({"explain", "--dsn", dsn_, "--ai", "--llm-provider", "claude", kLookupQuery});
    EXPECT_EQ(provider.exit_code, 2);
    EXPECT_NE(provider.err.find("unknown LLM provider 'claude'"), std::string::npos) << provider.err;

    CommandResult no_model = runner.Run({"explain", "--dsn", dsn_, "--ai", "--llm-provider", "ollama", kLookupQuery});
    EXPECT_EQ(no_model.exit_code, 2);
    EXPECT_NE(no_model.err.find("--llm-model"), std::string::npos) << no_model.err;

    unsetenv("OPTISCHEMA_LLM_API_KEY");
    CommandResult no_key = runner.Run({"explain", "--dsn", dsn_, "--ai", "--llm-provider", "gemini", kLookupQuery});
    setenv("OPTISCHEMA_LLM_API_KEY", kKey, 1);
    EXPECT_EQ(no_key.exit_code, 2);
    EXPECT_NE(no_key.err.find("OPTISCHEMA_LLM_API_KEY"), std::string::npos) << no_key.err;
}

}  // namespace
}  // namespace optischema::cli
