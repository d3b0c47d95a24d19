#pragma once

#include <string>

#include "common/error.hpp"
#include "sandbox/index_change.hpp"
#include "sqlparse/sqlparse.hpp"

namespace optischema::service {

/// One CREATE INDEX in the forms OptiSchema runs it: plainly (a managed sandbox: nobody else uses
/// it), CONCURRENTLY (anywhere shared), and the DROP that undoes it.
struct IndexSql {
    sqlparse::IndexDdl ddl;
    sandbox::IndexRef ref;  // the index's name; its schema is the table's as written
    std::string create_plain;
    std::string create_concurrently;
    std::string drop;  // DROP INDEX CONCURRENTLY IF EXISTS ...
};

/// Reads a named CREATE INDEX statement; anything else is refused with what to do.
[[nodiscard]] Result<IndexSql> ReadIndexSql(const std::string& create_sql);

}  // namespace optischema::service
