// Users, sessions and API tokens, connection latency samples and settings: what the server keeps besides
// history.
#include <fmt/format.h>

#include "store/internal/sqlite_util.hpp"
#include "store/sqlite_store.hpp"

namespace optischema::store {
namespace {

using detail::Statement;
using detail::StorageError;

constexpr const char* kUserColumns = "id, username, password_hash, role, created_at_ms";

UserRecord ReadUser(const Statement& s, int first = 0) {
    return UserRecord{s.Int(first), s.Text(first + 1), s.Text(first + 2), s.Text(first + 3),
                      FromUnixMs(s.Int(first + 4))};
}

constexpr const char* kSessionColumns = "token_hash, user_id, kind, label, created_at_ms, expires_at_ms";

SessionRecord ReadSession(const Statement& s) {
    SessionRecord r{s.Text(0), s.Int(1), s.Text(2), s.Text(3), FromUnixMs(s.Int(4)), std::nullopt};
    if (auto at = s.OptInt(5)) r.expires_at = FromUnixMs(*at);
    return r;
}

std::int64_t NowMs() { return ToUnixMs(std::chrono::system_clock::now()); }

std::optional<double> OptReal(const Statement& s, int col) {
    if (s.IsNull(col)) return std::nullopt;
    return s.Real(col);
}

void BindOptReal(Statement& s, int i, const std::optional<double>& v) {
    if (v) {
        s.Bind(i, *v);
    } else {
        s.Bind(i, std::optional<std::int64_t>());
    }
}

}  // namespace

Result<UserRecord> SqliteStore::CreateUser(const UserRecord& user) {
    const std::string sql = fmt::format(
        "INSERT INTO users (username, password_hash, role, created_at_ms) VALUES (?1, ?2, ?3, ?4) RETURNING {}",
        kUserColumns);
    Statement s(db(), sql.c_str());
    if (!s.ok()) return tl::unexpected(StorageError(db(), "prepare user insert"));
    s.Bind(1, user.username).Bind(2, user.password_hash).Bind(3, user.role).Bind(4, NowMs());
    const int rc = s.Step();
    if (rc == SQLITE_CONSTRAINT) {
        return MakeError(ErrorCode::kInvalidArgument, fmt::format("a user named {} already exists", user.username));
    }
    if (rc != SQLITE_ROW) return tl::unexpected(StorageError(db(), "create user"));
    UserRecord out = ReadUser(s);
    s.Step();
    return out;
}

Result<void> SqliteStore::UpdateUser(const UserRecord& user) {
    Statement s(db(), "UPDATE users SET password_hash = ?2, role = ?3 WHERE id = ?1");
    if (!s.ok()) return tl::unexpected(StorageError(db(), "prepare user update"));
    s.Bind(1, user.id).Bind(2, user.password_hash).Bind(3, user.role);
    if (s.Step() != SQLITE_DONE) return tl::unexpected(StorageError(db(), "update user"));
    if (sqlite3_changes(db()) == 0) return MakeError(ErrorCode::kNotFound, fmt::format("no user {}", user.id));
    return {};
}

Result<void> SqliteStore::DeleteUser(std::int64_t id) {
    Statement s(db(), "DELETE FROM users WHERE id = ?1");
    if (!s.ok()) return tl::unexpected(StorageError(db(), "prepare user delete"));
    s.Bind(1, id);
    if (s.Step() != SQLITE_DONE) return tl::unexpected(StorageError(db(), "delete user"));
    if (sqlite3_changes(db()) == 0) return MakeError(ErrorCode::kNotFound, fmt::format("no user {}", id));
    return {};
}

Result<std::vector<UserRecord>> SqliteStore::ListUsers() {
    const std::string sql = fmt::format("SELECT {} FROM users ORDER BY username", kUserColumns);
    Statement s(db(), sql.c_str());
    if (!s.ok()) return tl::unexpected(StorageError(db(), "prepare user list"));
    std::vector<UserRecord> out;
    while (s.Step() == SQLITE_ROW) out.push_back(ReadUser(s));
    return out;
}

Result<std::optional<UserRecord>> SqliteStore::FindUser(const std::string& username) {
    const std::string sql = fmt::format("SELECT {} FROM users WHERE username = ?1", kUserColumns);
    Statement s(db(), sql.c_str());
    if (!s.ok()) return tl::unexpected(StorageError(db(), "prepare user lookup"));
    s.Bind(1, username);
    if (s.Step() != SQLITE_ROW) return std::optional<UserRecord>();
    return std::optional<UserRecord>(ReadUser(s));
}

Result<void> SqliteStore::SaveSession(const SessionRecord& r) {
    Statement s(db(),
                "INSERT INTO sessions (token_hash, user_id, kind, label, created_at_ms, expires_at_ms) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    if (!s.ok()) return tl::unexpected(StorageError(db(), "prepare session insert"));
    std::optional<std::int64_t> expires;
    if (r.expires_at) expires = ToUnixMs(*r.expires_at);
    s.Bind(1, r.token_hash)
        .Bind(2, r.user_id)
        .Bind(3, r.kind)
        .Bind(4, r.label)
        .Bind(5, static_cast<std::int64_t>(ToUnixMs(r.created_at)))
        .Bind(6, expires);
    if (s.Step() != SQLITE_DONE) return tl::unexpected(StorageError(db(), "save session"));
    return {};
}

Result<std::optional<std::pair<SessionRecord, UserRecord>>> SqliteStore::FindSession(const std::string& token_hash,
                                                                                     TimePoint now) {
    const std::string sql = fmt::format(
        "SELECT s.token_hash, s.user_id, s.kind, s.label, s.created_at_ms, s.expires_at_ms, "
        "u.id, u.username, u.password_hash, u.role, u.created_at_ms FROM sessions s JOIN users u ON u.id = s.user_id "
        "WHERE s.token_hash = ?1 AND (s.expires_at_ms IS NULL OR s.expires_at_ms > ?2)");
    Statement s(db(), sql.c_str());
    if (!s.ok()) return tl::unexpected(StorageError(db(), "prepare session lookup"));
    s.Bind(1, token_hash).Bind(2, static_cast<std::int64_t>(ToUnixMs(now)));
    using Found = std::optional<std::pair<SessionRecord, UserRecord>>;
    if (s.Step() != SQLITE_ROW) return Found();
    return Found(std::make_pair(ReadSession(s), ReadUser(s, 6)));
}

Result<void> SqliteStore::DeleteSession(const std::string& token_hash) {
    Statement s(db(), "DELETE FROM sessions WHERE token_hash = ?1");
    if (!s.ok()) return tl::unexpected(StorageError(db(), "prepare session delete"));
    s.Bind(1, token_hash);
    if (s.Step() != SQLITE_DONE) return tl::unexpected(StorageError(db(), "delete session"));
    return {};
}

Result<void> SqliteStore::DeleteBrowserSessions(std::int64_t user_id, const std::string& except) {
    Statement s(db(), "DELETE FROM sessions WHERE user_id = ?1 AND kind = 'session' AND token_hash <> ?2");
    if (!s.ok()) return tl::unexpected(StorageError(db(), "prepare session delete"));
    s.Bind(1, user_id);
    s.Bind(2, except);
    if (s.Step() != SQLITE_DONE) return tl::unexpected(StorageError(db(), "delete sessions"));
    return {};
}

Result<std::vector<SessionRecord>> SqliteStore::ListApiTokens(std::int64_t user_id) {
    const std::string sql = fmt::format(
        "SELECT {} FROM sessions WHERE user_id = ?1 AND kind = 'api' ORDER BY created_at_ms", kSessionColumns);
    Statement s(db(), sql.c_str());
    if (!s.ok()) return tl::unexpected(StorageError(db(), "prepare token list"));
    s.Bind(1, user_id);
    std::vector<SessionRecord> out;
    while (s.Step() == SQLITE_ROW) out.push_back(ReadSession(s));
    return out;
}

Result<void> SqliteStore::AppendLatency(const LatencySample& sample) {
    Statement s(db(),
                "INSERT OR REPLACE INTO latency_samples (target_id, at_ms, connect_ms, p50_ms, p95_ms, error) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    if (!s.ok()) return tl::unexpected(StorageError(db(), "prepare latency insert"));
    s.Bind(1, sample.target_id).Bind(2, static_cast<std::int64_t>(ToUnixMs(sample.at)));
    BindOptReal(s, 3, sample.connect_ms);
    BindOptReal(s, 4, sample.p50_ms);
    BindOptReal(s, 5, sample.p95_ms);
    s.Bind(6, sample.error);
    if (s.Step() != SQLITE_DONE) return tl::unexpected(StorageError(db(), "save latency sample"));
    return {};
}

Result<std::vector<LatencySample>> SqliteStore::ListLatency(std::int64_t target_id, TimePoint from, TimePoint to) {
    Statement s(db(),
                "SELECT target_id, at_ms, connect_ms, p50_ms, p95_ms, error FROM latency_samples "
                "WHERE target_id = ?1 AND at_ms BETWEEN ?2 AND ?3 ORDER BY at_ms");
    if (!s.ok()) return tl::unexpected(StorageError(db(), "prepare latency list"));
    s.Bind(1, target_id)
        .Bind(2, static_cast<std::int64_t>(ToUnixMs(from)))
        .Bind(3, static_cast<std::int64_t>(ToUnixMs(to)));
    std::vector<LatencySample> out;
    while (s.Step() == SQLITE_ROW) {
        out.push_back(
            LatencySample{s.Int(0), FromUnixMs(s.Int(1)), OptReal(s, 2), OptReal(s, 3), OptReal(s, 4), s.Text(5)});
    }
    return out;
}

Result<std::optional<std::string>> SqliteStore::GetSetting(const std::string& key) {
    Statement s(db(), "SELECT value FROM settings WHERE key = ?1");
    if (!s.ok()) return tl::unexpected(StorageError(db(), "prepare setting read"));
    s.Bind(1, key);
    const int rc = s.Step();
    if (rc == SQLITE_DONE) return std::optional<std::string>();
    if (rc != SQLITE_ROW) return tl::unexpected(StorageError(db(), "read setting"));
    return std::optional<std::string>(s.Text(0));
}

Result<void> SqliteStore::PutSetting(const std::string& key, const std::string& value) {
    Statement s(db(), "INSERT OR REPLACE INTO settings (key, value, updated_at_ms) VALUES (?1, ?2, ?3)");
    if (!s.ok()) return tl::unexpected(StorageError(db(), "prepare setting write"));
    s.Bind(1, key).Bind(2, value).Bind(3, NowMs());
    if (s.Step() != SQLITE_DONE) return tl::unexpected(StorageError(db(), "save setting"));
    return {};
}

Result<void> SqliteStore::DeleteSetting(const std::string& key) {
    Statement s(db(), "DELETE FROM settings WHERE key = ?1");
    if (!s.ok()) return tl::unexpected(StorageError(db(), "prepare setting delete"));
    s.Bind(1, key);
    if (s.Step() != SQLITE_DONE) return tl::unexpected(StorageError(db(), "delete setting"));
    return {};
}

}  // namespace optischema::store
