#include "service/relation_catalog.hpp"

#include <algorithm>
#include <array>

#include "common/quote.hpp"
#include "pg/catalog.hpp"

namespace optischema::service {
namespace {

// One row per column; a relation without columns still gives one row (attname NULL).
constexpr std::string_view kRelationSql = R"sql(
SELECT n.nspname, c.relname, c.relkind::text, a.attname
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
 WHERE c.oid = $1::oid
 ORDER BY a.attnum)sql";

}  // namespace

bool ResolvedRelation::HasColumn(const std::string& column) const {
    static constexpr std::array<std::string_view, 6> kSystem = {"ctid", "xmin", "xmax", "cmin", "cmax", "tableoid"};
    return std::find(columns.begin(), columns.end(), column) != columns.end() ||
           std::find(kSystem.begin(), kSystem.end(), column) != kSystem.end();
}

Result<std::optional<ResolvedRelation>> RelationCatalog::Resolve(const std::string& schema, const std::string& name) {
    const std::string regclass = schema.empty() ? QuoteIdent(name) : QuoteIdent(schema) + "." + QuoteIdent(name);
    if (auto it = cache_.find(regclass); it != cache_.end()) return it->second;
    auto oid = pg::RelationOid(conn_, regclass);
    if (!oid) return tl::unexpected(oid.error());
    const std::optional<std::string> params[] = {*oid};
    auto rows = conn_.Query(kRelationSql, params);
    if (!rows) return tl::unexpected(rows.error());
    auto read = rows->As<std::string, std::string, std::string, std::optional<std::string>>();
    if (!read) return MakeError(ErrorCode::kInternal, "cannot read relation " + regclass + ": " + read.error().message);
    std::optional<ResolvedRelation> out;
    for (const auto& [schema_name, relation, kind, column] : *read) {
        if (!out) out = ResolvedRelation{schema_name, relation, kind.empty() ? 'r' : kind[0], {}};
        if (column) out->columns.push_back(*column);
    }
    cache_.emplace(regclass, out);
    return out;
}

}  // namespace optischema::service
