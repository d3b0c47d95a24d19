#include "pg/connection.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>
#include <libpq-fe.h>
#include <spdlog/spdlog.h>

#include "common/strings.hpp"
#include "pg/dsn.hpp"

namespace optischema::pg {
namespace {

// libpq messages span lines ("connection to server ... failed: FATAL:  ...\n\tIs the server running...").
// Keep the first line, squeezed, for a one-line error.
std::string FirstLine(const char* msg) {
    if (msg == nullptr) return "unknown error";
    std::string_view text(msg);
    text = Trim(text);
    if (const auto nl = text.find('\n'); nl != std::string_view::npos) text = text.substr(0, nl);
    return CollapseWhitespace(text);
}

bool Contains(std::string_view haystack, std::string_view needle) {
    return haystack.find(needle) != std::string_view::npos;
}

// Turns a failed connection attempt into a message that says what to do. libpq reports most causes
// only as text, so the classification reads it (English messages; others fall through to the raw text).
Error ConnectError(PGconn* conn, const std::string& dsn) {
    const std::string raw = FirstLine(PQerrorMessage(conn));
    const std::string where = RedactDsn(dsn);
    std::string advice;
    if (Contains(raw, "password authentication failed") || Contains(raw, "no password supplied") ||
        Contains(raw, "authentication failed")) {
        advice = "check the user name and password (in the DSN, PGPASSWORD or ~/.pgpass)";
    } else if (Contains(raw, "does not exist") && Contains(raw, "database")) {
        advice = "check the database name, or create it; `psql -l` lists the databases";
    } else if (Contains(raw, "does not exist") && Contains(raw, "role")) {
        advice = "check the user name, or create the role on the server";
    } else if (Contains(raw, "no pg_hba.conf entry")) {
        advice = "allow this host and user in the server's pg_hba.conf and reload it";
    } else if (Contains(raw, "could not translate host name")) {
        advice = "check the host name";
    } else if (Contains(raw, "Connection refused") || Contains(raw, "No such file or directory") ||
               Contains(raw, "timeout expired") || Contains(raw, "No route to host") ||
               Contains(raw, "Network is unreachable")) {
        advice =
            "check host and port, that PostgreSQL is running, and that it accepts connections "
            "there (listen_addresses, firewall)";
    } else {
        advice = "check the DSN and that the server accepts this connection";
    }
    return Error{ErrorCode::kConnectionFailed, fmt::format("cannot connect to {}: {}; {}", where, raw, advice), {}};
}

Error QueryError(PGresult* res, PGconn* conn, std::string_view sql) {
    const char* state = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    const char* primary = res != nullptr ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
    const char* hint = res != nullptr ? PQresultErrorField(res, PG_DIAG_MESSAGE_HINT) : nullptr;
    std::string msg = primary != nullptr ? std::string(primary) : FirstLine(PQerrorMessage(conn));
    std::string sqlstate = state != nullptr ? state : "";
    // 57014 is also a cancel on request (pg_cancel_backend, Ctrl-C): only a timeout says "statement timeout".
    if (sqlstate == "57014" && msg.find("statement timeout") != std::string::npos) {
        msg += "; the statement ran longer than OptiSchema's statement_timeout";
    } else if (sqlstate == "55P03") {
        msg += "; another session holds a conflicting lock (lock_timeout reached), try again later";
    } else if (sqlstate == "42501") {
        msg += "; grant the missing privilege to this role";
    }
    if (hint != nullptr) msg += fmt::format(" (hint: {})", hint);
    const ErrorCode code = sqlstate.empty() ? ErrorCode::kConnectionFailed : ErrorCode::kQueryFailed;
    return Error{code, fmt::format("{} [in: {}]", msg, Ellipsize(CollapseWhitespace(sql), 120)), sqlstate};
}

struct ResultFree {
    void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultFree>;

// Every statement carries OptiSchema's tag, so the collector can leave it out of the ranking.
std::string Tagged(std::string_view sql) { return TagStatement(sql); }

bool Succeeded(PGresult* res) {
    const ExecStatusType status = res != nullptr ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    return status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK;
}

bool EnvSet(const char* name) {
    const char* value = std::getenv(name);
    return value != nullptr && *value != '\0';
}

}  // namespace

std::vector<std::pair<std::string, std::string>> ConnectionDefaults(const std::string& dsn,
                                                                    const SessionLimits& limits) {
    const std::vector<std::string> set = DsnKeywords(dsn);
    const auto sets = [&](std::string_view key) { return std::find(set.begin(), set.end(), key) != set.end(); };
    std::vector<std::pair<std::string, std::string>> out;
    if (!sets("connect_timeout") && !EnvSet("PGCONNECT_TIMEOUT")) {
        out.emplace_back("connect_timeout", std::to_string(limits.connect_timeout.count()));
    }
    // Over TCP, a server that vanished (a network cut, a failover) is noticed in about a minute instead of
    // the kernel's two hours: TCP keepalives, and a bound on unacknowledged sends. A service file may set
    // its own, so none are added for a service; keys this libpq does not know (tcp_user_timeout before
    // libpq 12) are left out.
    if (sets("service") || EnvSet("PGSERVICE")) return out;
    for (const auto& [key, value] : {std::pair{"keepalives_idle", "30"}, std::pair{"keepalives_interval", "10"},
                                     std::pair{"keepalives_count", "3"}, std::pair{"tcp_user_timeout", "60000"}}) {
        if (!sets(key) && IsLibpqKeyword(key)) out.emplace_back(key, value);
    }
    return out;
}

void Connection::Closer::operator()(pg_conn* c) const { PQfinish(c); }

Connection::Connection(pg_conn* conn, std::string dsn, const SessionLimits& limits)
    : conn_(conn), dsn_(std::move(dsn)), limits_(limits) {}
Connection::Connection(Connection&&) noexcept = default;
Connection& Connection::operator=(Connection&&) noexcept = default;
Connection::~Connection() = default;

Result<Connection> Connection::Open(const std::string& dsn, const SessionLimits& limits) {
    if (auto valid = ValidateDsn(dsn); !valid) return tl::unexpected(valid.error());

    // Later keywords override the DSN's (expand_dbname), earlier ones are only defaults.
    const auto defaults = ConnectionDefaults(dsn, limits);
    std::vector<const char*> keys;
    std::vector<const char*> values;
    for (const auto& [key, value] : defaults) {
        keys.push_back(key.c_str());
        values.push_back(value.c_str());
    }
    keys.push_back("dbname");
    values.push_back(dsn.c_str());
    keys.push_back("application_name");
    values.push_back(kApplicationName.data());
    keys.push_back(nullptr);
    values.push_back(nullptr);

    PGconn* raw = PQconnectdbParams(keys.data(), values.data(), /*expand_dbname=*/1);
    if (raw == nullptr) return MakeError(ErrorCode::kInternal, "out of memory while connecting");
    Connection conn(raw, dsn, limits);
    if (PQstatus(raw) != CONNECTION_OK) return tl::unexpected(ConnectError(raw, dsn));
    // Server notices ("schema already exists, skipping") go to the debug log, not the user's terminal.
    PQsetNoticeProcessor(
        raw, [](void*, const char* message) { spdlog::debug("server notice: {}", FirstLine(message)); }, nullptr);
    if (auto ok = conn.ApplyLimits(); !ok) return tl::unexpected(ok.error());
    return conn;
}

namespace {
constexpr std::string_view kPinnedSearchPath = "SET search_path = pg_catalog, pg_temp";
}  // namespace

Result<void> Connection::ApplyLimits() {
    const std::string statement = fmt::format("SET statement_timeout = {}", limits_.statement_timeout.count());
    const std::string lock = fmt::format("SET lock_timeout = {}", limits_.lock_timeout.count());
    const std::string idle =
        fmt::format("SET idle_in_transaction_session_timeout = {}", limits_.idle_in_transaction_timeout.count());
    // search_path first: a database or role setting (`ALTER DATABASE app SET search_path = evil, ...`)
    // must never decide which function or operator OptiSchema's own statements call. A statement
    // OptiSchema did not write runs under the target's own path, set only inside its transaction
    // (guard::InStatementTransaction); pg_settings.reset_val still shows that path.
    return ExecuteAll({kPinnedSearchPath, statement, lock, idle});
}

Result<void> Connection::PinSearchPath() { return Execute(kPinnedSearchPath); }

namespace {

Result<void> SetSearchPath(Connection& conn, std::string_view path, bool local) {
    const std::vector<std::optional<std::string>> params = {std::string(path), local ? "true" : "false"};
    auto set = conn.Query("SELECT pg_catalog.set_config('search_path', $1, $2::pg_catalog.bool)", params);
    if (!set) return tl::unexpected(set.error());
    return {};
}

}  // namespace

Result<void> Connection::InRolledBackTransaction(std::string_view begin,
                                                 std::string_view search_path,
                                                 const std::function<Result<void>()>& body) {
    if (auto ok = Execute(begin); !ok) return tl::unexpected(ok.error());
    auto set = SetSearchPath(*this, search_path, /*local=*/true);
    Result<void> result = set ? body() : set;
    if (auto ok = Execute("ROLLBACK"); !ok && result) return tl::unexpected(ok.error());
    return result;
}

Result<void> Connection::OnSearchPath(std::string_view search_path, const std::function<Result<void>()>& body) {
    auto set = SetSearchPath(*this, search_path, /*local=*/false);
    Result<void> result = set ? body() : set;
    if (auto pinned = PinSearchPath(); !pinned && result) return pinned;
    return result;
}

Result<std::string> Connection::TargetSearchPath() {
    if (target_search_path_) return *target_search_path_;
    // reset_val: what RESET would restore, the database's, role's or server's setting, not the pinned one.
    auto rows = Query("SELECT s.reset_val FROM pg_catalog.pg_settings s WHERE s.name = 'search_path'");
    if (!rows) return tl::unexpected(rows.error());
    auto path = rows->Scalar<std::string>();
    if (!path) return tl::unexpected(path.error());
    target_search_path_ = *path;
    return *path;
}

bool Connection::InTransaction() const {
    const auto status = PQtransactionStatus(conn_.get());
    return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE;
}

bool Connection::IsBroken() const { return PQstatus(conn_.get()) == CONNECTION_BAD; }

Result<void> Connection::Reconnect() {
    PQreset(conn_.get());
    if (PQstatus(conn_.get()) != CONNECTION_OK) return tl::unexpected(ConnectError(conn_.get(), dsn_));
    return ApplyLimits();
}

namespace {

Rows ToRows(PGresult* res) {
    const int ncols = PQnfields(res);
    const int nrows = PQntuples(res);
    std::vector<std::string> columns;
    columns.reserve(ncols);
    for (int c = 0; c < ncols; ++c) columns.emplace_back(PQfname(res, c));
    std::vector<std::vector<std::optional<std::string>>> rows;
    rows.reserve(nrows);
    for (int r = 0; r < nrows; ++r) {
        auto& row = rows.emplace_back();
        row.reserve(ncols);
        for (int c = 0; c < ncols; ++c) {
            if (PQgetisnull(res, r, c)) {
                row.emplace_back(std::nullopt);
            } else {
                row.emplace_back(std::string(PQgetvalue(res, r, c), PQgetlength(res, r, c)));
            }
        }
    }
    return Rows(std::move(columns), std::move(rows));
}

}  // namespace

Result<Rows> Connection::Query(std::string_view sql, std::span<const std::optional<std::string>> params) {
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
    const std::string tagged = Tagged(sql);
    ResultPtr res(PQexecParams(conn_.get(), tagged.c_str(), static_cast<int>(values.size()), nullptr, values.data(),
                               nullptr, nullptr, 0));
    if (!Succeeded(res.get())) return tl::unexpected(QueryError(res.get(), conn_.get(), sql));
    return ToRows(res.get());
}

Result<Rows> Connection::QuerySimple(std::string_view sql) {
    if (PQsendQuery(conn_.get(), Tagged(sql).c_str()) == 0) {
        return tl::unexpected(QueryError(nullptr, conn_.get(), sql));
    }
    // Every result is collected, so the connection is ready for the next statement whatever happens.
    ResultPtr first;
    std::optional<Error> failed;
    int results = 0;
    while (PGresult* raw = PQgetResult(conn_.get())) {
        ResultPtr res(raw);
        ++results;
        if (!failed && !Succeeded(res.get())) failed = QueryError(res.get(), conn_.get(), sql);
        if (results == 1) first = std::move(res);
    }
    if (failed) return tl::unexpected(*failed);
    if (results != 1) {
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("the text holds {} statements: pass exactly one", results));
    }
    return ToRows(first.get());
}

Result<void> Connection::Execute(std::string_view sql) {
    ResultPtr res(PQexecParams(conn_.get(), Tagged(sql).c_str(), 0, nullptr, nullptr, nullptr, nullptr, 0));
    if (!Succeeded(res.get())) return tl::unexpected(QueryError(res.get(), conn_.get(), sql));
    return {};
}

Result<void> Connection::ExecuteScript(std::string_view script) {
    const std::string text(script);
    ResultPtr res(PQexec(conn_.get(), text.c_str()));
    if (!Succeeded(res.get())) return tl::unexpected(QueryError(res.get(), conn_.get(), script));
    return {};
}

Result<void> Connection::ExecuteAll(std::initializer_list<std::string_view> statements) {
    // pg_stat_statements records each statement of a multi-statement string with its own text, so
    // each carries the tag.
    std::string joined;
    for (std::string_view s : statements) joined += Tagged(s) + ";\n";
    ResultPtr res(PQexec(conn_.get(), joined.c_str()));
    if (!Succeeded(res.get())) return tl::unexpected(QueryError(res.get(), conn_.get(), joined));
    return {};
}

Result<std::int64_t> Connection::CopyTo(Connection& dest, std::string_view copy_out_sql, std::string_view copy_in_sql) {
    ResultPtr out(PQexec(conn_.get(), Tagged(copy_out_sql).c_str()));
    if (PQresultStatus(out.get()) != PGRES_COPY_OUT)
        return tl::unexpected(QueryError(out.get(), conn_.get(), copy_out_sql));
    ResultPtr in(PQexec(dest.conn_.get(), Tagged(copy_in_sql).c_str()));
    if (PQresultStatus(in.get()) != PGRES_COPY_IN) {
        // Drain the source so this connection stays usable.
        for (char* buf = nullptr; PQgetCopyData(conn_.get(), &buf, 0) > 0; buf = nullptr) PQfreemem(buf);
        while (ResultPtr(PQgetResult(conn_.get()))) {
        }
        return tl::unexpected(QueryError(in.get(), dest.conn_.get(), copy_in_sql));
    }
    std::optional<Error> failure;
    for (;;) {
        char* buf = nullptr;
        const int n = PQgetCopyData(conn_.get(), &buf, 0);
        if (n == -1) break;  // the source is done
        if (n < 0) {
            failure = Error{ErrorCode::kConnectionFailed,
                            fmt::format("reading COPY data failed: {}", FirstLine(PQerrorMessage(conn_.get()))),
                            {}};
            break;
        }
        // After a write failure the source is still read to its end, so its connection stays usable.
        if (!failure && PQputCopyData(dest.conn_.get(), buf, n) != 1) {
            failure = Error{ErrorCode::kConnectionFailed,
                            fmt::format("writing COPY data failed: {}", FirstLine(PQerrorMessage(dest.conn_.get()))),
                            {}};
        }
        PQfreemem(buf);
    }
    // The source's final status: an error in the middle of its COPY arrives here.
    for (ResultPtr r(PQgetResult(conn_.get())); r; r.reset(PQgetResult(conn_.get()))) {
        if (!failure && PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
            failure = QueryError(r.get(), conn_.get(), copy_out_sql);
        }
    }
    if (PQputCopyEnd(dest.conn_.get(), failure ? "aborted by OptiSchema" : nullptr) != 1 && !failure) {
        failure = Error{ErrorCode::kConnectionFailed,
                        fmt::format("ending COPY failed: {}", FirstLine(PQerrorMessage(dest.conn_.get()))),
                        {}};
    }
    std::int64_t rows = 0;
    for (ResultPtr r(PQgetResult(dest.conn_.get())); r; r.reset(PQgetResult(dest.conn_.get()))) {
        if (!failure && PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
            failure = QueryError(r.get(), dest.conn_.get(), copy_in_sql);
        } else if (!failure) {
            // The count of a COPY; a server that sends none leaves it at 0.
            rows = ParseText<std::int64_t>(PQcmdTuples(r.get())).value_or(0);
        }
    }
    if (failure) return tl::unexpected(*failure);
    return rows;
}

int Connection::BackendPid() const { return PQbackendPID(conn_.get()); }

std::string Connection::ServerVersion() const {
    const char* v = PQparameterStatus(conn_.get(), "server_version");
    if (v == nullptr) return "";
    std::string_view text(v);
    // "15.18 (Debian 15.18-0+deb12u1)" -> "15.18"
    return std::string(text.substr(0, text.find(' ')));
}

int Connection::ServerVersionNum() const { return PQserverVersion(conn_.get()); }
std::string Connection::Database() const { return PQdb(conn_.get()); }
std::string Connection::User() const { return PQuser(conn_.get()); }

}  // namespace optischema::pg
