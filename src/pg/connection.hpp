#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.hpp"
#include "common/identity.hpp"
#include "pg/rows.hpp"

struct pg_conn;

namespace optischema::pg {

/// Session limits applied to every connection: OptiSchema must never hold locks or run away on a
/// production server.
struct SessionLimits {
    std::chrono::milliseconds statement_timeout{30'000};
    std::chrono::milliseconds lock_timeout{2'000};
    std::chrono::milliseconds idle_in_transaction_timeout{60'000};
    std::chrono::seconds connect_timeout{10};  // used only when neither the DSN nor PGCONNECT_TIMEOUT sets one
};

/// The connection options OptiSchema adds unless the DSN (or the environment, or a service file) sets
/// them: connect_timeout, and TCP keepalives with tcp_user_timeout so a vanished server is noticed.
[[nodiscard]] std::vector<std::pair<std::string, std::string>> ConnectionDefaults(const std::string& dsn,
                                                                                  const SessionLimits& limits);

/// Owns one libpq connection. Not thread-safe: one thread uses it at a time.
class Connection {
public:
    /// Connects with a URI or key=value DSN (libpq's environment variables, service file and
    /// .pgpass apply), sets application_name and the session limits, and pins search_path to
    /// `pg_catalog, pg_temp` so that no object a user made can stand in for a built-in. Errors are actionable.
    [[nodiscard]] static Result<Connection> Open(const std::string& dsn, const SessionLimits& limits = {});

    Connection(Connection&&) noexcept;
    Connection& operator=(Connection&&) noexcept;
    ~Connection();

    /// Runs one statement with text parameters ($1..$n); NULL params as std::nullopt.
    [[nodiscard]] Result<Rows> Query(std::string_view sql, std::span<const std::optional<std::string>> params = {});
    /// Runs one statement through the simple query protocol, for the statement the extended protocol
    /// cannot carry: EXPLAIN (GENERIC_PLAN) of a text with $n placeholders and no values to bind. A text
    /// that holds several statements runs them all before the error: run it in a transaction rolled back.
    [[nodiscard]] Result<Rows> QuerySimple(std::string_view sql);
    /// Runs one statement, discarding its result. A string holding several statements is refused
    /// by the server (extended protocol), so user text can never smuggle in a second one.
    [[nodiscard]] Result<void> Execute(std::string_view sql);
    /// Runs a script that ships with OptiSchema (several statements, simple protocol), e.g. the demo's
    /// schema. Never pass user text: that is what Execute is for.
    [[nodiscard]] Result<void> ExecuteScript(std::string_view script);
    /// Runs OptiSchema's own statements in one round trip, each tagged, stopping at the first error.
    [[nodiscard]] Result<void> ExecuteAll(std::initializer_list<std::string_view> statements);

    /// Streams the rows of `copy_out_sql` (a `COPY ... TO STDOUT`) on this connection into `dest` through
    /// `copy_in_sql` (a `COPY ... FROM STDIN` with the same format), without holding them in memory.
    /// Returns the number of rows the destination took. On any error the destination's COPY is aborted.
    [[nodiscard]] Result<std::int64_t> CopyTo(Connection& dest,
                                              std::string_view copy_out_sql,
                                              std::string_view copy_in_sql);

    /// The server process serving this connection (pg_backend_pid()).
    [[nodiscard]] int BackendPid() const;

    /// True inside a transaction block (BEGIN ... COMMIT/ROLLBACK), also a failed one.
    [[nodiscard]] bool InTransaction() const;
    /// True when the connection is lost (server restart, terminated backend, network failure).
    [[nodiscard]] bool IsBroken() const;
    /// Sets search_path back to OptiSchema's pinned `pg_catalog, pg_temp` (after a statement of the
    /// target's ran under the target's own path).
    [[nodiscard]] Result<void> PinSearchPath();
    /// The search_path the target gives this role (its database, role and server settings), which the
    /// pinned one replaces: the path under which the names of texts OptiSchema did not write resolve.
    /// Read once and remembered.
    [[nodiscard]] Result<std::string> TargetSearchPath();
    /// Runs `body` in a transaction opened with `begin` ("BEGIN READ ONLY", ...) whose search_path is
    /// `search_path` (a target's own, for a text OptiSchema did not write), and rolls it back whatever
    /// happens: OptiSchema's pinned path is back afterwards.
    [[nodiscard]] Result<void> InRolledBackTransaction(std::string_view begin,
                                                       std::string_view search_path,
                                                       const std::function<Result<void>()>& body);
    /// Runs `body` with the session's search_path set to `search_path`, then pins OptiSchema's again:
    /// for one statement that cannot run in a transaction block (CREATE/DROP INDEX CONCURRENTLY).
    [[nodiscard]] Result<void> OnSearchPath(std::string_view search_path, const std::function<Result<void>()>& body);
    /// Re-establishes a lost connection with the same parameters and session settings.
    [[nodiscard]] Result<void> Reconnect();

    /// "15.18" as the server reports it.
    [[nodiscard]] std::string ServerVersion() const;
    /// e.g. 150018.
    [[nodiscard]] int ServerVersionNum() const;
    /// The database and user actually connected to.
    [[nodiscard]] std::string Database() const;
    [[nodiscard]] std::string User() const;

private:
    Connection(pg_conn* conn, std::string dsn, const SessionLimits& limits);
    [[nodiscard]] Result<void> ApplyLimits();
    struct Closer {
        void operator()(pg_conn* c) const;
    };
    std::unique_ptr<pg_conn, Closer> conn_;
    std::string dsn_;  // for error messages after a reconnect; shown only redacted
    SessionLimits limits_;
    std::optional<std::string> target_search_path_;
};

}  // namespace optischema::pg
