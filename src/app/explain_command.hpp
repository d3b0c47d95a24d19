#pragma once

#include <string>

#include "app/ai_assistant.hpp"
#include "app/explain_report.hpp"
#include "common/error.hpp"
#include "pg/connection.hpp"

namespace optischema::app {

struct ExplainOptions {
    std::string dsn;
    std::string data_dir;
    std::string store_dsn;    // a shared PostgreSQL store (--store); empty: SQLite in data_dir
    std::string sql;          // the statement, possibly with $n parameters
    std::string fingerprint;  // or a statement seen by `top`, looked up in the store
    bool analyze = false;     // run it (inside a transaction that is rolled back)
    bool allow_writes = false;
    bool generic = false;  // explain the generic plan instead of a sample with values
    std::string format = "text";
    bool ai = false;  // also ask a language model, and verify what it suggests
    AiOptions ai_options;
};

/// Plans (or runs, with analyze) one statement and analyses the plan. A statement with `$n`
/// parameters is explained through a runnable sample (values from pg_stats) or its generic plan.
[[nodiscard]] Result<ExplainReport> Explain(pg::Connection& conn,
                                            const std::string& sql,
                                            const ExplainOptions& options);

/// `optischema explain`: resolves the statement, connects, explains, formats; with `ai`, adds the
/// model's answer and the verdict on each suggestion (a failing model leaves the plan and findings).
[[nodiscard]] Result<std::string> RunExplain(const ExplainOptions& options);

}  // namespace optischema::app
