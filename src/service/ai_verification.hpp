#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/sample.hpp"
#include "common/error.hpp"
#include "guard/gate.hpp"
#include "llm/answer.hpp"
#include "model/parsed_query.hpp"
#include "pg/connection.hpp"
#include "service/context.hpp"
#include "service/explain_report.hpp"
#include "service/relation_catalog.hpp"
#include "service/sampling.hpp"

/// The engine's check of what a language model suggests: nothing a model writes is shown as an
/// improvement before PostgreSQL's parser, the catalog, the planner and a sandbox agree. LLM-provided
/// SQL reaches the target only inside EXPLAIN (never ANALYZE) in a read-only transaction, and as a
/// hypothetical index for HypoPG; rewrites run only in a sandbox.
namespace optischema::service {

/// What the engine concluded about one suggestion.
enum class SuggestionStatus { kVerified, kRejected, kUnverified };

/// "verified", "rejected" or "unverified".
[[nodiscard]] const char* SuggestionStatusName(SuggestionStatus status);

/// A rewrite the model proposed, with the verdict.
struct RewriteCheck {
    std::string sql;  // as the model wrote it (without a trailing ';')
    std::string rationale;
    SuggestionStatus status = SuggestionStatus::kUnverified;
    std::string reason;                  // why rejected or unverified; for verified, what was measured
    std::optional<double> speedup;       // sandbox: original median / rewrite median
    std::optional<double> planned_cost;  // the planner's estimate on the target
};

/// An index the model proposed, with the verdict.
struct IndexIdeaCheck {
    std::string ddl;  // as the model wrote it
    std::string rationale;
    SuggestionStatus status = SuggestionStatus::kUnverified;
    std::string reason;
    std::optional<double> cost_before;  // the planner's cost of the statement without and with the index
    std::optional<double> cost_after;
};

/// The statement the suggestions are about, in the forms the checks need.
struct StatementUnderReview {
    std::string sql;                  // as the user gave it (may hold $n)
    model::ParsedQuery parsed;        // of sql
    std::string normalized;           // sql with its constants replaced by $n: what the prompt shows
    std::string runnable_sql;         // sql with a value for every $n: what the original runs as
    analyzer::RunnableSample values;  // a value for every $n of `normalized`, so a rewrite keeping them runs
                                      // with the same values as the original
    int param_count = 0;              // highest $n of `normalized`
    bool runnable = true;             // false when no value could be found for the statement's own $n
    std::optional<double> cost;       // the planner's cost of runnable_sql
    std::vector<std::string> notes;   // what could not be prepared (verification degrades, never fails)
};

/// How far verification goes.
struct VerificationOptions {
    const Context* sandbox = nullptr;      // where rewrites are proven: the store, the target, managed clusters
    std::string verify_in = "managed";     // where rewrites run: "managed" (a private sandbox cluster) or "none"
    int runs = 10;                         // timed runs per statement in the sandbox
    std::size_t max_sandbox_rewrites = 3;  // each costs a sandbox (copy, ANALYZE, benchmark): later ones are
                                           // left unverified
    double min_cost_drop = 0.2;            // an index idea must cut the statement's planned cost by this share
    guard::Allowlist allow;                // functions outside pg_catalog statements and rewrites may use
};

/// The literal each `$n` of `normalized` (sqlparse::Normalize of `sql`) replaced in `sql`, as sample
/// values: `o.total >= 100` -> `o.total >= $1` gives {1, "100"} (sqlparse::ReplacedConstants).
/// Parameters `sql` already had are left out. Pure; fails when the two texts do not line up.
[[nodiscard]] Result<std::vector<analyzer::SampleParam>> ReplacedConstants(std::string_view sql,
                                                                           std::string_view normalized,
                                                                           const model::ParsedQuery& normalized_parsed);

/// The plain column names among the key and INCLUDE columns of a CREATE INDEX (`a`, `"Mixed"`,
/// `b DESC` give a, Mixed, b); expressions are left out. Pure; empty when `ddl` is not one CREATE
/// INDEX. Names unknown columns before HypoPG is asked.
[[nodiscard]] std::vector<std::string> PlainIndexColumns(std::string_view ddl);

/// Prepares the review of the statement `report` explained: normalized form, a runnable form, and a
/// value for every parameter. Reads the catalog only (PREPARE for parameter types, never executed).
[[nodiscard]] StatementUnderReview ReviewStatement(pg::Connection& target,
                                                   const guard::Allowlist& allow,
                                                   ColumnStatsCache& stats,
                                                   const std::string& sql,
                                                   const ExplainReport& report);

/// Each rewrite: libpg_query parses it as one statement of the original's kind (one SELECT for a
/// SELECT); every relation and every qualified column exists; EXPLAIN (no ANALYZE) plans it on the
/// target in a read-only transaction; then `Validate` runs it in a sandbox against the original:
/// verified only with the same rows and significantly faster. Never fails: what could not be checked
/// is unverified, with why.
[[nodiscard]] std::vector<RewriteCheck> CheckRewrites(pg::Connection& target,
                                                      RelationCatalog& catalog,
                                                      const StatementUnderReview& statement,
                                                      const std::vector<llm::Rewrite>& rewrites,
                                                      const VerificationOptions& options);

/// Each index idea: one CREATE INDEX (a missing name is supplied) on an existing table, created as a
/// hypothetical index through advisor::WhatIf (HypoPG on `target`) and the statement planned with it:
/// verified when the planner uses it and the cost drops by at least min_cost_drop. Never fails.
[[nodiscard]] std::vector<IndexIdeaCheck> CheckIndexIdeas(pg::Connection& target,
                                                          RelationCatalog& catalog,
                                                          const StatementUnderReview& statement,
                                                          const std::vector<llm::IndexIdea>& ideas,
                                                          const VerificationOptions& options);

}  // namespace optischema::service
