// AuditLog on SQLite: append-only, enforced by triggers (migration 2).
#include <fmt/format.h>

#include "store/internal/columns.hpp"
#include "store/internal/read_records.hpp"
#include "store/internal/sqlite_util.hpp"
#include "store/sqlite_store.hpp"

namespace optischema::store {

using detail::SqliteRow;

Result<std::int64_t> SqliteStore::AppendAudit(const model::AuditEvent& e) {
    auto id = detail::SelectOne(
        db(),
        "INSERT INTO audit_events (at_ms, actor, target, action, sql, outcome, error, duration_ms, "
        "detail_json, related_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) RETURNING id",
        "append audit event", [](const SqliteRow& r) { return r.Int(0); }, ToUnixMs(e.at), e.actor, e.target, e.action,
        e.sql, e.outcome, e.error, e.duration_ms, e.detail_json, e.related_id);
    if (!id) return tl::unexpected(id.error());
    if (!*id) return tl::unexpected(detail::StorageError(db(), "append audit event"));
    return **id;
}

Result<std::vector<model::AuditEvent>> SqliteStore::ListAudit(std::size_t limit) {
    // LIMIT -1: all of them.
    return detail::SelectAll(
        db(), fmt::format("SELECT {} FROM audit_events ORDER BY id DESC LIMIT ?1", detail::kAuditColumns),
        "list audit events", detail::ReadAudit<SqliteRow>,
        limit == 0 ? std::int64_t{-1} : static_cast<std::int64_t>(limit));
}

Result<std::optional<model::AuditEvent>> SqliteStore::GetAudit(std::int64_t id) {
    return detail::SelectOne(db(), fmt::format("SELECT {} FROM audit_events WHERE id = ?1", detail::kAuditColumns),
                             "read audit event", detail::ReadAudit<SqliteRow>, id);
}

}  // namespace optischema::store
