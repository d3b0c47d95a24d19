#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "llm/client.hpp"

struct sqlite3;

namespace optischema::llm {

/// The response cache's file in the data directory.
inline constexpr const char* kResponseCacheFile = "llm_cache.sqlite";

/// Identifies one question to one model.
struct CacheKey {
    std::string provider;      // ProviderKindName()
    std::string model;         // the configured model
    std::string request_hash;  // RequestHash()
};

/// Lowercase hex SHA-256 of `data`.
[[nodiscard]] std::string Sha256Hex(std::string_view data);

/// SHA-256 (hex) over the endpoint and every field of the request (system, user, max output tokens,
/// temperature, JSON mode): any difference is a different question.
[[nodiscard]] std::string RequestHash(const ChatRequest& request, std::string_view endpoint);

/// Counters since the cache file was created (or cleared).
struct CacheStats {
    std::int64_t hits = 0;
    std::int64_t misses = 0;
    std::int64_t tokens_saved = 0;  // input + output tokens of the answers served from the cache
    double cost_saved_usd = 0;
    std::int64_t entries = 0;  // stored answers, expired ones included until pruned

    /// hits / (hits + misses); 0 before any lookup.
    [[nodiscard]] double HitRate() const {
        const auto total = hits + misses;
        return total == 0 ? 0 : static_cast<double>(hits) / static_cast<double>(total);
    }
};

/// Answers already paid for, in their own SQLite file (WAL mode), each valid for `ttl` after it was
/// stored. Thread-safe; several processes may share the file.
class ResponseCache {
public:
    /// Opens or creates the file at `path` (its directory must exist). `clock` must outlive the cache.
    [[nodiscard]] static Result<std::unique_ptr<ResponseCache>> Open(const std::string& path,
                                                                     std::chrono::seconds ttl,
                                                                     const Clock& clock);
    ~ResponseCache();
    ResponseCache(const ResponseCache&) = delete;
    ResponseCache& operator=(const ResponseCache&) = delete;

    /// The stored answer (from_cache set) when there is an unexpired one; counts a hit or a miss.
    [[nodiscard]] Result<std::optional<Completion>> Get(const CacheKey& key);
    /// Stores (or replaces) the answer for `key`, valid for ttl from now.
    [[nodiscard]] Result<void> Put(const CacheKey& key, const Completion& completion);
    /// Hit and miss counters, tokens and dollars saved, stored answers.
    [[nodiscard]] Result<CacheStats> Stats();
    /// Deletes expired answers; returns how many.
    [[nodiscard]] Result<std::int64_t> Prune();
    /// Deletes every answer and resets the counters.
    [[nodiscard]] Result<void> Clear();

private:
    ResponseCache(sqlite3* db, std::chrono::seconds ttl, const Clock& clock);
    [[nodiscard]] Result<void> Exec(const char* sql);

    sqlite3* db_;
    std::chrono::seconds ttl_;
    const Clock& clock_;
    std::mutex mutex_;
};

/// An LlmClient that answers repeated questions from a ResponseCache without sending a request.
/// A cache that cannot be read or written is logged and bypassed: the answer still comes.
/// Thread-safe when the inner client is.
class CachedClient final : public LlmClient {
public:
    /// Both must outlive this client. With `refresh` every request is sent and its answer replaces the
    /// stored one (the user asked again on purpose).
    CachedClient(LlmClient& inner, ResponseCache& cache, bool refresh = false);
    [[nodiscard]] Result<Completion> Complete(const ChatRequest& request) override;
    [[nodiscard]] std::string Provider() const override;
    [[nodiscard]] std::string Model() const override;
    [[nodiscard]] std::string Endpoint() const override;

private:
    LlmClient& inner_;
    ResponseCache& cache_;
    bool refresh_ = false;
};

}  // namespace optischema::llm
