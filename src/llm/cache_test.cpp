#include "llm/cache.hpp"

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include "fake_llm_server.hpp"

namespace optischema::llm {
namespace {

namespace fs = std::filesystem;
using std::chrono::hours;
using std::chrono::seconds;

class FakeClock final : public Clock {
public:
    [[nodiscard]] TimePoint Now() const override { return now; }
    TimePoint now = FromUnixMs(1'700'000'000'000);
};

/// A directory removed at the end of the test.
class TempDir {
public:
    TempDir() {
        static std::atomic<int> counter{0};
        path_ = fs::temp_directory_path() /
                ("optischema-llm-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        fs::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    [[nodiscard]] std::string File(const std::string& name) const { return (path_ / name).string(); }

private:
    fs::path path_;
};

std::string Fixture(const std::string& name) {
    std::ifstream in(fs::path(OPTISCHEMA_TESTDATA_DIR) / "llm" / name);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

ChatRequest Question(std::string user = "Why is this query slow?") {
    ChatRequest r;
    r.system = "Answer in JSON.";
    r.user = std::move(user);
    r.json_response = true;
    return r;
}

std::unique_ptr<ResponseCache> OpenCache(const std::string& path, const Clock& clock, seconds ttl = hours(24)) {
    auto cache = ResponseCache::Open(path, ttl, clock);
    if (!cache) throw std::runtime_error(cache.error().message);
    return std::move(*cache);
}

std::unique_ptr<LlmClient> OpenAiAt(const testing::FakeLlmServer& server) {
    ProviderConfig config;
    config.base_url = server.BaseUrl() + "/v1";
    config.model = "gpt-4o-mini";
    config.api_key = "sk-test";
    config.max_retries = 0;
    config.prices = {{"gpt-4o-mini", 0.15, 0.60}};
    auto client = MakeClient(config);
    if (!client) throw std::runtime_error(client.error().message);
    return std::move(*client);
}

/// Counts calls; answers or fails as told.
class CountingClient final : public LlmClient {
public:
    Result<Completion> Complete(const ChatRequest&) override {
        ++calls;
        if (fail) return MakeError(ErrorCode::kConnectionFailed, "down");
        Completion c;
        c.text = "answer " + std::to_string(calls);
        c.provider = "openai";
        c.model = "m";
        c.input_tokens = 100;
        c.output_tokens = 20;
        return c;
    }
    std::string Provider() const override { return "openai"; }
    std::string Model() const override { return "m"; }
    std::string Endpoint() const override { return "http://x/v1"; }
    int calls = 0;
    bool fail = false;
};

TEST(Sha256, MatchesKnownVectors) {
    EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    EXPECT_EQ(Sha256Hex(std::string(64, 'a')), "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
    EXPECT_EQ(Sha256Hex(std::string(1000, 'a')), "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3");
}

TEST(RequestHash, ChangesWithEveryFieldOfTheRequest) {
    const ChatRequest base = Question();
    const std::string h = RequestHash(base, "http://a/v1");
    EXPECT_EQ(h, RequestHash(Question(), "http://a/v1"));
    EXPECT_EQ(h.size(), 64u);
    auto differs = [&](auto change, const std::string& endpoint = "http://a/v1") {
        ChatRequest r = base;
        change(r);
        return RequestHash(r, endpoint) != h;
    };
    EXPECT_TRUE(differs([](ChatRequest& r) { r.system += " "; }));
    EXPECT_TRUE(differs([](ChatRequest& r) { r.user = "other"; }));
    EXPECT_TRUE(differs([](ChatRequest& r) { r.max_output_tokens += 1; }));
    EXPECT_TRUE(differs([](ChatRequest& r) { r.temperature = 0.7; }));
    EXPECT_TRUE(differs([](ChatRequest& r) { r.json_response = false; }));
    EXPECT_TRUE(differs([](ChatRequest&) {}, "http://b/v1"));
    // Moving text between the messages is a different question too.
    ChatRequest a;
    a.system = "ab";
    a.user = "c";
    ChatRequest b;
    b.system = "a";
    b.user = "bc";
    EXPECT_NE(RequestHash(a, ""), RequestHash(b, ""));
}

TEST(CachedClient, ASecondIdenticalQuestionSendsNoRequest) {
    TempDir dir;
    FakeClock clock;
    testing::FakeLlmServer server;
    server.EnqueueJson(Fixture("openai_chat_completion.json"));
    server.EnqueueJson(Fixture("openai_chat_completion.json"));
    auto inner = OpenAiAt(server);
    auto cache = OpenCache(dir.File("llm-cache.sqlite3"), clock);
    CachedClient client(*inner, *cache);

    auto first = client.Complete(Question());
    ASSERT_TRUE(first.has_value()) << first.error().message;
    EXPECT_FALSE(first->from_cache);
    EXPECT_EQ(server.RequestCount(), 1u);

    auto second = client.Complete(Question());
    ASSERT_TRUE(second.has_value());
    EXPECT_TRUE(second->from_cache);
    EXPECT_EQ(server.RequestCount(), 1u);
    EXPECT_EQ(second->text, first->text);
    EXPECT_EQ(second->model, first->model);
    EXPECT_EQ(second->provider, "openai");
    EXPECT_EQ(second->input_tokens, 1117);
    EXPECT_EQ(second->output_tokens, 246);
    EXPECT_DOUBLE_EQ(second->cost_usd, first->cost_usd);

    auto stats = cache->Stats();
    ASSERT_TRUE(stats.has_value());
    EXPECT_EQ(stats->hits, 1);
    EXPECT_EQ(stats->misses, 1);
    EXPECT_EQ(stats->tokens_saved, 1117 + 246);
    EXPECT_DOUBLE_EQ(stats->cost_saved_usd, first->cost_usd);
    EXPECT_EQ(stats->entries, 1);
    EXPECT_DOUBLE_EQ(stats->HitRate(), 0.5);

    // A different question is asked.
    auto third = client.Complete(Question("Another query?"));
    ASSERT_TRUE(third.has_value());
    EXPECT_FALSE(third->from_cache);
    EXPECT_EQ(server.RequestCount(), 2u);
}

TEST(CachedClient, AnAnswerExpiresAfterTheTtl) {
    TempDir dir;
    FakeClock clock;
    CountingClient inner;
    auto cache = OpenCache(dir.File("c.sqlite3"), clock, seconds(3600));
    CachedClient client(inner, *cache);

    ASSERT_TRUE(client.Complete(Question()).has_value());
    clock.now += seconds(3599);
    auto fresh = client.Complete(Question());
    ASSERT_TRUE(fresh.has_value());
    EXPECT_TRUE(fresh->from_cache);
    EXPECT_EQ(inner.calls, 1);

    clock.now += seconds(2);
    auto expired = client.Complete(Question());
    ASSERT_TRUE(expired.has_value());
    EXPECT_FALSE(expired->from_cache);
    EXPECT_EQ(expired->text, "answer 2");
    EXPECT_EQ(inner.calls, 2);

    // The new answer is cached in turn.
    auto again = client.Complete(Question());
    EXPECT_TRUE(again->from_cache);
    EXPECT_EQ(again->text, "answer 2");
    EXPECT_EQ(inner.calls, 2);
}

TEST(CachedClient, ARefreshAsksAgainAndReplacesTheStoredAnswer) {
    TempDir dir;
    FakeClock clock;
    CountingClient inner;
    auto cache = OpenCache(dir.File("c.sqlite3"), clock);
    CachedClient client(inner, *cache);
    ASSERT_TRUE(client.Complete(Question()).has_value());

    CachedClient refreshing(inner, *cache, /*refresh=*/true);
    auto fresh = refreshing.Complete(Question());
    ASSERT_TRUE(fresh.has_value());
    EXPECT_FALSE(fresh->from_cache);
    EXPECT_EQ(fresh->text, "answer 2");
    EXPECT_EQ(inner.calls, 2);

    auto again = client.Complete(Question());
    ASSERT_TRUE(again.has_value());
    EXPECT_TRUE(again->from_cache);
    EXPECT_EQ(again->text, "answer 2") << "the refreshed answer replaced the first";
    EXPECT_EQ(inner.calls, 2);
}

TEST(CachedClient, FailuresAreNotCached) {
    TempDir dir;
    FakeClock clock;
    CountingClient inner;
    inner.fail = true;
    auto cache = OpenCache(dir.File("c.sqlite3"), clock);
    CachedClient client(inner, *cache);
    EXPECT_FALSE(client.Complete(Question()).has_value());
    inner.fail = false;
    auto answer = client.Complete(Question());
    ASSERT_TRUE(answer.has_value());
    EXPECT_FALSE(answer->from_cache);
    EXPECT_EQ(inner.calls, 2);
}

TEST(CachedClient, TheSameQuestionToAnotherModelIsNotAHit) {
    TempDir dir;
    FakeClock clock;
    auto cache = OpenCache(dir.File("c.sqlite3"), clock);
    Completion c;
    c.text = "cached";
    const std::string hash = RequestHash(Question(), "http://x/v1");
    ASSERT_TRUE(cache->Put({"openai", "other-model", hash}, c).has_value());
    CountingClient inner;  // model "m"
    CachedClient client(inner, *cache);
    auto answer = client.Complete(Question());
    ASSERT_TRUE(answer.has_value());
    EXPECT_FALSE(answer->from_cache);
    EXPECT_EQ(inner.calls, 1);
}

TEST(ResponseCache, PersistsAnswersAndCountersAcrossOpens) {
    TempDir dir;
    FakeClock clock;
    const CacheKey key{"gemini", "gemini-2.5-flash", RequestHash(Question(), "u")};
    {
        auto cache = OpenCache(dir.File("c.sqlite3"), clock);
        Completion c;
        c.text = "persisted";
        c.model = "gemini-2.5-flash";
        c.input_tokens = 10;
        c.output_tokens = 5;
        c.cost_usd = 0.25;
        c.truncated = true;
        ASSERT_TRUE(cache->Put(key, c).has_value());
        ASSERT_TRUE(cache->Get({"gemini", "gemini-2.5-flash", "nope"}).has_value());  // a miss
    }
    auto cache = OpenCache(dir.File("c.sqlite3"), clock);
    auto got = cache->Get(key);
    ASSERT_TRUE(got.has_value());
    ASSERT_TRUE(got->has_value());
    EXPECT_EQ((*got)->text, "persisted");
    EXPECT_EQ((*got)->provider, "gemini");
    EXPECT_TRUE((*got)->truncated);
    EXPECT_TRUE((*got)->from_cache);
    auto stats = cache->Stats();
    EXPECT_EQ(stats->hits, 1);
    EXPECT_EQ(stats->misses, 1);
    EXPECT_EQ(stats->tokens_saved, 15);
}

TEST(ResponseCache, UsesWalModeInItsOwnFile) {
    TempDir dir;
    FakeClock clock;
    const std::string path = dir.File("llm-cache.sqlite3");
    auto cache = OpenCache(path, clock);
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, nullptr), SQLITE_OK);
    ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
    EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)), "wal");
    sqlite3_finalize(stmt);
    sqlite3_close(db);
}

TEST(ResponseCache, PruneDeletesOnlyExpiredAnswersAndClearResets) {
    TempDir dir;
    FakeClock clock;
    auto cache = OpenCache(dir.File("c.sqlite3"), clock, seconds(60));
    ASSERT_TRUE(cache->Put({"openai", "m", "old"}, Completion{}).has_value());
    clock.now += seconds(30);
    ASSERT_TRUE(cache->Put({"openai", "m", "new"}, Completion{}).has_value());
    clock.now += seconds(31);
    auto pruned = cache->Prune();
    ASSERT_TRUE(pruned.has_value());
    EXPECT_EQ(*pruned, 1);
    EXPECT_TRUE(cache->Get({"openai", "m", "new"})->has_value());
    EXPECT_EQ(cache->Stats()->entries, 1);

    ASSERT_TRUE(cache->Clear().has_value());
    auto stats = cache->Stats();
    EXPECT_EQ(stats->entries, 0);
    EXPECT_EQ(stats->hits, 0);
    EXPECT_EQ(stats->misses, 0);
}

TEST(ResponseCache, OpeningInAMissingDirectoryIsAStorageError) {
    FakeClock clock;
    auto cache = ResponseCache::Open("/nonexistent-optischema-dir/llm-cache.sqlite3", hours(1), clock);
    ASSERT_FALSE(cache.has_value());
    EXPECT_EQ(cache.error().code, ErrorCode::kStorage);
    EXPECT_NE(cache.error().message.find("/nonexistent-optischema-dir/llm-cache.sqlite3"), std::string::npos);
    EXPECT_FALSE(ResponseCache::Open("x", seconds(0), clock).has_value());
}

}  // namespace
}  // namespace optischema::llm
