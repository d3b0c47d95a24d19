#include "llm/cache.hpp"

#include <array>
#include <cstring>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include "sqlite/statement.hpp"

namespace optischema::llm {
namespace {

// SHA-256 (FIPS 180-4).
class Sha256 {
public:
    void Update(std::string_view data) {
        for (const char c : data) {
            block_[block_len_++] = static_cast<std::uint8_t>(c);
            if (block_len_ == 64) {
                Compress();
                block_len_ = 0;
            }
        }
        bit_len_ += static_cast<std::uint64_t>(data.size()) * 8;
    }

    std::string HexDigest() {
        const std::uint64_t bits = bit_len_;
        block_[block_len_++] = 0x80;
        if (block_len_ > 56) {
            while (block_len_ < 64) block_[block_len_++] = 0;
            Compress();
            block_len_ = 0;
        }
        while (block_len_ < 56) block_[block_len_++] = 0;
        for (int i = 7; i >= 0; --i) block_[block_len_++] = static_cast<std::uint8_t>(bits >> (i * 8));
        Compress();
        std::string hex;
        for (const std::uint32_t word : h_) hex += fmt::format("{:08x}", word);
        return hex;
    }

private:
    static std::uint32_t Rotr(std::uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

    void Compress() {
        static constexpr std::uint32_t kRound[64] = {
            0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
            0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
            0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
            0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
            0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
            0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
            0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
            0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};
        std::uint32_t w[64];
        for (std::size_t i = 0; i < 16; ++i) {
            w[i] = (static_cast<std::uint32_t>(block_[i * 4]) << 24) |
                   (static_cast<std::uint32_t>(block_[i * 4 + 1]) << 16) |
                   (static_cast<std::uint32_t>(block_[i * 4 + 2]) << 8) | static_cast<std::uint32_t>(block_[i * 4 + 3]);
        }
        for (int i = 16; i < 64; ++i) {
            const std::uint32_t s0 = Rotr(w[i - 15], 7) ^ Rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
            const std::uint32_t s1 = Rotr(w[i - 2], 17) ^ Rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }
        std::uint32_t a = h_[0], b = h_[1], c = h_[2], d = h_[3], e = h_[4], f = h_[5], g = h_[6], h = h_[7];
        for (int i = 0; i < 64; ++i) {
            const std::uint32_t s1 = Rotr(e, 6) ^ Rotr(e, 11) ^ Rotr(e, 25);
            const std::uint32_t ch = (e & f) ^ (~e & g);
            const std::uint32_t t1 = h + s1 + ch + kRound[i] + w[i];
            const std::uint32_t s0 = Rotr(a, 2) ^ Rotr(a, 13) ^ Rotr(a, 22);
            const std::uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
            const std::uint32_t t2 = s0 + maj;
            h = g;
            g = f;
            f = e;
            e = d + t1;
            d = c;
            c = b;
            b = a;
            a = t1 + t2;
        }
        h_[0] += a;
        h_[1] += b;
        h_[2] += c;
        h_[3] += d;
        h_[4] += e;
        h_[5] += f;
        h_[6] += g;
        h_[7] += h;
    }

    std::array<std::uint32_t, 8> h_ = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                       0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    std::array<std::uint8_t, 64> block_{};
    std::size_t block_len_ = 0;
    std::uint64_t bit_len_ = 0;
};

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS llm_cache (
    provider TEXT NOT NULL,
    model TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    text TEXT NOT NULL,
    response_model TEXT NOT NULL,
    input_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    cost_usd REAL NOT NULL,
    truncated INTEGER NOT NULL,
    created_at_ms INTEGER NOT NULL,
    expires_at_ms INTEGER NOT NULL,
    PRIMARY KEY (provider, model, request_hash)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS llm_cache_stats (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    hits INTEGER NOT NULL,
    misses INTEGER NOT NULL,
    tokens_saved INTEGER NOT NULL,
    cost_saved_usd REAL NOT NULL
);
INSERT OR IGNORE INTO llm_cache_stats VALUES (1, 0, 0, 0, 0);
)sql";

using sqlite::Statement;

Error CacheError(sqlite3* db, std::string_view what) {
    return Error{ErrorCode::kStorage,
                 fmt::format("LLM cache: {}: {}", what, db != nullptr ? sqlite3_errmsg(db) : "out of memory"),
                 {}};
}

}  // namespace

std::string Sha256Hex(std::string_view data) {
    Sha256 sha;
    sha.Update(data);
    return sha.HexDigest();
}

std::string RequestHash(const ChatRequest& request, std::string_view endpoint) {
    const nlohmann::json canonical = {
        {"endpoint", endpoint},
        {"system", request.system},
        {"user", request.user},
        {"max_output_tokens", request.max_output_tokens},
        {"temperature", request.temperature},
        {"json_response", request.json_response},
    };
    return Sha256Hex(canonical.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

ResponseCache::ResponseCache(sqlite3* db, std::chrono::seconds ttl, const Clock& clock)
    : db_(db), ttl_(ttl), clock_(clock) {}

ResponseCache::~ResponseCache() { sqlite3_close_v2(db_); }

Result<std::unique_ptr<ResponseCache>> ResponseCache::Open(const std::string& path,
                                                           std::chrono::seconds ttl,
                                                           const Clock& clock) {
    if (ttl.count() <= 0) return MakeError(ErrorCode::kInvalidArgument, "the LLM cache TTL must be positive");
    if (!sqlite::MakePrivateFile(path)) {
        return MakeError(ErrorCode::kStorage, fmt::format("cannot create the LLM cache {} (mode 0600)", path));
    }
    sqlite3* db = nullptr;
    const int rc =
        sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        Error error = CacheError(db, fmt::format("cannot open {}", path));
        error.message += ": check that its directory exists and is writable";
        sqlite3_close_v2(db);
        return tl::unexpected(std::move(error));
    }
    std::unique_ptr<ResponseCache> cache(new ResponseCache(db, ttl, clock));
    sqlite3_busy_timeout(db, 5000);
    for (const char* sql : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", kSchema}) {
        if (auto ok = cache->Exec(sql); !ok) return tl::unexpected(ok.error());
    }
    return cache;
}

Result<void> ResponseCache::Exec(const char* sql) {
    char* message = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
        Error error{ErrorCode::kStorage, fmt::format("LLM cache: {}", message != nullptr ? message : "error"), {}};
        sqlite3_free(message);
        return tl::unexpected(std::move(error));
    }
    return {};
}

Result<std::optional<Completion>> ResponseCache::Get(const CacheKey& key) {
    const std::lock_guard lock(mutex_);
    const long long now = ToUnixMs(clock_.Now());
    Statement select(db_,
                     "SELECT text, response_model, input_tokens, output_tokens, cost_usd, truncated FROM llm_cache "
                     "WHERE provider = ? AND model = ? AND request_hash = ? AND expires_at_ms > ?");
    if (!select.ok()) return tl::unexpected(CacheError(db_, "read"));
    select.Bind(1, key.provider).Bind(2, key.model).Bind(3, key.request_hash).Bind(4, static_cast<std::int64_t>(now));
    std::optional<Completion> found;
    const int rc = select.Step();
    if (rc == SQLITE_ROW) {
        Completion c;
        c.text = select.Text(0);
        c.model = select.Text(1);
        c.provider = key.provider;
        c.input_tokens = select.Int(2);
        c.output_tokens = select.Int(3);
        c.cost_usd = select.Real(4);
        c.truncated = select.Int(5) != 0;
        c.from_cache = true;
        found = std::move(c);
    } else if (rc != SQLITE_DONE) {
        return tl::unexpected(CacheError(db_, "read"));
    }
    Statement count(db_, found ? "UPDATE llm_cache_stats SET hits = hits + 1, tokens_saved = tokens_saved + ?, "
                                 "cost_saved_usd = cost_saved_usd + ? WHERE id = 1"
                               : "UPDATE llm_cache_stats SET misses = misses + 1 WHERE id = 1");
    if (!count.ok()) return tl::unexpected(CacheError(db_, "count"));
    if (found) count.Bind(1, found->input_tokens + found->output_tokens).Bind(2, found->cost_usd);
    if (count.Step() != SQLITE_DONE) return tl::unexpected(CacheError(db_, "count"));
    return found;
}

Result<void> ResponseCache::Put(const CacheKey& key, const Completion& completion) {
    const std::lock_guard lock(mutex_);
    const long long now = ToUnixMs(clock_.Now());
    const long long expires = now + std::chrono::duration_cast<std::chrono::milliseconds>(ttl_).count();
    Statement insert(db_, "INSERT OR REPLACE INTO llm_cache VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!insert.ok()) return tl::unexpected(CacheError(db_, "write"));
    insert.Bind(1, key.provider)
        .Bind(2, key.model)
        .Bind(3, key.request_hash)
        .Bind(4, completion.text)
        .Bind(5, completion.model)
        .Bind(6, completion.input_tokens)
        .Bind(7, completion.output_tokens)
        .Bind(8, completion.cost_usd)
        .Bind(9, static_cast<std::int64_t>(completion.truncated ? 1 : 0))
        .Bind(10, static_cast<std::int64_t>(now))
        .Bind(11, static_cast<std::int64_t>(expires));
    if (insert.Step() != SQLITE_DONE) return tl::unexpected(CacheError(db_, "write"));
    return {};
}

Result<CacheStats> ResponseCache::Stats() {
    const std::lock_guard lock(mutex_);
    Statement select(db_,
                     "SELECT hits, misses, tokens_saved, cost_saved_usd, (SELECT count(*) FROM llm_cache) "
                     "FROM llm_cache_stats WHERE id = 1");
    if (!select.ok() || select.Step() != SQLITE_ROW) return tl::unexpected(CacheError(db_, "read statistics"));
    CacheStats stats;
    stats.hits = select.Int(0);
    stats.misses = select.Int(1);
    stats.tokens_saved = select.Int(2);
    stats.cost_saved_usd = select.Real(3);
    stats.entries = select.Int(4);
    return stats;
}

Result<std::int64_t> ResponseCache::Prune() {
    const std::lock_guard lock(mutex_);
    Statement del(db_, "DELETE FROM llm_cache WHERE expires_at_ms <= ?");
    if (!del.ok()) return tl::unexpected(CacheError(db_, "prune"));
    del.Bind(1, static_cast<std::int64_t>(ToUnixMs(clock_.Now())));
    if (del.Step() != SQLITE_DONE) return tl::unexpected(CacheError(db_, "prune"));
    return static_cast<std::int64_t>(sqlite3_changes(db_));
}

Result<void> ResponseCache::Clear() {
    const std::lock_guard lock(mutex_);
    return Exec(
        "DELETE FROM llm_cache; UPDATE llm_cache_stats SET hits = 0, misses = 0, tokens_saved = 0, "
        "cost_saved_usd = 0 WHERE id = 1");
}

CachedClient::CachedClient(LlmClient& inner, ResponseCache& cache, bool refresh)
    : inner_(inner), cache_(cache), refresh_(refresh) {}

Result<Completion> CachedClient::Complete(const ChatRequest& request) {
    const auto start = std::chrono::steady_clock::now();
    const CacheKey key{inner_.Provider(), inner_.Model(), RequestHash(request, inner_.Endpoint())};
    if (refresh_) {
        // A fresh answer is wanted; it replaces the stored one below.
    } else if (auto cached = cache_.Get(key); !cached) {
        spdlog::warn("{}; asking the model without the cache", cached.error().message);
    } else if (*cached) {
        Completion hit = std::move(**cached);
        hit.latency_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        return hit;
    }
    auto completion = inner_.Complete(request);
    if (!completion) return completion;
    if (auto stored = cache_.Put(key, *completion); !stored) {
        spdlog::warn("{}; the answer is not cached", stored.error().message);
    }
    return completion;
}

std::string CachedClient::Provider() const { return inner_.Provider(); }

std::string CachedClient::Model() const { return inner_.Model(); }

std::string CachedClient::Endpoint() const { return inner_.Endpoint(); }

}  // namespace optischema::llm
