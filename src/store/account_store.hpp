#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.hpp"
#include "common/error.hpp"

namespace optischema::store {

/// A dashboard user.
struct UserRecord {
    std::int64_t id = 0;
    std::string username;
    std::string password_hash;  // Argon2id, PHC string
    std::string role;           // "viewer", "operator" or "admin"
    TimePoint created_at;
};

/// A browser login session, kept only as a hash of its secret.
struct SessionRecord {
    std::string token_hash;
    std::int64_t user_id = 0;
    std::string kind;   // "session" (API tokens have their own table: ApiTokenRecord)
    std::string label;  // empty for sessions
    TimePoint created_at;
    std::optional<TimePoint> expires_at;  // none: until deleted
};

/// An API token: looked up by its public id, its secret kept only as a hash. It acts with `role`, or its
/// owner's role when that is lower now.
struct ApiTokenRecord {
    std::string id;    // the public part of the token, unique
    std::string name;  // what the owner calls it ("ci", "grafana")
    std::int64_t user_id = 0;
    std::string owner;        // the owner's user name; filled by reads, ignored by CreateApiToken
    std::string role;         // "viewer", "operator" or "admin"
    std::string secret_hash;  // BLAKE2b-256 of the whole token, hex
    TimePoint created_at;
    std::optional<TimePoint> expires_at;  // none: never (an admin's explicit choice)
    std::optional<TimePoint> last_used_at;
    std::optional<TimePoint> revoked_at;
};

/// How many credentials DeleteEndedCredentials removed.
struct CredentialPurge {
    std::int64_t sessions = 0;
    std::int64_t api_tokens = 0;
};

/// The dashboard's users, their login sessions and API tokens. Implementations are thread-compatible:
/// one thread at a time per instance.
class AccountStore {
public:
    virtual ~AccountStore() = default;

    /// Creates a user (id and created_at are assigned) and returns it as stored; kInvalidArgument when
    /// the name is taken, case-insensitively.
    [[nodiscard]] virtual Result<UserRecord> CreateUser(const UserRecord& user) = 0;
    /// Updates password hash and role; kNotFound when the id is unknown.
    [[nodiscard]] virtual Result<void> UpdateUser(const UserRecord& user) = 0;
    /// Deletes a user with their sessions and tokens; kNotFound when the id is unknown.
    [[nodiscard]] virtual Result<void> DeleteUser(std::int64_t id) = 0;
    /// Every user, by name ignoring case.
    [[nodiscard]] virtual Result<std::vector<UserRecord>> ListUsers() = 0;
    /// By name, case-insensitively.
    [[nodiscard]] virtual Result<std::optional<UserRecord>> FindUser(const std::string& username) = 0;

    /// Stores a new browser session of an existing user.
    [[nodiscard]] virtual Result<void> SaveSession(const SessionRecord& session) = 0;
    /// The session and its user, when the hash is known and not expired at `now`.
    [[nodiscard]] virtual Result<std::optional<std::pair<SessionRecord, UserRecord>>> FindSession(
        const std::string& token_hash, TimePoint now) = 0;
    /// Ends one session; an unknown hash is not an error.
    [[nodiscard]] virtual Result<void> DeleteSession(const std::string& token_hash) = 0;
    /// Ends a user's browser sessions but the one hashed `except` (may be empty); API tokens stay.
    [[nodiscard]] virtual Result<void> DeleteBrowserSessions(std::int64_t user_id, const std::string& except) = 0;

    /// Stores a new API token of an existing user (kInvalidArgument when the id is taken or the user unknown).
    [[nodiscard]] virtual Result<void> CreateApiToken(const ApiTokenRecord& token) = 0;
    /// The token with this id and its owner, whether live, expired or revoked.
    [[nodiscard]] virtual Result<std::optional<std::pair<ApiTokenRecord, UserRecord>>> FindApiToken(
        const std::string& id) = 0;
    /// The API tokens of one user, or of everyone when `user_id` is nullopt; newest first.
    [[nodiscard]] virtual Result<std::vector<ApiTokenRecord>> ListApiTokens(std::optional<std::int64_t> user_id) = 0;
    /// Marks a token revoked at `at` (a token revoked before keeps its first time); kNotFound when unknown.
    [[nodiscard]] virtual Result<void> RevokeApiToken(const std::string& id, TimePoint at) = 0;
    /// Sets a token's last_used_at; an unknown id is not an error.
    [[nodiscard]] virtual Result<void> TouchApiToken(const std::string& id, TimePoint at) = 0;
    /// Deletes the sessions expired at `now`, and the API tokens that expired or were revoked before
    /// `tokens_ended_before` (kept until then so their owners see why they stopped working).
    [[nodiscard]] virtual Result<CredentialPurge> DeleteEndedCredentials(TimePoint now,
                                                                         TimePoint tokens_ended_before) = 0;
};

}  // namespace optischema::store
