#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "advisor/selection.hpp"
#include "common/error.hpp"
#include "guard/gate.hpp"
#include "pg/connection.hpp"
#include "store/store.hpp"

namespace optischema::service {

/// What to advise on.
struct AdviseRequest {
    std::optional<std::string> queries;  // statements separated by ';' (a file's text); empty: pg_stat_statements
    std::int64_t min_calls = 1;
    std::size_t max_statements = 50;  // from pg_stat_statements, the costliest first
    guard::Allowlist allow;           // functions outside pg_catalog statements may use (guard::Clear)
};

/// The advice and what it was computed from.
struct AdviceReport {
    advisor::Advice advice;
    std::size_t statements = 0;          // statements considered
    std::optional<double> window_hours;  // how long pg_stat_statements has been collecting, when known
    std::string target;                  // the target's name (its redacted DSN): recommendation ids depend on it
};

/// Index recommendations for the workload of the database `conn` is connected to, known in the store as
/// `target_name`. Never changes the database (hypothetical indexes only exist in this session and are removed).
[[nodiscard]] Result<AdviceReport> Advise(pg::Connection& conn,
                                          const std::string& target_name,
                                          const AdviseRequest& request);
/// A recommendation's stable id on a target: "idx-" and 12 hex digits of a hash of the target and the
/// index's identity, so advising again gives the same index the same id.
[[nodiscard]] std::string RecommendationId(const std::string& target, const advisor::IndexCandidate& index);

/// One recommendation as JSON: its id, DDL, rollback, the statements it serves (with runnable
/// samples) and its projected impact. `advise --format json` lists these and the store keeps them.
[[nodiscard]] nlohmann::ordered_json RecommendationJson(const AdviceReport& report, const advisor::Recommendation& r);

/// Keeps the recommendations in the store under their stable ids, so `validate` and `apply` can name them.
[[nodiscard]] Result<void> SaveAdvice(const AdviceReport& report, store::Store& store);
/// The JSON of `advise --format json`.
[[nodiscard]] std::string FormatAdviceJson(const AdviceReport& report);

}  // namespace optischema::service
