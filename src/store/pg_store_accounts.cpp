// Users, sessions and API tokens, connection latency samples and settings: what the server keeps besides
// history.
#include <fmt/format.h>

#include "store/internal/pg_util.hpp"
#include "store/pg_store.hpp"

namespace optischema::store {
namespace {

using detail::AsInt;
using detail::AsOptInt;
using detail::AsOptReal;
using detail::AsText;
using detail::Params;
using detail::Row;

constexpr const char* kUserColumns = "id, username, password_hash, role, created_at_ms";

UserRecord ReadUser(const Row& r, std::size_t first = 0) {
    return UserRecord{AsInt(r, first), AsText(r, first + 1), AsText(r, first + 2), AsText(r, first + 3),
                      FromUnixMs(AsInt(r, first + 4))};
}

constexpr const char* kSessionColumns = "token_hash, user_id, kind, label, created_at_ms, expires_at_ms";

SessionRecord ReadSession(const Row& r) {
    SessionRecord s{AsText(r, 0), AsInt(r, 1), AsText(r, 2), AsText(r, 3), FromUnixMs(AsInt(r, 4)), std::nullopt};
    if (auto at = AsOptInt(r, 5)) s.expires_at = FromUnixMs(*at);
    return s;
}

std::int64_t NowMs() { return ToUnixMs(std::chrono::system_clock::now()); }

}  // namespace

Result<UserRecord> PgStore::CreateUser(const UserRecord& user) {
    UserRecord out;
    auto ok = Run("create user", Mode::kTransaction, [&]() -> Result<void> {
        auto rows = Query(fmt::format("INSERT INTO optischema.users (username, password_hash, role, created_at_ms) "
                                      "VALUES ($1, $2, $3, $4) RETURNING {}",
                                      kUserColumns),
                          Params(user.username, user.password_hash, user.role, NowMs()));
        if (!rows) {
            if (rows.error().sqlstate == "23505") {
                return MakeError(ErrorCode::kInvalidArgument,
                                 fmt::format("a user named {} already exists", user.username));
            }
            return tl::unexpected(rows.error());
        }
        out = ReadUser((*rows)[0]);
        return {};
    });
    if (!ok) return tl::unexpected(ok.error());
    return out;
}

Result<void> PgStore::UpdateUser(const UserRecord& user) {
    return Run("update user", Mode::kIdempotent, [&]() -> Result<void> {
        auto rows = Query("UPDATE optischema.users SET password_hash = $2, role = $3 WHERE id = $1 RETURNING id",
                          Params(user.id, user.password_hash, user.role));
        if (!rows) return tl::unexpected(rows.error());
        if (rows->empty()) return MakeError(ErrorCode::kNotFound, fmt::format("no user {}", user.id));
        return {};
    });
}

Result<void> PgStore::DeleteUser(std::int64_t id) {
    return Run("delete user", Mode::kTransaction, [&]() -> Result<void> {
        auto rows = Query("DELETE FROM optischema.users WHERE id = $1 RETURNING id", Params(id));
        if (!rows) return tl::unexpected(rows.error());
        if (rows->empty()) return MakeError(ErrorCode::kNotFound, fmt::format("no user {}", id));
        return {};
    });
}

Result<std::vector<UserRecord>> PgStore::ListUsers() {
    std::vector<UserRecord> out;
    auto ok = Run("list users", Mode::kIdempotent, [&]() -> Result<void> {
        // Case-insensitive order, as SqliteStore's NOCASE column gives.
        auto rows = Query(
            fmt::format("SELECT {} FROM optischema.users ORDER BY lower(username) COLLATE \"C\", id", kUserColumns),
            {});
        if (!rows) return tl::unexpected(rows.error());
        out.clear();
        for (const auto& r : *rows) out.push_back(ReadUser(r));
        return {};
    });
    if (!ok) return tl::unexpected(ok.error());
    return out;
}

Result<std::optional<UserRecord>> PgStore::FindUser(const std::string& username) {
    std::optional<UserRecord> out;
    auto ok = Run("find user", Mode::kIdempotent, [&]() -> Result<void> {
        auto rows =
            Query(fmt::format("SELECT {} FROM optischema.users WHERE lower(username) = lower($1)", kUserColumns),
                  Params(username));
        if (!rows) return tl::unexpected(rows.error());
        out.reset();
        if (!rows->empty()) out = ReadUser((*rows)[0]);
        return {};
    });
    if (!ok) return tl::unexpected(ok.error());
    return out;
}

Result<void> PgStore::SaveSession(const SessionRecord& s) {
    return Run("save session", Mode::kTransaction, [&]() -> Result<void> {
        std::optional<std::int64_t> expires;
        if (s.expires_at) expires = ToUnixMs(*s.expires_at);
        auto rows = Query(
            "INSERT INTO optischema.sessions (token_hash, user_id, kind, label, created_at_ms, expires_at_ms) "
            "VALUES ($1, $2, $3, $4, $5, $6)",
            Params(s.token_hash, s.user_id, s.kind, s.label, ToUnixMs(s.created_at), expires));
        if (!rows) return tl::unexpected(rows.error());
        return {};
    });
}

Result<std::optional<std::pair<SessionRecord, UserRecord>>> PgStore::FindSession(const std::string& token_hash,
                                                                                 TimePoint now) {
    std::optional<std::pair<SessionRecord, UserRecord>> out;
    auto ok = Run("find session", Mode::kIdempotent, [&]() -> Result<void> {
        auto rows = Query(
            "SELECT s.token_hash, s.user_id, s.kind, s.label, s.created_at_ms, s.expires_at_ms, "
            "u.id, u.username, u.password_hash, u.role, u.created_at_ms "
            "FROM optischema.sessions s JOIN optischema.users u ON u.id = s.user_id "
            "WHERE s.token_hash = $1 AND (s.expires_at_ms IS NULL OR s.expires_at_ms > $2)",
            Params(token_hash, ToUnixMs(now)));
        if (!rows) return tl::unexpected(rows.error());
        out.reset();
        if (!rows->empty()) out = std::make_pair(ReadSession((*rows)[0]), ReadUser((*rows)[0], 6));
        return {};
    });
    if (!ok) return tl::unexpected(ok.error());
    return out;
}

Result<void> PgStore::DeleteSession(const std::string& token_hash) {
    return Run("delete session", Mode::kIdempotent, [&]() -> Result<void> {
        auto rows = Query("DELETE FROM optischema.sessions WHERE token_hash = $1", Params(token_hash));
        if (!rows) return tl::unexpected(rows.error());
        return {};
    });
}

Result<void> PgStore::DeleteBrowserSessions(std::int64_t user_id, const std::string& except) {
    return Run("delete sessions", Mode::kIdempotent, [&]() -> Result<void> {
        auto rows =
            Query("DELETE FROM optischema.sessions WHERE user_id = $1 AND kind = 'session' AND token_hash <> $2",
                  Params(user_id, except));
        if (!rows) return tl::unexpected(rows.error());
        return {};
    });
}

Result<std::vector<SessionRecord>> PgStore::ListApiTokens(std::int64_t user_id) {
    std::vector<SessionRecord> out;
    auto ok = Run("list API tokens", Mode::kIdempotent, [&]() -> Result<void> {
        auto rows = Query(fmt::format("SELECT {} FROM optischema.sessions WHERE user_id = $1 AND kind = 'api' "
                                      "ORDER BY created_at_ms, token_hash COLLATE \"C\"",
                                      kSessionColumns),
                          Params(user_id));
        if (!rows) return tl::unexpected(rows.error());
        out.clear();
        for (const auto& r : *rows) out.push_back(ReadSession(r));
        return {};
    });
    if (!ok) return tl::unexpected(ok.error());
    return out;
}

Result<void> PgStore::AppendLatency(const LatencySample& sample) {
    return Run("save latency sample", Mode::kIdempotent, [&]() -> Result<void> {
        auto rows = Query(
            "INSERT INTO optischema.latency_samples (target_id, at_ms, connect_ms, p50_ms, p95_ms, error) "
            "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (target_id, at_ms) DO UPDATE SET "
            "connect_ms = excluded.connect_ms, p50_ms = excluded.p50_ms, p95_ms = excluded.p95_ms, "
            "error = excluded.error",
            Params(sample.target_id, ToUnixMs(sample.at), sample.connect_ms, sample.p50_ms, sample.p95_ms,
                   sample.error));
        if (!rows) return tl::unexpected(rows.error());
        return {};
    });
}

Result<std::vector<LatencySample>> PgStore::ListLatency(std::int64_t target_id, TimePoint from, TimePoint to) {
    std::vector<LatencySample> out;
    auto ok = Run("list latency samples", Mode::kIdempotent, [&]() -> Result<void> {
        auto rows = Query(
            "SELECT target_id, at_ms, connect_ms, p50_ms, p95_ms, error FROM optischema.latency_samples "
            "WHERE target_id = $1 AND at_ms BETWEEN $2 AND $3 ORDER BY at_ms",
            Params(target_id, ToUnixMs(from), ToUnixMs(to)));
        if (!rows) return tl::unexpected(rows.error());
        out.clear();
        for (const auto& r : *rows) {
            out.push_back(LatencySample{AsInt(r, 0), FromUnixMs(AsInt(r, 1)), AsOptReal(r, 2), AsOptReal(r, 3),
                                        AsOptReal(r, 4), AsText(r, 5)});
        }
        return {};
    });
    if (!ok) return tl::unexpected(ok.error());
    return out;
}

Result<std::optional<std::string>> PgStore::GetSetting(const std::string& key) {
    std::optional<std::string> out;
    auto ok = Run("read setting", Mode::kIdempotent, [&]() -> Result<void> {
        auto rows = Query("SELECT value FROM optischema.settings WHERE key = $1", Params(key));
        if (!rows) return tl::unexpected(rows.error());
        out.reset();
        if (!rows->empty()) out = AsText((*rows)[0], 0);
        return {};
    });
    if (!ok) return tl::unexpected(ok.error());
    return out;
}

Result<void> PgStore::PutSetting(const std::string& key, const std::string& value) {
    return Run("save setting", Mode::kIdempotent, [&]() -> Result<void> {
        auto rows = Query(
            "INSERT INTO optischema.settings (key, value, updated_at_ms) VALUES ($1, $2, $3) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at_ms = excluded.updated_at_ms",
            Params(key, value, NowMs()));
        if (!rows) return tl::unexpected(rows.error());
        return {};
    });
}

Result<void> PgStore::DeleteSetting(const std::string& key) {
    return Run("delete setting", Mode::kIdempotent, [&]() -> Result<void> {
        auto rows = Query("DELETE FROM optischema.settings WHERE key = $1", Params(key));
        if (!rows) return tl::unexpected(rows.error());
        return {};
    });
}

}  // namespace optischema::store
