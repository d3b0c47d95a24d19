#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "model/audit.hpp"
#include "pg/connection.hpp"
#include "sandbox/index_change.hpp"
#include "service/context.hpp"
#include "service/evidence.hpp"
#include "service/index_sql.hpp"

namespace optischema::service {

/// What an apply or a rollback did: its audited action and a message for people.
struct ChangeOutcome {
    std::int64_t action_id = 0;
    std::string message;
};

/// What to apply: a stored recommendation or a CREATE INDEX.
struct ApplyRequest {
    std::string recommendation_id;  // or
    std::string ddl;
    std::chrono::milliseconds lock_timeout{5'000};
};

/// An apply resolved and checked, before anything runs: what the caller shows for confirmation.
struct PlannedApply {
    IndexSql index;
    std::string recommendation_id;
    Evidence evidence;  // the recommendation's: the statements it serves
    std::chrono::milliseconds lock_timeout{5'000};
};

/// How a long change reports progress and is cancelled, from the caller's threads.
struct ChangeHooks {
    std::function<void(const sandbox::BuildProgress&)> on_progress;  // called on the thread that applies
    const CancelFlag* cancel = nullptr;                              // set: cancel the build
};

/// Resolves what to apply (the recommendation from the store, or the DDL) and checks it is one named
/// CREATE INDEX. Runs nothing.
[[nodiscard]] Result<PlannedApply> PlanApply(const ApplyRequest& request, store::StorePool& store);

/// CREATE INDEX CONCURRENTLY on the target, with no INVALID index left behind when it fails or is
/// cancelled, and the pg_stat_statements totals of the statements it serves recorded so `Impact` can
/// show the time actually saved. Audited whatever the outcome.
[[nodiscard]] Result<ChangeOutcome> ApplyIndex(const PlannedApply& plan,
                                               const Context& context,
                                               const ChangeHooks& hooks);

/// A rollback resolved and checked: the DROP INDEX CONCURRENTLY that undoes an audited apply.
struct PlannedRollback {
    std::int64_t action_id = 0;
    std::string drop_sql;
    std::string index;  // as the apply named it
    std::chrono::milliseconds lock_timeout{5'000};
};

/// Finds the apply, checks that it created an index on this target and was not rolled back already.
[[nodiscard]] Result<PlannedRollback> PlanRollback(std::int64_t action_id,
                                                   std::chrono::milliseconds lock_timeout,
                                                   const Context& context);

/// DROP INDEX CONCURRENTLY of what the apply created, once. Audited whatever the outcome.
[[nodiscard]] Result<ChangeOutcome> RollbackIndex(const PlannedRollback& plan, const Context& context);

/// One statement an applied index serves: its mean before the apply and since.
struct ImpactRow {
    std::string fingerprint;
    std::string query;
    std::int64_t calls_before = 0;
    double mean_ms_before = 0;
    std::int64_t calls_since = 0;
    std::optional<double> mean_ms_since;  // empty: no calls since
    double saved_ms = 0;
};

/// The time an applied index actually saved, from pg_stat_statements.
struct ImpactReport {
    std::int64_t action_id = 0;
    std::string index;
    std::vector<ImpactRow> statements;
    double saved_ms = 0;
};

/// Each served statement's mean before the apply against its mean since, times its calls since.
[[nodiscard]] Result<ImpactReport> Impact(std::int64_t action_id, const Context& context);

/// `{"action", "index", "saved_ms", "statements": [{"fingerprint", "query", "calls_before", ...}]}`.
[[nodiscard]] std::string FormatImpactJson(const ImpactReport& report);

}  // namespace optischema::service
