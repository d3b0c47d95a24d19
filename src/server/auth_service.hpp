#pragma once

#include <mutex>
#include <optional>
#include <semaphore>
#include <string>
#include <vector>

#include "api/auth.hpp"
#include "api/http_message.hpp"
#include "api/principal.hpp"
#include "common/clock.hpp"
#include "store/store_pool.hpp"

namespace optischema::server {

/// The cookie that carries the session token (HttpOnly).
inline constexpr std::string_view kSessionCookie = "optischema_session";

/// Users, logins, sessions and API tokens. Thread-safe.
class AuthService {
public:
    struct Options {
        std::chrono::hours session_lifetime{12};
        bool secure_cookies = false;
        bool enabled = true;                         // false: every request is a local admin (single-user setups)
        std::chrono::hours token_lifetime{24 * 90};  // an API token's expiry when its creator gives none
        // How long a revoked or expired API token stays listed (so its owner sees why it stopped working)
        // before DeleteEndedCredentials deletes it.
        std::chrono::hours ended_token_retention{24 * 30};
    };

    /// What POST /tokens asks for.
    struct ApiTokenRequest {
        std::string name;
        std::string role;                     // empty: viewer
        std::optional<TimePoint> expires_at;  // nullopt: token_lifetime from now (unless never_expires)
        bool never_expires = false;           // an admin's explicit choice only
    };
    /// A new token: its record and the token itself, to show once.
    struct CreatedApiToken {
        store::ApiTokenRecord record;
        std::string token;
    };

    AuthService(store::StorePool& store, const Clock& clock, Options options);

    /// Creates the user `admin` when there are no users: with `password` when given, else a generated
    /// one that is returned (to print once). Nullopt when users already exist.
    [[nodiscard]] Result<std::optional<std::string>> Bootstrap(const std::string& password);

    /// Who sent a request: a session cookie or a Bearer API token. Nullopt when neither is valid; an
    /// error when the store cannot say.
    [[nodiscard]] Result<std::optional<api::Principal>> Authenticate(const api::HttpRequest& request);

    /// POST /auth/login: checks the password (rate-limited per user and address, two checks at a time)
    /// and answers with the session and CSRF cookies set.
    [[nodiscard]] api::HttpResponse Login(const api::HttpRequest& request);
    /// POST /auth/logout: forgets the session and clears the cookies.
    [[nodiscard]] api::HttpResponse Logout(const api::HttpRequest& request);

    [[nodiscard]] Result<store::UserRecord> CreateUser(const std::string& username,
                                                       const std::string& password,
                                                       const std::string& role);
    /// Removes a user and their sessions; refuses to remove the only admin.
    [[nodiscard]] Result<void> DeleteUser(std::int64_t id);
    /// Changes a user's role and/or password (empty: unchanged); refuses to demote the only admin. A new
    /// password ends the user's other browser sessions (all but the one of `by`, the request making it).
    [[nodiscard]] Result<store::UserRecord> UpdateUser(std::int64_t id,
                                                       const std::string& role,
                                                       const std::string& password,
                                                       const api::HttpRequest& by);
    /// A new API token of `creator` (from a login session, not another token) with at most the creator's
    /// role; only its hash is kept. kForbidden for a role above the creator's or "never" from a non-admin.
    [[nodiscard]] Result<CreatedApiToken> CreateApiToken(const api::Principal& creator, const ApiTokenRequest& request);
    /// The API tokens `who` may see: their own, or everyone's for an admin; newest first.
    [[nodiscard]] Result<std::vector<store::ApiTokenRecord>> ListApiTokens(const api::Principal& who);
    /// Revokes a token of `who`'s own (an admin: anyone's) and returns it as it was; kNotFound for another
    /// user's token, as for an unknown id.
    [[nodiscard]] Result<store::ApiTokenRecord> RevokeApiToken(const api::Principal& who, const std::string& id);
    /// Deletes expired sessions and the API tokens ended more than ended_token_retention ago.
    [[nodiscard]] Result<store::CredentialPurge> DeleteEndedCredentials();

    [[nodiscard]] bool enabled() const { return options_.enabled; }

private:
    [[nodiscard]] Result<std::optional<api::Principal>> AuthenticateApiToken(const std::string& token);
    /// The stored user behind a principal; kForbidden when there is none (authentication is off).
    [[nodiscard]] Result<store::UserRecord> UserOf(const api::Principal& who);

    store::StorePool& store_;
    const Clock& clock_;
    Options options_;
    api::LoginRateLimiter limiter_;
    // Password hashes (Argon2id, ~64 MiB and tens of milliseconds each) computed at once; more logins at
    // that moment are 503 with Retry-After, so they never take all the request workers.
    std::counting_semaphore<16> password_checks_{2};
    std::mutex users_mutex_;  // one user change at a time: "the only admin" stays true while it is checked
};

}  // namespace optischema::server
