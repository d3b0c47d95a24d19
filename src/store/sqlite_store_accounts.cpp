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

Result<std::vector<SessionRecord>> SqliteStore::ListApiTokens(std::int64_t user_id) {
    return detail::SelectAll(db(),
                             fmt::format("SELECT {} FROM sessions WHERE user_id = ?1 AND kind = 'api' ORDER BY "
                                         "created_at_ms",
                                         detail::kSessionColumns),
                             "list API tokens", detail::ReadSession<SqliteRow>, user_id);
}

}  // namespace optischema::store
