#pragma once

// The verbs of the command line: each takes its flags, opens what it needs (the store, the target, a
// managed sandbox host), calls the service, and returns what to print.

#include <cstdint>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "service/ai_assistant.hpp"

namespace optischema::cli {

/// Flags every verb that keeps history shares.
struct StoreFlags {
    std::string data_dir;
    std::string store_dsn;  // a shared PostgreSQL store (--store); empty: SQLite in data_dir
    std::vector<std::string> allow_functions;  // --allow-function: outside pg_catalog, statements may call these
};

struct TopOptions : StoreFlags {
    std::string dsn;
    double interval_s = 0;  // 0: rank by the counters since the last reset
    std::size_t limit = 20;
    std::string format = "table";  // or "json"
    bool all_databases = false;
    bool own_statements_only = false;
};
/// `optischema top`: ranks the statements that cost the most time.
[[nodiscard]] Result<std::string> RunTop(const TopOptions& options);

struct ExplainOptions : StoreFlags {
    std::string dsn;
    std::string sql;          // the statement, possibly with $n parameters
    std::string fingerprint;  // or a statement seen by `top`, looked up in the store
    bool analyze = false;
    bool allow_writes = false;
    bool generic = false;
    std::string format = "text";
    bool ai = false;  // also ask a language model, and verify what it suggests
    service::AiOptions ai_options;
};
/// `optischema explain`: resolves the statement, explains it; with `ai`, adds the model's answer and the
/// verdict on each suggestion (a failing model leaves the plan and findings).
[[nodiscard]] Result<std::string> RunExplain(const ExplainOptions& options);

struct AdviseOptions : StoreFlags {
    std::string dsn;
    std::string queries_file;  // statements separated by ';'; empty: the workload from pg_stat_statements
    std::int64_t min_calls = 1;
    std::size_t max_statements = 50;
    std::string format = "text";
};
/// `optischema advise`: index recommendations, kept in the store under stable ids.
[[nodiscard]] Result<std::string> RunAdvise(const AdviseOptions& options);

struct CheckOptions {
    std::string dsn;
    std::string format = "text";  // or "json"
};
/// `optischema check`: index health. Reads only.
[[nodiscard]] Result<std::string> RunCheck(const CheckOptions& options);

struct ValidateOptions : StoreFlags {
    std::string dsn;
    std::string sandbox = "managed";  // "managed", "target", or the DSN of a staging database
    bool non_production = false;
    std::string recommendation_id;
    std::string ddl;
    std::string rewrite;
    std::vector<std::string> queries;
    int runs = 10;
    std::int64_t max_table_mb = 256;
    std::string format = "text";
};
/// `optischema validate`: proves a recommendation, an index or a rewrite in a sandbox.
[[nodiscard]] Result<std::string> RunValidate(const ValidateOptions& options);

struct ApplyOptions : StoreFlags {
    std::string dsn;
    std::string recommendation_id;  // or
    std::string ddl;
    bool yes = false;  // skip the confirmation prompt
    std::int64_t lock_timeout_ms = 5'000;
};
/// `optischema apply`: after confirmation, with progress on stderr and Ctrl-C to cancel.
[[nodiscard]] Result<std::string> RunApply(const ApplyOptions& options);

struct RollbackOptions : StoreFlags {
    std::string dsn;
    std::int64_t action_id = 0;
    bool yes = false;
    std::int64_t lock_timeout_ms = 5'000;
};
/// `optischema rollback`: DROP INDEX CONCURRENTLY of what an audited apply created, once.
[[nodiscard]] Result<std::string> RunRollback(const RollbackOptions& options);

struct ImpactOptions : StoreFlags {
    std::string dsn;
    std::int64_t action_id = 0;
    std::string format = "text";
};
/// `optischema impact`: the time an applied index actually saved.
[[nodiscard]] Result<std::string> RunImpact(const ImpactOptions& options);

struct AuditOptions : StoreFlags {
    std::size_t limit = 0;  // 0: all
    std::string format = "text";
};
/// `optischema audit`.
[[nodiscard]] Result<std::string> RunAudit(const AuditOptions& options);

}  // namespace optischema::cli
