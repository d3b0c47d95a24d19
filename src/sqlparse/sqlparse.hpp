#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "model/parsed_query.hpp"

/// PostgreSQL's own parser (libpg_query). Every function is thread-safe: libpg_query keeps its memory
/// context per thread. Unparsable SQL gives ErrorCode::kParseError with the parser's message and position.
namespace optischema::sqlparse {

/// The libpg_query fingerprint as 16 lowercase hex digits. Constants, `$n` parameters, IN-list
/// lengths and comments do not change it.
[[nodiscard]] Result<std::string> Fingerprint(std::string_view sql);

/// The statement with constants replaced by `$n`, as pg_stat_statements shows it.
[[nodiscard]] Result<std::string> Normalize(std::string_view sql);

/// Relations, column uses with operators and operands, LIMIT and OFFSET of the first statement.
[[nodiscard]] Result<model::ParsedQuery> Parse(std::string_view sql);

/// What an index statement does, read from its parse tree.
struct IndexDdl {
    bool create = true;  // CREATE INDEX; false for DROP INDEX
    std::string schema;  // empty when not qualified
    std::string table;   // CREATE only
    std::string name;
    bool unique = false;
    bool concurrently = false;
    bool if_exists = false;  // DROP ... IF EXISTS
};

/// One named `CREATE INDEX` or one `DROP INDEX`; anything else is refused with what to do instead.
[[nodiscard]] Result<IndexDdl> ParseIndexDdl(std::string_view sql);

/// The statements of a script, each without its trailing semicolon and surrounding whitespace;
/// semicolons inside strings, comments and function bodies do not split.
[[nodiscard]] Result<std::vector<std::string>> SplitStatements(std::string_view sql);

}  // namespace optischema::sqlparse
