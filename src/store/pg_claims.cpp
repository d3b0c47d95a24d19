#include "store/pg_claims.hpp"

#include <limits>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include "pg/dsn.hpp"
#include "store/internal/pg_util.hpp"

namespace optischema::store {
namespace {

using detail::AsInt;
using detail::Params;

// Short limits: every claims statement is a single-row lookup or update.
const pg::SessionLimits kClaimsLimits{.statement_timeout = std::chrono::seconds(10),
                                      .lock_timeout = std::chrono::seconds(5),
                                      .idle_in_transaction_timeout = std::chrono::seconds(10)};

// An instance whose heartbeat is this many freshness windows old is gone: any heartbeat removes its row.
constexpr int kForgetAfterWindows = 10;

// Milliseconds on the database's clock: every instance compares heartbeats on the same clock.
constexpr std::string_view kDbNowMs = "(extract(epoch FROM clock_timestamp()) * 1000)::bigint";

}  // namespace

PgClaims::PgClaims(pg::Connection conn, std::string where, std::chrono::milliseconds heartbeat_interval)
    : conn_(std::move(conn)),
      where_(std::move(where)),
      instance_(NewInstanceInfo()),
      heartbeat_interval_(heartbeat_interval),
      started_at_ms_(ToUnixMs(std::chrono::system_clock::now())) {}

PgClaims::~PgClaims() {
    if (conn_.IsBroken()) return;
    // Peers stop counting this instance at once instead of after the freshness window.
    if (auto gone = conn_.Query("DELETE FROM optischema.instances WHERE id = $1", Params(instance_.id)); !gone) {
        spdlog::debug("claims: cannot remove instance {}: {}", instance_.name, gone.error().message);
    }
}

Result<std::unique_ptr<PgClaims>> PgClaims::Open(const std::string& dsn, std::chrono::milliseconds heartbeat_interval) {
    auto conn = pg::Connection::Open(dsn, kClaimsLimits);
    if (!conn) {
        return MakeError(ErrorCode::kStorage,
                         fmt::format("cannot open the target claims on the PostgreSQL store: {}", conn.error().message),
                         conn.error().sqlstate);
    }
    std::unique_ptr<PgClaims> claims(new PgClaims(std::move(*conn), pg::RedactDsn(dsn), heartbeat_interval));
    auto table = claims->conn_.Query(
        "SELECT EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'optischema' AND c.relname = 'instances')");
    if (!table) {
        return MakeError(ErrorCode::kStorage,
                         fmt::format("PostgreSQL store {}: cannot look for optischema.instances: {}", claims->where_,
                                     table.error().message));
    }
    if (!detail::AsBool((*table)[0], 0)) {
        return MakeError(ErrorCode::kStorage,
                         fmt::format("PostgreSQL store {} has no table optischema.instances: open the store first "
                                     "(it creates and migrates the schema optischema)",
                                     claims->where_));
    }
    if (auto ok = claims->ApplySessionSettings(); !ok) return tl::unexpected(ok.error());
    if (auto first = claims->Heartbeat(); !first) return tl::unexpected(first.error());
    return claims;
}

Result<void> PgClaims::ApplySessionSettings() {
    // Over TCP, a peer that vanished (power loss, network cut) must lose its claims in about a minute, not
    // after the kernel's default two hours of keepalive silence. No effect on a unix socket.
    // The application name marks the session as this instance's claims, for the fence in Heartbeat.
    auto ok = conn_.ExecuteAll({"SET tcp_keepalives_idle = 30", "SET tcp_keepalives_interval = 10",
                                "SET tcp_keepalives_count = 3",
                                fmt::format("SET application_name = '{}{}'", kSessionPrefix, instance_.id)});
    if (!ok) {
        return MakeError(ErrorCode::kStorage,
                         fmt::format("PostgreSQL store {}: claims session settings: {}", where_, ok.error().message));
    }
    return {};
}

void PgClaims::LoseSession() {
    // The session's advisory locks ended with it.
    lost_.insert(held_.begin(), held_.end());
    held_.clear();
}

Result<pg::Rows> PgClaims::Call(std::string_view what,
                                std::string_view sql,
                                const std::vector<std::optional<std::string>>& params) {
    for (int attempt = 0;; ++attempt) {
        auto rows = conn_.Query(sql, params);
        if (rows) return rows;
        if (!conn_.IsBroken() || attempt > 0) {
            return MakeError(ErrorCode::kStorage,
                             fmt::format("PostgreSQL store {}: claims: {}: {}", where_, what, rows.error().message),
                             rows.error().sqlstate);
        }
        spdlog::warn("claims: the session to the PostgreSQL store {} broke ({}); {} claim(s) lost, reconnecting",
                     where_, rows.error().message, held_.size());
        LoseSession();
        if (auto ok = conn_.Reconnect(); !ok) {
            return MakeError(
                ErrorCode::kStorage,
                fmt::format("the PostgreSQL store is unreachable, no target is claimed: {}", ok.error().message));
        }
        if (auto ok = ApplySessionSettings(); !ok) return tl::unexpected(ok.error());
    }
}

Result<bool> PgClaims::TryClaim(std::int64_t target_id) {
    if (target_id < std::numeric_limits<std::int32_t>::min() || target_id > std::numeric_limits<std::int32_t>::max()) {
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("target id {} does not fit an advisory lock key (32 bits)", target_id));
    }
    // Session advisory locks stack: taking a held one again would need two releases.
    if (held_.contains(target_id)) return true;
    auto rows = Call("claim target", "SELECT pg_try_advisory_lock($1, $2)", Params(kLockClass, target_id));
    if (!rows) return tl::unexpected(rows.error());
    const bool got = detail::AsBool((*rows)[0], 0);
    if (got) held_.insert(target_id);
    return got;
}

Result<void> PgClaims::Release(std::int64_t target_id) {
    if (!held_.contains(target_id)) return {};
    if (conn_.IsBroken()) {
        LoseSession();
        return {};
    }
    auto rows = conn_.Query("SELECT pg_advisory_unlock($1, $2)", Params(kLockClass, target_id));
    if (!rows) {
        // A broken session released everything already.
        if (conn_.IsBroken()) {
            LoseSession();
            lost_.erase(target_id);
            return {};
        }
        return MakeError(
            ErrorCode::kStorage,
            fmt::format("PostgreSQL store {}: claims: release target {}: {}", where_, target_id, rows.error().message),
            rows.error().sqlstate);
    }
    held_.erase(target_id);
    return {};
}

Result<std::vector<std::int64_t>> PgClaims::Heartbeat() {
    const auto forget_after_ms = kForgetAfterWindows * 3 * heartbeat_interval_.count();
    // One round trip: record the heartbeat, forget long-gone peers, and list the claim locks this session
    // really holds.
    const std::string sql = fmt::format(
        "WITH me AS (INSERT INTO optischema.instances (id, host, pid, started_at_ms, heartbeat_at_ms) "
        "VALUES ($1, $2, $3, $4, {0}) ON CONFLICT (id) DO UPDATE SET heartbeat_at_ms = excluded.heartbeat_at_ms "
        "RETURNING heartbeat_at_ms), "
        "gone AS (DELETE FROM optischema.instances WHERE id <> $1 AND heartbeat_at_ms < (SELECT heartbeat_at_ms "
        "FROM me) - $5) "
        "SELECT l.objid::bigint FROM pg_locks l, me WHERE l.locktype = 'advisory' AND l.pid = pg_backend_pid() "
        "AND l.granted AND l.objsubid = 2 AND l.classid = $6::bigint::oid",
        kDbNowMs);
    const std::string host = instance_.name.substr(0, instance_.name.rfind(':'));
    auto rows = Call(
        "heartbeat", sql,
        Params(instance_.id, host, static_cast<std::int64_t>(::getpid()), started_at_ms_, forget_after_ms, kLockClass));
    if (!rows) {
        if (conn_.IsBroken()) LoseSession();
        return tl::unexpected(rows.error());
    }
    std::set<std::int64_t> locked;
    for (const auto& r : *rows) locked.insert(AsInt(r, 0));
    for (auto it = held_.begin(); it != held_.end();) {
        if (locked.contains(*it)) {
            ++it;
        } else {
            lost_.insert(*it);
            it = held_.erase(it);
        }
    }
    std::vector<std::int64_t> lost(lost_.begin(), lost_.end());
    lost_.clear();
    if (!lost.empty()) spdlog::warn("claims: {} target claim(s) lost", lost.size());
    if (auto ok = FenceHungPeers(); !ok) spdlog::warn("{}", ok.error().message);
    return lost;
}

Result<void> PgClaims::FenceHungPeers() {
    // A peer forgotten for its silence (see "gone" above) whose claims session is still connected is hung,
    // not dead: its locks would keep its targets from everyone. End that session, which releases them. A
    // session younger than a few heartbeats may not have recorded its instance yet, and is left alone; so
    // is one this role may not signal.
    const auto settle_ms = 3 * heartbeat_interval_.count();
    auto rows = Call(
        "fence hung peers",
        fmt::format(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(a.pid)) FROM pg_stat_activity a "
            "WHERE a.application_name LIKE '{0}%' AND a.datname = current_database() AND a.pid <> pg_backend_pid() "
            "AND a.backend_start < clock_timestamp() - $1 * interval '1 millisecond' "
            "AND pg_has_role(a.usesysid, 'MEMBER') AND NOT EXISTS (SELECT 1 FROM "
            "optischema.instances i WHERE '{0}' || i.id = a.application_name)",
            kSessionPrefix),
        Params(static_cast<std::int64_t>(settle_ms)));
    if (!rows) return tl::unexpected(rows.error());
    if (const auto fenced = AsInt((*rows)[0], 0); fenced > 0) {
        spdlog::warn(
            "claims: ended the store session of {} instance(s) that stopped heartbeating but still held "
            "claims (hung); their targets are free for the others",
            fenced);
    }
    return {};
}

Result<int> PgClaims::LiveInstances() {
    const auto fresh_ms = 3 * heartbeat_interval_.count();
    auto rows = Call("count live instances",
                     fmt::format("SELECT count(*) FROM optischema.instances WHERE id <> $1 AND heartbeat_at_ms >= {} "
                                 "- $2",
                                 kDbNowMs),
                     Params(instance_.id, static_cast<std::int64_t>(fresh_ms)));
    if (!rows) return tl::unexpected(rows.error());
    return static_cast<int>(AsInt((*rows)[0], 0)) + 1;
}

}  // namespace optischema::store
