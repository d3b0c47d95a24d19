#pragma once

// Internal to store/: what the SqliteStore's source files share: errors, parameter binding, the cells
// of a row for read_records.hpp, and the prepare-bind-step calls every method makes.

#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <fmt/format.h>
#include <sqlite3.h>

#include "common/error.hpp"
#include "sqlite/statement.hpp"

namespace optischema::store::detail {

using sqlite::Statement;
using sqlite::Transaction;

/// kStorage, naming what failed and SQLite's message.
inline Error StorageError(sqlite3* db, std::string_view what) {
    return Error{ErrorCode::kStorage, fmt::format("store: {}: {}", what, sqlite3_errmsg(db)), {}};
}

/// A queryid list as SQLite keeps it: "1,-2,3".
inline std::string JoinIds(const std::vector<std::int64_t>& ids) {
    std::string out;
    for (std::size_t i = 0; i < ids.size(); ++i) {
        if (i > 0) out += ',';
        out += std::to_string(ids[i]);
    }
    return out;
}

/// JoinIds' text back into numbers.
inline std::vector<std::int64_t> SplitIds(const std::string& text) {
    std::vector<std::int64_t> ids;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find(',', start);
        if (end == std::string::npos) end = text.size();
        ids.push_back(std::stoll(text.substr(start, end - start)));
        start = end + 1;
    }
    return ids;
}

/// The cells of the row a stepped statement stands on (read_records.hpp's RowCells).
class SqliteRow {
public:
    explicit SqliteRow(const Statement& s) : s_(s) {}
    [[nodiscard]] std::int64_t Int(int i) const { return s_.Int(i); }
    [[nodiscard]] std::optional<std::int64_t> OptInt(int i) const { return s_.OptInt(i); }
    [[nodiscard]] double Real(int i) const { return s_.Real(i); }
    [[nodiscard]] std::optional<double> OptReal(int i) const {
        if (s_.IsNull(i)) return std::nullopt;
        return s_.Real(i);
    }
    [[nodiscard]] std::string Text(int i) const { return s_.Text(i); }
    [[nodiscard]] bool Bool(int i) const { return s_.Int(i) != 0; }
    [[nodiscard]] std::vector<std::int64_t> Ids(int i) const { return SplitIds(s_.Text(i)); }

private:
    const Statement& s_;
};

/// Binds ?i: integers (bool as 0 or 1) as INTEGER, doubles as REAL, text, and nullopt as NULL.
template <std::integral T>
void BindParam(Statement& s, int i, T v) {
    s.Bind(i, static_cast<std::int64_t>(v));
}
inline void BindParam(Statement& s, int i, double v) { s.Bind(i, v); }
inline void BindParam(Statement& s, int i, const std::string& v) { s.Bind(i, v); }
template <typename T>
void BindParam(Statement& s, int i, const std::optional<T>& v) {
    if (v) {
        BindParam(s, i, *v);
    } else {
        s.Bind(i, std::optional<std::int64_t>());
    }
}

/// Binds `params` to ?1..?n.
template <typename... P>
void BindParams(Statement& s, const P&... params) {
    int i = 1;
    (BindParam(s, i++, params), ...);
}

/// What `read` makes of a row.
template <typename Read>
using ReadResult = std::invoke_result_t<Read, const SqliteRow&>;

/// Prepares `sql`, binds `params` and reads every row with `read`; `what` names the call in errors.
template <typename Read, typename... P>
[[nodiscard]] Result<std::vector<ReadResult<Read>>> SelectAll(
    sqlite3* db, const std::string& sql, std::string_view what, Read&& read, const P&... params) {
    Statement s(db, sql.c_str());
    if (!s.ok()) return tl::unexpected(StorageError(db, fmt::format("prepare {}", what)));
    BindParams(s, params...);
    std::vector<ReadResult<Read>> out;
    int rc = SQLITE_ROW;
    while ((rc = s.Step()) == SQLITE_ROW) out.push_back(read(SqliteRow(s)));
    if (rc != SQLITE_DONE) return tl::unexpected(StorageError(db, what));
    return out;
}

/// As SelectAll, for a statement of one row at most (a lookup by key, a write with RETURNING): that
/// row, or nullopt when there is none.
template <typename Read, typename... P>
[[nodiscard]] Result<std::optional<ReadResult<Read>>> SelectOne(
    sqlite3* db, const std::string& sql, std::string_view what, Read&& read, const P&... params) {
    Statement s(db, sql.c_str());
    if (!s.ok()) return tl::unexpected(StorageError(db, fmt::format("prepare {}", what)));
    BindParams(s, params...);
    const int rc = s.Step();
    if (rc == SQLITE_DONE) return std::optional<ReadResult<Read>>();
    if (rc != SQLITE_ROW) return tl::unexpected(StorageError(db, what));
    std::optional<ReadResult<Read>> out(read(SqliteRow(s)));
    s.Step();  // a write with RETURNING completes only when stepped to its end
    return out;
}

/// Prepares `sql` (a write), binds `params` and runs it to the end; returns how many rows it changed.
template <typename... P>
[[nodiscard]] Result<int> Change(sqlite3* db, const std::string& sql, std::string_view what, const P&... params) {
    Statement s(db, sql.c_str());
    if (!s.ok()) return tl::unexpected(StorageError(db, fmt::format("prepare {}", what)));
    BindParams(s, params...);
    if (s.Step() != SQLITE_DONE) return tl::unexpected(StorageError(db, what));
    return sqlite3_changes(db);
}

/// As Change, when the count does not matter.
template <typename... P>
[[nodiscard]] Result<void> Execute(sqlite3* db, const std::string& sql, std::string_view what, const P&... params) {
    auto changed = Change(db, sql, what, params...);
    if (!changed) return tl::unexpected(changed.error());
    return {};
}

/// Prepares `sql` (a write) once and runs it for each of `items`, `bind(statement, item)` binding its
/// parameters; stops at the first failure. `what` names one run in errors.
template <typename Items, typename Bind>
[[nodiscard]] Result<void> ExecuteEach(
    sqlite3* db, const std::string& sql, std::string_view what, const Items& items, Bind&& bind) {
    Statement s(db, sql.c_str());
    if (!s.ok()) return tl::unexpected(StorageError(db, fmt::format("prepare {}", what)));
    for (const auto& item : items) {
        bind(s, item);
        if (s.Step() != SQLITE_DONE) return tl::unexpected(StorageError(db, what));
        s.Reset();
    }
    return {};
}

}  // namespace optischema::store::detail
