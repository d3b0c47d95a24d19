// AccountStore on PostgreSQL: users, login sessions and API tokens.
#include <fmt/format.h>

#include "store/internal/columns.hpp"
#include "store/internal/errors.hpp"
#include "store/internal/pg_util.hpp"
#include "store/internal/read_records.hpp"
#include "store/internal/unix_ms.hpp"
#include "store/pg_store.hpp"

namespace optischema::store {

using detail::Params;
using detail::PgRow;

Result<UserRecord> PgStore::CreateUser(const UserRecord& user) {
    auto rows = Fetch("create user", Mode::kTransaction,
                      fmt::format("INSERT INTO optischema.users (username, password_hash, role, created_at_ms) "
                                  "VALUES ($1, $2, $3, $4) RETURNING {}",
                                  detail::kUserColumns),
                      Params(user.username, user.password_hash, user.role, detail::NowMs()));
    if (!rows) {
        if (rows.error().sqlstate == detail::kUniqueViolation) return detail::UserNameTaken(user.username);
        return tl::unexpected(rows.error());
    }
    return detail::ReadUser(PgRow((*rows)[0]));
}

Result<void> PgStore::UpdateUser(const UserRecord& user) {
    auto rows = Fetch("update user", Mode::kIdempotent,
                      "UPDATE optischema.users SET password_hash = $2, role = $3 WHERE id = $1 RETURNING id",
                      Params(user.id, user.password_hash, user.role));
    if (!rows) return tl::unexpected(rows.error());
    if (rows->empty()) return detail::NoUser(user.id);
    return {};
}

Result<void> PgStore::DeleteUser(std::int64_t id) {
    auto rows =
        Fetch("delete user", Mode::kTransaction, "DELETE FROM optischema.users WHERE id = $1 RETURNING id", Params(id));
    if (!rows) return tl::unexpected(rows.error());
    if (rows->empty()) return detail::NoUser(id);
    return {};
}

Result<std::vector<UserRecord>> PgStore::ListUsers() {
    // Case-insensitive order, as SqliteStore's NOCASE column gives.
    return detail::ReadAll(
        Fetch("list users", Mode::kIdempotent,
              fmt::format("SELECT {} FROM optischema.users ORDER BY lower(username) COLLATE \"C\", id",
                          detail::kUserColumns),
              {}),
        detail::ReadUser<PgRow>);
}

Result<std::optional<UserRecord>> PgStore::FindUser(const std::string& username) {
    return detail::ReadFirst(
        Fetch("find user", Mode::kIdempotent,
              fmt::format("SELECT {} FROM optischema.users WHERE lower(username) = lower($1)", detail::kUserColumns),
              Params(username)),
        detail::ReadUser<PgRow>);
}

Result<void> PgStore::SaveSession(const SessionRecord& s) {
    return Exec("save session", Mode::kTransaction,
                "INSERT INTO optischema.sessions (token_hash, user_id, kind, label, created_at_ms, expires_at_ms) "
                "VALUES ($1, $2, $3, $4, $5, $6)",
                Params(s.token_hash, s.user_id, s.kind, s.label, ToUnixMs(s.created_at), detail::OptMs(s.expires_at)));
}

Result<std::optional<std::pair<SessionRecord, UserRecord>>> PgStore::FindSession(const std::string& token_hash,
                                                                                 TimePoint now) {
    return detail::ReadFirst(
        Fetch("find session", Mode::kIdempotent,
              fmt::format("SELECT {}, {} FROM optischema.sessions s JOIN optischema.users u ON u.id = "
                          "s.user_id WHERE s.token_hash = $1 AND (s.expires_at_ms IS NULL OR s.expires_at_ms "
                          "> $2)",
                          detail::Qualified(detail::kSessionColumns, "s."),
                          detail::Qualified(detail::kUserColumns, "u.")),
              Params(token_hash, ToUnixMs(now))),
        detail::ReadSessionAndUser<PgRow>);
}

Result<void> PgStore::DeleteSession(const std::string& token_hash) {
    return Exec("delete session", Mode::kIdempotent, "DELETE FROM optischema.sessions WHERE token_hash = $1",
                Params(token_hash));
}

Result<void> PgStore::DeleteBrowserSessions(std::int64_t user_id, const std::string& except) {
    return Exec("delete sessions", Mode::kIdempotent,
                "DELETE FROM optischema.sessions WHERE user_id = $1 AND kind = 'session' AND token_hash <> $2",
                Params(user_id, except));
}

Result<std::vector<SessionRecord>> PgStore::ListApiTokens(std::int64_t user_id) {
    return detail::ReadAll(Fetch("list API tokens", Mode::kIdempotent,
                                 fmt::format("SELECT {} FROM optischema.sessions WHERE user_id = $1 AND kind = 'api' "
                                             "ORDER BY created_at_ms, token_hash COLLATE \"C\"",
                                             detail::kSessionColumns),
                                 Params(user_id)),
                           detail::ReadSession<PgRow>);
}

}  // namespace optischema::store
