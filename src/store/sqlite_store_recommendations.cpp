// RecommendationStore on SQLite.
#include <fmt/format.h>

#include "store/internal/columns.hpp"
#include "store/internal/errors.hpp"
#include "store/internal/read_records.hpp"
#include "store/internal/sqlite_util.hpp"
#include "store/internal/unix_ms.hpp"
#include "store/sqlite_store.hpp"

namespace optischema::store {

using detail::SqliteRow;

Result<void> SqliteStore::SaveRecommendation(const RecommendationRecord& r) {
    return detail::Execute(
        db(),
        "INSERT INTO recommendations (id, target_id, kind, title, sql, rollback_sql, evidence_json, "
        "validation_json, created_at_ms, updated_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9) "
        "ON CONFLICT (id) DO UPDATE SET target_id = excluded.target_id, kind = excluded.kind, "
        "title = excluded.title, rollback_sql = excluded.rollback_sql, evidence_json = excluded.evidence_json, "
        "validation_json = CASE WHEN recommendations.sql = excluded.sql THEN recommendations.validation_json "
        "ELSE excluded.validation_json END, sql = excluded.sql, updated_at_ms = excluded.updated_at_ms",
        "save recommendation", r.id, r.target_id, r.kind, r.title, r.sql, r.rollback_sql, r.evidence_json,
        r.validation_json, detail::NowMs());
}

Result<std::optional<RecommendationRecord>> SqliteStore::GetRecommendation(const std::string& id) {
    return detail::SelectOne(
        db(), fmt::format("SELECT {} FROM recommendations WHERE id = ?1", detail::kRecommendationColumns),
        "read recommendation", detail::ReadRecommendation<SqliteRow>, id);
}

Result<std::vector<RecommendationRecord>> SqliteStore::ListRecommendations(std::int64_t target_id) {
    return detail::SelectAll(db(),
                             fmt::format("SELECT {} FROM recommendations WHERE target_id = ?1 ORDER BY updated_at_ms "
                                         "DESC, id",
                                         detail::kRecommendationColumns),
                             "list recommendations", detail::ReadRecommendation<SqliteRow>, target_id);
}

Result<void> SqliteStore::SaveValidation(const std::string& id, const std::string& validation_json) {
    auto updated =
        detail::Change(db(), "UPDATE recommendations SET validation_json = ?2, updated_at_ms = ?3 WHERE id = ?1",
                       "save validation", id, validation_json, detail::NowMs());
    if (!updated) return tl::unexpected(updated.error());
    if (*updated == 0) return detail::NoRecommendation(id);
    return {};
}

}  // namespace optischema::store
