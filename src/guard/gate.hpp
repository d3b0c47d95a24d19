#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "pg/connection.hpp"

/// The statement safety gate: what OptiSchema must check before it plans or runs a statement it did not
/// write itself (a text from pg_stat_statements, a user, a file or an LLM), whoever planted it.
namespace optischema::guard {

/// What will be done with the statement. Planning alone runs code too: PostgreSQL evaluates IMMUTABLE
/// and STABLE functions with constant arguments while it plans (also in index expressions, constraints
/// and views the statement reaches); running it runs everything.
enum class Use { kPlan, kRun };

/// Functions outside pg_catalog that an administrator lets statements use, each entry one of
/// "schema.function", "schema.*", or "extension:name" (the members of that extension, when a superuser
/// owns them, so that nobody can slip a function into an extension they own).
struct Allowlist {
    std::vector<std::string> entries;
};

/// Reads an allowlist entry; the error says how to write one.
[[nodiscard]] Result<void> ValidateAllowEntry(std::string_view entry);

struct GateOptions {
    Use use = Use::kPlan;
    bool allow_writes = false;  // INSERT/UPDATE/DELETE/MERGE may run (in a transaction that is rolled back)
    bool index_ddl = false;     // the text is one CREATE INDEX (built, or created hypothetically) or DROP INDEX
    Allowlist allow;
};

/// A statement the gate let through, and how it may run. Only Clear makes one.
class Cleared {
public:
    [[nodiscard]] const std::string& sql() const { return sql_; }
    /// The search_path the statement is planned and run under: the target's own (the database's and
    /// role's setting), set only inside the statement's transaction.
    [[nodiscard]] const std::string& search_path() const { return search_path_; }
    [[nodiscard]] Use use() const { return use_; }
    [[nodiscard]] bool writes() const { return writes_; }

private:
    friend Result<Cleared> Clear(pg::Connection& conn, std::string sql, const GateOptions& options);
    Cleared() = default;
    std::string sql_;
    std::string search_path_;
    Use use_ = Use::kPlan;
    bool writes_ = false;
};

/// Parses `sql` with PostgreSQL's parser and resolves, in the target's catalog, every function the
/// statement can reach: those it calls, those behind its operators and casts, and those in the views,
/// policies, index expressions, constraints (and, for writes, triggers, rules and defaults) of every
/// relation it reads. Refuses, naming the function and how to allow it:
/// - anything but one SELECT (INSERT, UPDATE, DELETE and MERGE too when options.allow_writes);
/// - a function outside pg_catalog that the allowlist does not name;
/// - a built-in that has effects beyond the statement (signals, files, large objects, settings,
///   replication, sequences, locks, statistics resets, SQL text it runs itself), and for Use::kRun every
///   VOLATILE built-in not known to be harmless;
/// - for Use::kRun, a foreign table (it reaches another server).
[[nodiscard]] Result<Cleared> Clear(pg::Connection& conn, std::string sql, const GateOptions& options);

/// Runs `body` in a transaction of the statement's own: READ ONLY unless it writes, with its
/// search_path set locally, always rolled back. `isolation` is e.g. "ISOLATION LEVEL REPEATABLE READ".
[[nodiscard]] Result<void> InStatementTransaction(pg::Connection& conn,
                                                  const Cleared& statement,
                                                  const std::function<Result<void>()>& body,
                                                  std::string_view isolation = {});

/// Runs `body` with the session's search_path set to the statement's, then pins OptiSchema's again: for
/// a cleared statement that cannot run in a transaction block (CREATE or DROP INDEX CONCURRENTLY), and
/// the ANALYZE that follows an index build. `body` runs that statement and nothing else of OptiSchema's.
[[nodiscard]] Result<void> OnStatementSearchPath(pg::Connection& conn,
                                                 const Cleared& statement,
                                                 const std::function<Result<void>()>& body);

/// `EXPLAIN (<options>, FORMAT JSON)` of a cleared statement inside InStatementTransaction; `options`
/// is OptiSchema's own list. ANALYZE needs a statement cleared for Use::kRun.
[[nodiscard]] Result<std::string> ExplainJson(pg::Connection& conn, std::string_view options, const Cleared& statement);

/// The generic plan of a cleared statement with `param_count` `$n` parameters, as EXPLAIN JSON: EXPLAIN
/// (GENERIC_PLAN) from PostgreSQL 16, else a prepared statement with plan_cache_mode =
/// force_generic_plan explained with NULLs. Planned, never run.
[[nodiscard]] Result<std::string> GenericPlanJson(pg::Connection& conn,
                                                  std::string_view options,
                                                  const Cleared& statement,
                                                  int param_count);

}  // namespace optischema::guard
