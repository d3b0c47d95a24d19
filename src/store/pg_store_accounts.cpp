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

Result<void> PgStore::CreateApiToken(const ApiTokenRecord& t) {
    auto ok = Exec("create API token", Mode::kTransaction,
                   "INSERT INTO optischema.api_tokens (id, name, user_id, role, secret_hash, created_at_ms, "
                   "expires_at_ms, last_used_at_ms, revoked_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                   Params(t.id, t.name, t.user_id, t.role, t.secret_hash, ToUnixMs(t.created_at),
                          detail::OptMs(t.expires_at), detail::OptMs(t.last_used_at), detail::OptMs(t.revoked_at)));
    if (!ok &&
        (ok.error().sqlstate == detail::kUniqueViolation || ok.error().sqlstate == detail::kForeignKeyViolation)) {
        return detail::ApiTokenRefused(t.id, t.user_id);
    }
    return ok;
}

Result<std::optional<std::pair<ApiTokenRecord, UserRecord>>> PgStore::FindApiToken(const std::string& id) {
    return detail::ReadFirst(
        Fetch("find API token", Mode::kIdempotent,
              fmt::format("SELECT {}, {} FROM optischema.api_tokens t JOIN optischema.users u ON u.id = t.user_id "
                          "WHERE t.id = $1",
                          detail::kApiTokenColumns, detail::Qualified(detail::kUserColumns, "u.")),
              Params(id)),
        detail::ReadApiTokenAndUser<PgRow>);
}

Result<std::vector<ApiTokenRecord>> PgStore::ListApiTokens(std::optional<std::int64_t> user_id) {
    return detail::ReadAll(
        Fetch(
            "list API tokens", Mode::kIdempotent,
            fmt::format("SELECT {} FROM optischema.api_tokens t JOIN optischema.users u ON u.id = t.user_id "
                        "WHERE $1::bigint IS NULL OR t.user_id = $1 ORDER BY t.created_at_ms DESC, t.id COLLATE \"C\"",
                        detail::kApiTokenColumns),
            Params(user_id)),
        detail::ReadApiToken<PgRow>);
}

Result<void> PgStore::RevokeApiToken(const std::string& id, TimePoint at) {
    auto rows = Fetch("revoke API token", Mode::kIdempotent,
                      "UPDATE optischema.api_tokens SET revoked_at_ms = coalesce(revoked_at_ms, $2) WHERE id = $1 "
                      "RETURNING id",
                      Params(id, ToUnixMs(at)));
    if (!rows) return tl::unexpected(rows.error());
    if (rows->empty()) return detail::NoApiToken(id);
    return {};
}

Result<void> PgStore::TouchApiToken(const std::string& id, TimePoint at) {
    return Exec("note API token use", Mode::kIdempotent,
                "UPDATE optischema.api_tokens SET last_used_at_ms = $2 WHERE id = $1", Params(id, ToUnixMs(at)));
}

Result<CredentialPurge> PgStore::DeleteEndedCredentials(TimePoint now, TimePoint tokens_ended_before) {
    auto rows = Fetch("delete ended credentials", Mode::kTransaction,
                      "WITH s AS (DELETE FROM optischema.sessions WHERE expires_at_ms <= $1 RETURNING 1), "
                      "t AS (DELETE FROM optischema.api_tokens WHERE revoked_at_ms < $2 OR expires_at_ms < $2 "
                      "RETURNING 1) SELECT (SELECT count(*) FROM s), (SELECT count(*) FROM t)",
                      Params(ToUnixMs(now), ToUnixMs(tokens_ended_before)));
    if (!rows) return tl::unexpected(rows.error());
    return CredentialPurge{detail::AsInt((*rows)[0], 0), detail::AsInt((*rows)[0], 1)};
}

}  // namespace optischema::store
