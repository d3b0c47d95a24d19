#pragma once

#include <cstddef>
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

/// What a token is, as PostgreSQL's scanner tells them apart.
enum class TokenKind { kKeyword, kIdentifier, kString, kNumber, kParam, kComment, kSymbol };

/// One token of a statement; offsets are bytes into the scanned text.
struct Token {
    std::size_t start = 0;
    std::size_t end = 0;  // one past the token's last byte
    TokenKind kind = TokenKind::kSymbol;
};

/// The tokens of `sql` as PostgreSQL's scanner reads them, comments included: a string in any form
/// ('it''s', E'a\'b', $tag$...$tag$, B'01') and a quoted identifier ("a""b") are one token each; a minus
/// sign is a token apart from its number. Fails on text it cannot read, e.g. an unterminated string.
[[nodiscard]] Result<std::vector<Token>> Scan(std::string_view sql);

/// A constant that Normalize replaced with `$n`.
struct ReplacedConstant {
    int number = 0;    // n of the `$n` in the normalized statement
    std::string text;  // as written in the statement: 100, -1.5e-3, 'it''s', E'a\'b', $$x$$
};

/// The constant each `$n` of `normalized` (Normalize of `sql`; `normalized_parsed` is its Parse) stands
/// for, in the order they appear: `o.total >= 100` -> `o.total >= $1` gives {1, "100"}. The `$n` that
/// `sql` already had are left out. Fails when the two texts do not line up.
[[nodiscard]] Result<std::vector<ReplacedConstant>> ReplacedConstants(std::string_view sql,
                                                                      std::string_view normalized,
                                                                      const model::ParsedQuery& normalized_parsed);

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

/// The plain columns among the key and INCLUDE columns of one CREATE INDEX, named or not, as
/// PostgreSQL reads them: `a`, `"Mixed"`, `Status DESC` give a, Mixed, status; expressions are left out.
[[nodiscard]] Result<std::vector<std::string>> IndexColumns(std::string_view create_index_sql);

/// `sql` with `name` (quoted when it needs to be) put before ON when it is one CREATE INDEX without a
/// name, so that it can be applied and rolled back by name; any other statement comes back as it is.
[[nodiscard]] Result<std::string> WithIndexName(std::string_view sql, std::string_view name);

/// A possibly schema-qualified name as the statement writes it; `schema` is empty when unqualified.
struct QualifiedName {
    std::string schema;
    std::string name;
    bool operator==(const QualifiedName&) const = default;
};

/// What a statement names that PostgreSQL resolves through the catalog, and so may run code: the
/// functions it calls (aggregates, window and set-returning functions, TABLESAMPLE methods), the
/// operators it uses (also those implied: IN, BETWEEN, IS DISTINCT FROM, NULLIF, simple CASE, JOIN
/// USING compare with `=` and friends), the types it casts to, and the relations it reads or writes.
/// Each listed once, in no particular order; a CTE's name may appear among the relations.
struct ReferencedObjects {
    int statement_count = 0;
    std::vector<std::string> statement_kinds;  // every *Stmt node: "SelectStmt", "InsertStmt", "DoStmt", ...
    bool creates_table = false;                // SELECT ... INTO
    bool locks_rows = false;                   // SELECT ... FOR UPDATE/SHARE
    std::vector<QualifiedName> functions;
    std::vector<QualifiedName> operators;
    std::vector<QualifiedName> types;
    std::vector<QualifiedName> relations;
};
[[nodiscard]] Result<ReferencedObjects> FindReferencedObjects(std::string_view sql);

/// The statements of a script, each without its trailing semicolon and surrounding whitespace;
/// semicolons inside strings, comments and function bodies do not split.
[[nodiscard]] Result<std::vector<std::string>> SplitStatements(std::string_view sql);

}  // namespace optischema::sqlparse
