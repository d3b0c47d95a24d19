// RecommendationStore on PostgreSQL.
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

Result<void> PgStore::SaveRecommendation(const RecommendationRecord& r) {
    return Exec("save recommendation", Mode::kIdempotent,
                "INSERT INTO optischema.recommendations AS old (id, target_id, kind, title, sql, rollback_sql, "
                "evidence_json, validation_json, created_at_ms, updated_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
                "$9, $9) ON CONFLICT (id) DO UPDATE SET target_id = excluded.target_id, kind = excluded.kind, "
                "title = excluded.title, rollback_sql = excluded.rollback_sql, evidence_json = excluded.evidence_json, "
                "validation_json = CASE WHEN old.sql = excluded.sql THEN old.validation_json "
                "ELSE excluded.validation_json END, sql = excluded.sql, updated_at_ms = excluded.updated_at_ms",
                Params(r.id, r.target_id, r.kind, r.title, r.sql, r.rollback_sql, r.evidence_json, r.validation_json,
                       detail::NowMs()));
}

Result<std::optional<RecommendationRecord>> PgStore::GetRecommendation(const std::string& id) {
    return detail::ReadFirst(
        Fetch("read recommendation", Mode::kIdempotent,
              fmt::format("SELECT {} FROM optischema.recommendations WHERE id = $1", detail::kRecommendationColumns),
              Params(id)),
        detail::ReadRecommendation<PgRow>);
}

Result<std::vector<RecommendationRecord>> PgStore::ListRecommendations(std::int64_t target_id) {
    return detail::ReadAll(Fetch("list recommendations", Mode::kIdempotent,
                                 fmt::format("SELECT {} FROM optischema.recommendations WHERE target_id = $1 "
                                             "ORDER BY updated_at_ms DESC, id COLLATE \"C\"",
                                             detail::kRecommendationColumns),
                                 Params(target_id)),
                           detail::ReadRecommendation<PgRow>);
}

Result<void> PgStore::SaveValidation(const std::string& id, const std::string& validation_json) {
    auto rows = Fetch(
        "save validation", Mode::kIdempotent,
        "UPDATE optischema.recommendations SET validation_json = $2, updated_at_ms = $3 WHERE id = $1 RETURNING id",
        Params(id, validation_json, detail::NowMs()));
    if (!rows) return tl::unexpected(rows.error());
    if (rows->empty()) return detail::NoRecommendation(id);
    return {};
}

}  // namespace optischema::store
