#pragma once

#include <cstdint>
#include <string>

#include "common/error.hpp"

namespace optischema::app {

/// What an apply or a rollback did: its audited action and a message for people.
struct ChangeOutcome {
    std::int64_t action_id = 0;
    std::string message;
};

struct ApplyOptions {
    std::string dsn;
    std::string data_dir;
    std::string store_dsn;          // a shared PostgreSQL store (--store); empty: SQLite in data_dir
    std::string recommendation_id;  // or
    std::string ddl;                // a CREATE INDEX
    bool yes = false;               // skip the confirmation prompt
    std::int64_t lock_timeout_ms = 5'000;
    std::string target_name;  // the store's target; empty: the redacted DSN
    std::string actor;        // who, for the audit log; empty: the OS user of the CLI
};

/// `optischema apply`: CREATE INDEX CONCURRENTLY on the target, after confirmation, with progress on
/// stderr, Ctrl-C to cancel, no INVALID index left behind, and pg_stat_statements totals of the
/// statements it serves recorded so `optischema impact` can show the time actually saved. Audited
/// whatever the outcome; prints the action id that `rollback` takes.
[[nodiscard]] Result<ChangeOutcome> ApplyIndex(const ApplyOptions& options);
[[nodiscard]] Result<std::string> RunApply(const ApplyOptions& options);

struct RollbackOptions {
    std::string dsn;
    std::string data_dir;
    std::string store_dsn;  // a shared PostgreSQL store (--store); empty: SQLite in data_dir
    std::int64_t action_id = 0;
    bool yes = false;
    std::int64_t lock_timeout_ms = 5'000;
    std::string target_name;
    std::string actor;
};

/// `optischema rollback`: DROP INDEX CONCURRENTLY of what an audited apply created, once.
[[nodiscard]] Result<ChangeOutcome> RollbackIndex(const RollbackOptions& options);
[[nodiscard]] Result<std::string> RunRollback(const RollbackOptions& options);

struct ImpactOptions {
    std::string dsn;
    std::string data_dir;
    std::string store_dsn;  // a shared PostgreSQL store (--store); empty: SQLite in data_dir
    std::int64_t action_id = 0;
    std::string format = "text";
};

/// `optischema impact`: the time an applied index actually saved, from pg_stat_statements: each
/// served statement's mean before the apply against its mean since, times its calls since.
[[nodiscard]] Result<std::string> RunImpact(const ImpactOptions& options);

}  // namespace optischema::app
