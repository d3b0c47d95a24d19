#pragma once

#include <string>

#include "common/error.hpp"
#include "guard/gate.hpp"
#include "pg/connection.hpp"
#include "service/explain_report.hpp"
#include "store/store.hpp"

namespace optischema::service {

/// How to explain a statement.
struct ExplainRequest {
    bool analyze = false;  // run it (inside a transaction that is rolled back)
    bool allow_writes = false;
    bool generic = false;  // explain the generic plan instead of a sample with values
    guard::Allowlist allow;  // functions outside pg_catalog the statement may use (guard::Clear)
};

/// Plans (or runs, with analyze) one statement and analyses the plan. A statement with `$n`
/// parameters is explained through a runnable sample (values from pg_stats) or its generic plan.
[[nodiscard]] Result<ExplainReport> Explain(pg::Connection& conn,
                                            const std::string& sql,
                                            const ExplainRequest& request);

/// The text of a statement the store saw on the target named `target_name` (`optischema top` keeps them).
[[nodiscard]] Result<std::string> StatementByFingerprint(store::Store& store,
                                                         const std::string& target_name,
                                                         const std::string& fingerprint);

}  // namespace optischema::service
