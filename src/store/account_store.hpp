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

/// A login session or an API token, kept only as a hash of the secret.
struct SessionRecord {
    std::string token_hash;
    std::int64_t user_id = 0;
    std::string kind;   // "session" or "api"
    std::string label;  // an API token's name; empty for sessions
    TimePoint created_at;
    std::optional<TimePoint> expires_at;  // none: until revoked
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

    /// Stores a new session or API token of an existing user.
    [[nodiscard]] virtual Result<void> SaveSession(const SessionRecord& session) = 0;
    /// The session and its user, when the hash is known and not expired at `now`.
    [[nodiscard]] virtual Result<std::optional<std::pair<SessionRecord, UserRecord>>> FindSession(
        const std::string& token_hash, TimePoint now) = 0;
    /// Ends one session or token; an unknown hash is not an error.
    [[nodiscard]] virtual Result<void> DeleteSession(const std::string& token_hash) = 0;
    /// Ends a user's browser sessions (kind "session") but the one hashed `except` (may be empty); API tokens stay.
    [[nodiscard]] virtual Result<void> DeleteBrowserSessions(std::int64_t user_id, const std::string& except) = 0;
    /// A user's API tokens (kind "api"), oldest first.
    [[nodiscard]] virtual Result<std::vector<SessionRecord>> ListApiTokens(std::int64_t user_id) = 0;
};

}  // namespace optischema::store
