#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "pg/connection.hpp"

namespace optischema::service {

/// A relation as PostgreSQL resolves a name in a statement.
struct ResolvedRelation {
    std::string schema;
    std::string name;
    char kind = 'r';                   // pg_class.relkind: 'r' table, 'v' view, 'm' materialized view, 'p', 'f'
    std::vector<std::string> columns;  // user columns in attnum order (no system columns)

    /// True for a user column or a system column (ctid, xmin, ...).
    [[nodiscard]] bool HasColumn(const std::string& column) const;
};

/// Resolves relation names on one connection (the session's search_path applies to unqualified
/// names) and lists their columns, each name read once. Reads the catalog only. Not thread-safe.
class RelationCatalog {
public:
    /// `conn` must outlive the catalog.
    explicit RelationCatalog(pg::Connection& conn) : conn_(conn) {}
    /// Empty when no such relation exists; `schema` empty: resolved through the search_path.
    [[nodiscard]] Result<std::optional<ResolvedRelation>> Resolve(const std::string& schema, const std::string& name);

private:
    pg::Connection& conn_;
    std::map<std::string, std::optional<ResolvedRelation>> cache_;
};

}  // namespace optischema::service
