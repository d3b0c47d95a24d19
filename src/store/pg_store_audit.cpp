// AuditLog on PostgreSQL: append-only, enforced by triggers (migration 1).
#include <fmt/format.h>

#include "store/internal/columns.hpp"
#include "store/internal/pg_util.hpp"
#include "store/internal/read_records.hpp"
#include "store/pg_store.hpp"

namespace optischema::store {

using detail::Params;
using detail::PgRow;

Result<std::int64_t> PgStore::AppendAudit(const model::AuditEvent& e) {
    auto rows =
        Fetch("append audit event", Mode::kTransaction,
              "INSERT INTO optischema.audit_events (at_ms, actor, target, action, sql, outcome, error, duration_ms, "
              "detail_json, related_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
              Params(ToUnixMs(e.at), e.actor, e.target, e.action, e.sql, e.outcome, e.error, e.duration_ms,
                     e.detail_json, e.related_id));
    if (!rows) return tl::unexpected(rows.error());
    return detail::AsInt((*rows)[0], 0);
}

Result<std::vector<model::AuditEvent>> PgStore::ListAudit(std::size_t limit) {
    return detail::ReadAll(
        Fetch("list audit events", Mode::kIdempotent,
              fmt::format("SELECT {} FROM optischema.audit_events ORDER BY id DESC LIMIT $1", detail::kAuditColumns),
              {limit == 0 ? std::nullopt : detail::LimitParam(limit)}),
        detail::ReadAudit<PgRow>);
}

Result<std::optional<model::AuditEvent>> PgStore::GetAudit(std::int64_t id) {
    return detail::ReadFirst(
        Fetch("read audit event", Mode::kIdempotent,
              fmt::format("SELECT {} FROM optischema.audit_events WHERE id = $1", detail::kAuditColumns), Params(id)),
        detail::ReadAudit<PgRow>);
}

}  // namespace optischema::store
