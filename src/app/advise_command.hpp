#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "advisor/selection.hpp"
#include "common/error.hpp"

namespace optischema::app {

struct AdviseOptions {
    std::string dsn;
    std::string data_dir;
    std::string store_dsn;     // a shared PostgreSQL store (--store); empty: SQLite in data_dir
    std::string queries_file;  // statements separated by ';'; empty: the workload from pg_stat_statements
    std::int64_t min_calls = 1;
    std::size_t max_statements = 50;  // from pg_stat_statements, the costliest first
    std::string format = "text";
    std::string target_name;  // the store's target; empty: the redacted DSN
};

/// The advice and what it was computed from.
struct AdviceReport {
    advisor::Advice advice;
    std::size_t statements = 0;          // statements considered
    std::optional<double> window_hours;  // how long pg_stat_statements has been collecting, when known
    std::string target;                  // the target's name (its redacted DSN): recommendation ids depend on it
};

/// `optischema advise`: index recommendations for the workload. Never changes the target database
/// (hypothetical indexes only exist in OptiSchema's own session and are removed).
[[nodiscard]] Result<AdviceReport> Advise(const AdviseOptions& options);
[[nodiscard]] Result<std::string> RunAdvise(const AdviseOptions& options);

/// A recommendation's stable id on a target: "idx-" and 12 hex digits of a hash of the target and the
/// index's identity, so advising again gives the same index the same id.
[[nodiscard]] std::string RecommendationId(const std::string& target, const advisor::IndexCandidate& index);

/// One recommendation as JSON: its id, DDL, rollback, the statements it serves (with runnable
/// samples) and its projected impact. `advise --format json` lists these and the store keeps them.
[[nodiscard]] nlohmann::ordered_json RecommendationJson(const AdviceReport& report, const advisor::Recommendation& r);

/// Keeps the recommendations in the store under their stable ids, so `validate` and `apply` can name them.
[[nodiscard]] Result<void> SaveAdvice(const AdviceReport& report,
                                      const std::string& data_dir,
                                      const std::string& store_dsn = {});

/// The JSON of `advise --format json`.
[[nodiscard]] std::string FormatAdviceJson(const AdviceReport& report);
/// The text of `advise`.
[[nodiscard]] std::string FormatAdviceText(const AdviceReport& report);

}  // namespace optischema::app
