#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/error.hpp"

namespace optischema::store {

/// A recommendation as kept: what to run, how to undo it, its evidence and its latest validation.
struct RecommendationRecord {
    std::string id;  // stable across runs: the same index on the same target keeps its id
    std::int64_t target_id = 0;
    std::string kind;             // "index" or "rewrite"
    std::string title;            // one line for lists
    std::string sql;              // the DDL to apply (index) or the rewritten statement (rewrite)
    std::string rollback_sql;     // empty for rewrites
    std::string evidence_json;    // the statements it serves, projected savings, ... as `advise` found them
    std::string validation_json;  // the latest validation; empty until validated
    TimePoint created_at;
    TimePoint updated_at;
};

/// The recommendations `advise` made, with their latest validation. Implementations are
/// thread-compatible: one thread at a time per instance.
class RecommendationStore {
public:
    virtual ~RecommendationStore() = default;

    /// Inserts or updates by id; an update keeps created_at, and keeps the validation only when the SQL
    /// is unchanged.
    [[nodiscard]] virtual Result<void> SaveRecommendation(const RecommendationRecord& record) = 0;
    /// The recommendation with this id; nullopt when there is none.
    [[nodiscard]] virtual Result<std::optional<RecommendationRecord>> GetRecommendation(const std::string& id) = 0;
    /// The target's recommendations, most recently updated first.
    [[nodiscard]] virtual Result<std::vector<RecommendationRecord>> ListRecommendations(std::int64_t target_id) = 0;
    /// Replaces a recommendation's validation and marks it updated; kNotFound when the id is unknown.
    [[nodiscard]] virtual Result<void> SaveValidation(const std::string& id, const std::string& validation_json) = 0;
};

}  // namespace optischema::store
