#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/http_message.hpp"
#include "api/principal.hpp"
#include "common/clock.hpp"
#include "common/error.hpp"

namespace optischema::api {

/// The cookie that carries the CSRF double-submit token (readable by the dashboard's JavaScript).
inline constexpr std::string_view kCsrfCookie = "optischema_csrf";
/// The header the dashboard copies the CSRF cookie into on mutating requests.
inline constexpr std::string_view kCsrfHeader = "X-CSRF-Token";

/// An Argon2id hash in the PHC string format ("$argon2id$v=19$m=...,t=...,p=1$salt$hash"), with
/// libsodium's INTERACTIVE limits (about 64 MiB and a tenth of a second per hash). Thread-safe.
[[nodiscard]] Result<std::string> HashPassword(std::string_view password);

/// True when `password` matches a hash from HashPassword; false for a wrong password or a malformed hash.
[[nodiscard]] bool VerifyPassword(std::string_view hash, std::string_view password);

/// True when a stored hash uses weaker limits than HashPassword does now (rehash at the next login).
[[nodiscard]] bool PasswordNeedsRehash(std::string_view hash);

/// A new secret token: 32 random bytes, URL-safe base64 without padding (43 characters).
[[nodiscard]] std::string NewToken();

/// What the store keeps instead of a session or API token: BLAKE2b-256 of it, in hex (64 characters).
[[nodiscard]] std::string TokenHash(std::string_view token);

/// Compares in time independent of where the inputs differ; false when lengths differ.
[[nodiscard]] bool ConstantTimeEquals(std::string_view a, std::string_view b);

/// Encrypts short secrets (target passwords) at rest with XChaCha20-Poly1305 under a key kept in a
/// file only the owner can read. Output is "v1:" + base64(nonce || ciphertext || tag). Thread-safe.
class SecretBox {
public:
    static constexpr std::size_t kKeyBytes = 32;

    /// Loads the key file, or creates it (mode 0600, atomically) when it does not exist. Refuses a key
    /// file that is readable or writable by group or others, owned by another user, or malformed.
    [[nodiscard]] static Result<SecretBox> LoadOrCreate(const std::filesystem::path& key_file);

    SecretBox(const SecretBox&) = delete;
    SecretBox& operator=(const SecretBox&) = delete;
    SecretBox(SecretBox&& other) noexcept;
    SecretBox& operator=(SecretBox&& other) noexcept;
    ~SecretBox();

    /// Encrypts with a fresh random nonce. `context` (e.g. "target:7:password") is authenticated but
    /// not stored: Decrypt must be given the same, so a ciphertext cannot be moved to another field.
    [[nodiscard]] std::string Encrypt(std::string_view plaintext, std::string_view context = {}) const;

    /// Decrypts what Encrypt made; an error when the text was altered, the context differs, or the key
    /// is not the one it was encrypted with.
    [[nodiscard]] Result<std::string> Decrypt(std::string_view ciphertext, std::string_view context = {}) const;

private:
    SecretBox() = default;
    std::array<unsigned char, kKeyBytes> key_{};
};

/// True for methods that change state: everything except GET, HEAD and OPTIONS.
[[nodiscard]] bool IsMutatingMethod(std::string_view method);

/// The double-submit CSRF rule: a mutating request authenticated by cookie must carry the
/// optischema_csrf cookie and an equal, non-empty X-CSRF-Token header. Reads, bearer-token requests,
/// local (auth disabled) requests and unauthenticated requests pass (the latter are refused as 401 elsewhere).
[[nodiscard]] bool CsrfSatisfied(const HttpRequest& request);

/// Attributes of a Set-Cookie header.
struct CookieAttributes {
    bool http_only = true;                        // false only for the CSRF cookie, which the dashboard must read
    bool secure = false;                          // set when the server is reached over HTTPS (behind a TLS proxy)
    std::optional<std::chrono::seconds> max_age;  // none: a session cookie; zero: delete it
    std::string same_site = "Strict";
    std::string path = "/";
};

/// "name=value; Path=/; Max-Age=...; HttpOnly; Secure; SameSite=Strict". Refuses names that are not
/// RFC 6265 tokens and values with characters outside cookie-octet (tokens from NewToken are fine).
[[nodiscard]] Result<std::string> BuildSetCookie(std::string_view name,
                                                 std::string_view value,
                                                 const CookieAttributes& attributes = {});

/// Limits failed logins three ways. Per (username, address) and per address, in a sliding window: after
/// max_failures (or max_failures_per_address) failures within the window, further attempts are refused
/// until the oldest failure leaves it. Per account, whatever the address (a botnet guessing one
/// password): from the account_backoff_after-th failure on, each attempt waits account_backoff_base,
/// doubled with each further failure up to account_backoff_max, after the last failure. Addresses count
/// by AddressGroup: an IPv6 client's whole /64 is one address. Usernames compare case-insensitively.
/// Thread-safe; time comes from the Clock, so tests use a fake.
class LoginRateLimiter {
public:
    struct Options {
        int max_failures = 5;               // per user name and address
        int max_failures_per_address = 50;  // whatever the user names, so a spray of names is limited too
        std::chrono::seconds window{300};
        int account_backoff_after = 5;                     // failures of one account before it backs off
        std::chrono::seconds account_backoff_base{1};      // the first wait; doubled per further failure
        std::chrono::seconds account_backoff_max{300};     // the longest wait (a bound on locking a user out)
        std::chrono::seconds account_forget_after{3600};   // an account's failures end this long after the last
        std::size_t max_tracked_keys = 100000;  // memory bound per table; the stalest keys are forgotten first
    };

    explicit LoginRateLimiter(const Clock& clock) : LoginRateLimiter(clock, Options{}) {}
    LoginRateLimiter(const Clock& clock, Options options);

    /// Nullopt when an attempt may proceed, else how long until it may (for Retry-After; at least 1 s).
    [[nodiscard]] std::optional<std::chrono::seconds> RetryAfter(std::string_view username,
                                                                 std::string_view remote_address);
    void RecordFailure(std::string_view username, std::string_view remote_address);
    /// Forgets the failures of this user name from this address and the account's backoff (not the
    /// address's own count).
    void RecordSuccess(std::string_view username, std::string_view remote_address);

private:
    struct Entry {
        std::vector<TimePoint> failures;  // ascending, only those within the window
        TimePoint last_seen;
    };
    struct AccountEntry {
        int failures = 0;
        TimePoint last_failure;
    };
    using Table = std::map<std::string, Entry>;
    static std::string Account(std::string_view username);
    static std::string Key(std::string_view username, std::string_view remote_address);
    void Prune(Entry& entry, TimePoint now) const;
    std::optional<std::chrono::seconds> Wait(Table& table, const std::string& key, int limit, TimePoint now) const;
    std::optional<std::chrono::seconds> AccountWait(const std::string& account, TimePoint now);
    void Add(Table& table, std::string key, TimePoint now) const;
    void AddAccountFailure(std::string account, TimePoint now);

    const Clock& clock_;
    Options options_;
    std::mutex mutex_;
    Table by_user_;                                  // lower-cased user name (its first 64 bytes) and address group
    Table by_address_;                               // address group alone
    std::map<std::string, AccountEntry> accounts_;  // lower-cased user name, any address
};

/// A 429 response with Retry-After, for a login the limiter refused.
[[nodiscard]] HttpResponse TooManyAttempts(std::chrono::seconds retry_after);

}  // namespace optischema::api
