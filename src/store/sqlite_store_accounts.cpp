// AccountStore on SQLite: users, login sessions and API tokens.
#include <fmt/format.h>

#include "store/internal/columns.hpp"
#include "store/internal/errors.hpp"
#include "store/internal/read_records.hpp"
#include "store/internal/sqlite_util.hpp"
#include "store/internal/unix_ms.hpp"
#include "store/sqlite_store.hpp"

namespace optischema::store {

using detail::SqliteRow;
using detail::Statement;
using detail::StorageError;

Result<UserRecord> SqliteStore::CreateUser(const UserRecord& user) {
    const std::string sql = fmt::format(
        "INSERT INTO users (username, password_hash, role, created_at_ms) VALUES (?1, ?2, ?3, ?4) RETURNING {}",
        detail::kUserColumns);
    Statement s(db(), sql.c_str());
    if (!s.ok()) return tl::unexpected(StorageError(db(), "prepare user insert"));
    detail::BindParams(s, user.username, user.password_hash, user.role, detail::NowMs());
    const int rc = s.Step();
    if (rc == SQLITE_CONSTRAINT) return detail::UserNameTaken(user.username);
    if (rc != SQLITE_ROW) return tl::unexpected(StorageError(db(), "create user"));
    UserRecord out = detail::ReadUser(SqliteRow(s));
    s.Step();
    return out;
}

Result<void> SqliteStore::UpdateUser(const UserRecord& user) {
    auto updated = detail::Change(db(), "UPDATE users SET password_hash = ?2, role = ?3 WHERE id = ?1", "update user",
                                  user.id, user.password_hash, user.role);
    if (!updated) return tl::unexpected(updated.error());
    if (*updated == 0) return detail::NoUser(user.id);
    return {};
}

Result<void> SqliteStore::DeleteUser(std::int64_t id) {
    auto deleted = detail::Change(db(), "DELETE FROM users WHERE id = ?1", "delete user", id);
    if (!deleted) return tl::unexpected(deleted.error());
    if (*deleted == 0) return detail::NoUser(id);
    return {};
}

Result<std::vector<UserRecord>> SqliteStore::ListUsers() {
    // username is COLLATE NOCASE: the order ignores case.
    return detail::SelectAll(db(), fmt::format("SELECT {} FROM users ORDER BY username", detail::kUserColumns),
                             "list users", detail::ReadUser<SqliteRow>);
}

Result<std::optional<UserRecord>> SqliteStore::FindUser(const std::string& username) {
    return detail::SelectOne(db(), fmt::format("SELECT {} FROM users WHERE username = ?1", detail::kUserColumns),
                             "find user", detail::ReadUser<SqliteRow>, username);
}

Result<void> SqliteStore::SaveSession(const SessionRecord& r) {
    return detail::Execute(db(),
                           "INSERT INTO sessions (token_hash, user_id, kind, label, created_at_ms, expires_at_ms) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                           "save session", r.token_hash, r.user_id, r.kind, r.label, ToUnixMs(r.created_at),
                           detail::OptMs(r.expires_at));
}

Result<std::optional<std::pair<SessionRecord, UserRecord>>> SqliteStore::FindSession(const std::string& token_hash,
                                                                                     TimePoint now) {
    return detail::SelectOne(
        db(),
        fmt::format("SELECT {}, {} FROM sessions s JOIN users u ON u.id = s.user_id WHERE "
                    "s.token_hash = ?1 AND (s.expires_at_ms IS NULL OR s.expires_at_ms > ?2)",
                    detail::Qualified(detail::kSessionColumns, "s."), detail::Qualified(detail::kUserColumns, "u.")),
        "find session", detail::ReadSessionAndUser<SqliteRow>, token_hash, ToUnixMs(now));
}

Result<void> SqliteStore::DeleteSession(const std::string& token_hash) {
    return detail::Execute(db(), "DELETE FROM sessions WHERE token_hash = ?1", "delete session", token_hash);
}

Result<void> SqliteStore::DeleteBrowserSessions(std::int64_t user_id, const std::string& except) {
    return detail::Execute(db(), "DELETE FROM sessions WHERE user_id = ?1 AND kind = 'session' AND token_hash <> ?2",
                           "delete sessions", user_id, except);
}

Result<void> SqliteStore::CreateApiToken(const ApiTokenRecord& t) {
    Statement s(db(),
                "INSERT INTO api_tokens (id, name, user_id, role, secret_hash, created_at_ms, expires_at_ms, "
                "last_used_at_ms, revoked_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    if (!s.ok()) return tl::unexpected(StorageError(db(), "prepare API token insert"));
    detail::BindParams(s, t.id, t.name, t.user_id, t.role, t.secret_hash, ToUnixMs(t.created_at),
                       detail::OptMs(t.expires_at), detail::OptMs(t.last_used_at), detail::OptMs(t.revoked_at));
    const int rc = s.Step();
    if (rc == SQLITE_CONSTRAINT) return detail::ApiTokenRefused(t.id, t.user_id);
    if (rc != SQLITE_DONE) return tl::unexpected(StorageError(db(), "create API token"));
    return {};
}

Result<std::optional<std::pair<ApiTokenRecord, UserRecord>>> SqliteStore::FindApiToken(const std::string& id) {
    return detail::SelectOne(db(),
                             fmt::format("SELECT {}, {} FROM api_tokens t JOIN users u ON u.id = t.user_id "
                                         "WHERE t.id = ?1",
                                         detail::kApiTokenColumns, detail::Qualified(detail::kUserColumns, "u.")),
                             "find API token", detail::ReadApiTokenAndUser<SqliteRow>, id);
}

Result<std::vector<ApiTokenRecord>> SqliteStore::ListApiTokens(std::optional<std::int64_t> user_id) {
    return detail::SelectAll(db(),
                             fmt::format("SELECT {} FROM api_tokens t JOIN users u ON u.id = t.user_id "
                                         "WHERE ?1 IS NULL OR t.user_id = ?1 ORDER BY t.created_at_ms DESC, t.id",
                                         detail::kApiTokenColumns),
                             "list API tokens", detail::ReadApiToken<SqliteRow>, user_id);
}

Result<void> SqliteStore::RevokeApiToken(const std::string& id, TimePoint at) {
    auto changed =
        detail::Change(db(), "UPDATE api_tokens SET revoked_at_ms = coalesce(revoked_at_ms, ?2) WHERE id = ?1",
                       "revoke API token", id, ToUnixMs(at));
    if (!changed) return tl::unexpected(changed.error());
    if (*changed == 0) return detail::NoApiToken(id);
    return {};
}

Result<void> SqliteStore::TouchApiToken(const std::string& id, TimePoint at) {
    return detail::Execute(db(), "UPDATE api_tokens SET last_used_at_ms = ?2 WHERE id = ?1", "note API token use", id,
                           ToUnixMs(at));
}

Result<CredentialPurge> SqliteStore::DeleteEndedCredentials(TimePoint now, TimePoint tokens_ended_before) {
    CredentialPurge out;
    auto sessions = detail::Change(db(), "DELETE FROM sessions WHERE expires_at_ms <= ?1", "delete expired sessions",
                                   ToUnixMs(now));
    if (!sessions) return tl::unexpected(sessions.error());
    out.sessions = *sessions;
    auto tokens = detail::Change(db(), "DELETE FROM api_tokens WHERE revoked_at_ms < ?1 OR expires_at_ms < ?1",
                                 "delete ended API tokens", ToUnixMs(tokens_ended_before));
    if (!tokens) return tl::unexpected(tokens.error());
    out.api_tokens = *tokens;
    return out;
}

}  // namespace optischema::store
