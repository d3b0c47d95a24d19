#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "common/error.hpp"
#include "guard/gate.hpp"
#include "pg/connection.hpp"

/// Applying an index to a production target and taking it back: CREATE / DROP INDEX CONCURRENTLY,
/// bounded lock waits, progress, and no INVALID index left behind by a failed or cancelled build.
namespace optischema::sandbox {

/// An index by name; an empty schema is resolved through the search_path.
struct IndexRef {
    std::string schema;
    std::string name;

    /// "schema"."name" or "name".
    [[nodiscard]] std::string Qualified() const;
};

/// One reading of pg_stat_progress_create_index.
struct BuildProgress {
    std::string phase;  // "building index: scanning table", "waiting for old snapshots", ...
    std::int64_t blocks_done = 0;
    std::int64_t blocks_total = 0;
    std::int64_t tuples_done = 0;
    std::int64_t tuples_total = 0;
    double elapsed_s = 0;
};

struct BuildOptions {
    std::chrono::milliseconds lock_timeout{
        5'000};  // per lock wait; the build fails rather than queue behind long transactions
    std::chrono::milliseconds statement_timeout{0};  // 0: none (a large index may take hours)
    std::chrono::milliseconds poll_interval{500};
    int cleanup_attempts = 30;  // of dropping an INVALID index, a second apart, while blockers remain
    std::function<void(const BuildProgress&)> on_progress;  // called from the calling thread
    const std::atomic<bool>* cancel = nullptr;              // set to stop the build (Ctrl-C)
    guard::Allowlist allow;  // functions outside pg_catalog the index may call (guard::Clear)
};

struct BuildReport {
    std::string schema;  // where the index landed
    double duration_ms = 0;
    std::int64_t index_bytes = 0;
    std::optional<std::string> replaced_invalid;  // an INVALID leftover of an earlier build, dropped first
};

/// Whether the index exists, and if so whether it is valid.
enum class IndexState { kAbsent, kValid, kInvalid };
[[nodiscard]] Result<IndexState> ReadIndexState(pg::Connection& conn, const IndexRef& index);

/// Runs `create_sql` (a CREATE INDEX CONCURRENTLY naming `index`) on its own connection while a
/// second one reports progress and can cancel it. A valid index of that name already there is an
/// error; an INVALID one (an earlier failed build) is dropped first. When the build fails or is
/// cancelled, the INVALID index PostgreSQL leaves behind is dropped, and the error says so.
[[nodiscard]] Result<BuildReport> CreateIndexConcurrently(const std::string& dsn,
                                                          const std::string& create_sql,
                                                          const IndexRef& index,
                                                          const BuildOptions& options);

/// Runs `drop_sql` (DROP INDEX CONCURRENTLY) with the lock timeout; returns its duration in ms.
[[nodiscard]] Result<double> DropIndexConcurrently(const std::string& dsn,
                                                   const std::string& drop_sql,
                                                   std::chrono::milliseconds lock_timeout);

}  // namespace optischema::sandbox
