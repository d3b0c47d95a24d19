#include "sandbox/index_change.hpp"

#include <thread>

#include <fmt/format.h>

#include "common/quote.hpp"
#include "sqlparse/sqlparse.hpp"

namespace optischema::sandbox {
namespace {

using Params = std::vector<std::optional<std::string>>;
using Clock = std::chrono::steady_clock;

double ElapsedMs(Clock::time_point since) {
    return std::chrono::duration<double, std::milli>(Clock::now() - since).count();
}

pg::SessionLimits LimitsFor(const BuildOptions& options) {
    pg::SessionLimits limits;
    limits.statement_timeout = options.statement_timeout;
    limits.lock_timeout = options.lock_timeout;
    limits.idle_in_transaction_timeout = std::chrono::milliseconds(60'000);
    return limits;
}

// DROP INDEX CONCURRENTLY waits for the transactions that made the build fail (a lock timeout): it
// is retried, each attempt bounded by the lock timeout, until they end or the attempts run out.
Result<void> DropInvalid(pg::Connection& conn, const IndexRef& index, int attempts) {
    Result<void> dropped;
    for (int i = 0; i < std::max(1, attempts); ++i) {
        if (i > 0) std::this_thread::sleep_for(std::chrono::seconds(1));
        dropped = conn.Execute("DROP INDEX CONCURRENTLY IF EXISTS " + index.Qualified());
        if (dropped || dropped.error().sqlstate != "55P03") return dropped;
    }
    return dropped;
}

}  // namespace

std::string IndexRef::Qualified() const {
    return schema.empty() ? QuoteIdent(name) : QuoteIdent(schema) + "." + QuoteIdent(name);
}

Result<IndexState> ReadIndexState(pg::Connection& conn, const IndexRef& index) {
    auto rows = conn.Query("SELECT i.indisvalid AND i.indisready FROM pg_index i WHERE i.indexrelid = to_regclass($1)",
                           Params{index.Qualified()});
    if (!rows) return tl::unexpected(rows.error());
    if (rows->empty()) return IndexState::kAbsent;
    auto valid = rows->Scalar<std::optional<bool>>();
    if (!valid) {
        return MakeError(ErrorCode::kInternal, fmt::format("cannot read the state of index {}: {}", index.Qualified(),
                                                           valid.error().message));
    }
    return valid->value_or(false) ? IndexState::kValid : IndexState::kInvalid;
}

namespace {

// The index with its schema: the schema of its table, as the target's search_path resolves the name the
// DDL gives it (the index lands there), so that OptiSchema's pinned statements can name it.
Result<IndexRef> ResolveSchema(pg::Connection& conn, const guard::Cleared& ddl, const IndexRef& index) {
    if (!index.schema.empty()) return index;
    auto parsed = sqlparse::ParseIndexDdl(ddl.sql());
    if (!parsed) return tl::unexpected(parsed.error());
    const std::string table = parsed->schema.empty() ? QuoteIdent(parsed->table)
                                                     : QuoteIdent(parsed->schema) + "." + QuoteIdent(parsed->table);
    std::optional<std::string> oid;
    auto ok = guard::InStatementTransaction(conn, ddl, [&]() -> Result<void> {
        auto rows = conn.Query("SELECT pg_catalog.to_regclass($1)::pg_catalog.oid::pg_catalog.text", Params{table});
        if (!rows) return tl::unexpected(rows.error());
        auto value = rows->Scalar<std::optional<std::string>>();
        if (value) oid = *value;
        return {};
    });
    if (!ok) return tl::unexpected(ok.error());
    if (!oid) {
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("table {} does not exist under the target's search_path: schema-qualify it", table));
    }
    auto schema = conn.Query(
        "SELECT n.nspname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.oid = $1::pg_catalog.oid",
        Params{*oid});
    if (!schema) return tl::unexpected(schema.error());
    auto name = schema->Scalar<std::string>();
    if (!name) return tl::unexpected(name.error());
    return IndexRef{*name, index.name};
}

}  // namespace

Result<BuildReport> CreateIndexConcurrently(const std::string& dsn,
                                            const std::string& create_sql,
                                            const IndexRef& wanted,
                                            const BuildOptions& options) {
    auto monitor = pg::Connection::Open(
        dsn, LimitsFor({.lock_timeout = options.lock_timeout, .statement_timeout = std::chrono::milliseconds(30'000)}));
    if (!monitor) return tl::unexpected(monitor.error());
    // The DDL runs code (its expressions, for every row): it passes the gate like any statement, and
    // runs under the target's search_path on its own connection; OptiSchema's own statements stay pinned.
    auto ddl = guard::Clear(*monitor, create_sql, {.use = guard::Use::kRun, .index_ddl = true, .allow = options.allow});
    if (!ddl) return tl::unexpected(ddl.error());
    auto resolved = ResolveSchema(*monitor, *ddl, wanted);
    if (!resolved) return tl::unexpected(resolved.error());
    const IndexRef& index = *resolved;
    BuildReport report;
    report.schema = index.schema;
    auto state = ReadIndexState(*monitor, index);
    if (!state) return tl::unexpected(state.error());
    if (*state == IndexState::kValid) {
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("index {} already exists and is valid: nothing to apply", index.Qualified()));
    }
    if (*state == IndexState::kInvalid) {
        if (auto ok = DropInvalid(*monitor, index, options.cleanup_attempts); !ok) return tl::unexpected(ok.error());
        report.replaced_invalid = "DROP INDEX CONCURRENTLY IF EXISTS " + index.Qualified();
    }

    auto builder = pg::Connection::Open(dsn, LimitsFor(options));
    if (!builder) return tl::unexpected(builder.error());
    const std::string pid = std::to_string(builder->BackendPid());
    std::atomic<bool> done{false};
    Result<void> build_result;
    const auto start = Clock::now();
    std::thread worker([&] {
        build_result = guard::OnStatementSearchPath(*builder, *ddl, [&] { return builder->Execute(create_sql); });
        done = true;
    });
    bool cancelled = false;
    Clock::time_point last_poll{};
    while (!done) {
        std::this_thread::sleep_for(std::min(options.poll_interval, std::chrono::milliseconds(50)));
        if (done) break;
        if (options.cancel != nullptr && *options.cancel && !cancelled) {
            cancelled = true;
            (void)monitor->Query("SELECT pg_cancel_backend($1::int)", Params{pid});
        }
        if (!options.on_progress || Clock::now() - last_poll < options.poll_interval) continue;
        last_poll = Clock::now();
        auto rows = monitor->Query(
            "SELECT phase, blocks_done, blocks_total, tuples_done, tuples_total FROM pg_stat_progress_create_index "
            "WHERE pid = $1::int",
            Params{pid});
        // Progress is best effort: a poll that fails or cannot be read reports nothing.
        if (!rows || rows->empty()) continue;
        auto progress = (*rows)[0]
                            .As<std::optional<std::string>, std::optional<std::int64_t>, std::optional<std::int64_t>,
                                std::optional<std::int64_t>, std::optional<std::int64_t>>();
        if (!progress) continue;
        const auto& [phase, blocks_done, blocks_total, tuples_done, tuples_total] = *progress;
        options.on_progress({phase.value_or(""), blocks_done.value_or(0), blocks_total.value_or(0),
                             tuples_done.value_or(0), tuples_total.value_or(0), ElapsedMs(start) / 1000});
    }
    worker.join();
    report.duration_ms = ElapsedMs(start);

    if (!build_result) {
        // PostgreSQL leaves an INVALID index behind when a concurrent build fails after its first phase.
        std::string cleanup;
        auto after = ReadIndexState(*monitor, index);
        if (after && *after == IndexState::kInvalid) {
            auto dropped = DropInvalid(*monitor, index, options.cleanup_attempts);
            cleanup = dropped ? "; the INVALID index it left was dropped"
                              : fmt::format(
                                    "; the INVALID index it left could not be dropped ({}): run DROP INDEX "
                                    "CONCURRENTLY IF EXISTS {}",
                                    dropped.error().message, index.Qualified());
        }
        Error e = build_result.error();
        e.message = fmt::format(
            "{}{}{}", cancelled ? "the index build was cancelled: " : "the index build failed: ", e.message, cleanup);
        return tl::unexpected(e);
    }
    // The size is for the report only: when it cannot be read it stays 0.
    auto size = monitor->Query("SELECT pg_relation_size(to_regclass($1))", Params{index.Qualified()});
    if (size) {
        if (auto bytes = size->Scalar<std::optional<std::int64_t>>(); bytes) report.index_bytes = bytes->value_or(0);
    }
    auto after = ReadIndexState(*monitor, index);
    if (!after) return tl::unexpected(after.error());
    if (*after != IndexState::kValid) {
        return MakeError(ErrorCode::kInternal,
                         fmt::format("the build of {} reported success but the index is not valid: check "
                                     "`optischema check`",
                                     index.Qualified()));
    }
    return report;
}

Result<double> DropIndexConcurrently(const std::string& dsn,
                                     const std::string& drop_sql,
                                     std::chrono::milliseconds lock_timeout) {
    auto conn = pg::Connection::Open(dsn, LimitsFor({.lock_timeout = lock_timeout}));
    if (!conn) return tl::unexpected(conn.error());
    // Names as written resolve under the target's search_path; a DROP INDEX runs no code of the target's.
    auto ddl = guard::Clear(*conn, drop_sql, {.use = guard::Use::kRun, .index_ddl = true});
    if (!ddl) return tl::unexpected(ddl.error());
    const auto start = Clock::now();
    if (auto ok = guard::OnStatementSearchPath(*conn, *ddl, [&] { return conn->Execute(drop_sql); }); !ok) {
        return tl::unexpected(ok.error());
    }
    return ElapsedMs(start);
}

}  // namespace optischema::sandbox
