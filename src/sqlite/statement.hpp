#pragma once

// Thin RAII over SQLite's C API, shared by the store and the LLM response cache (header only).

#include <cstdint>
#include <optional>
#include <string>

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

namespace optischema::sqlite {

/// Makes the database file at `path` its owner's alone (0600) before SQLite opens it: created so when
/// missing, closed when it exists. SQLite gives its -wal, -shm and journal files the database file's
/// mode, so they follow. False when the file can be neither created nor changed.
inline bool MakePrivateFile(const std::string& path) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return false;
    const bool ok = ::fchmod(fd, 0600) == 0;
    ::close(fd);
    return ok;
}

/// A prepared statement; binds by 1-based position and steps.
class Statement {
public:
    Statement(sqlite3* db, const char* sql) { rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr); }
    ~Statement() { sqlite3_finalize(stmt_); }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    [[nodiscard]] bool ok() const { return rc_ == SQLITE_OK; }
    /// How many parameters (?N) the statement takes.
    Statement& Bind(int i, std::int64_t v) {
        sqlite3_bind_int64(stmt_, i, v);
        return *this;
    }
    Statement& Bind(int i, double v) {
        sqlite3_bind_double(stmt_, i, v);
        return *this;
    }
    Statement& Bind(int i, const std::string& v) {
        sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
        return *this;
    }
    Statement& Bind(int i, std::optional<std::int64_t> v) {
        if (v) return Bind(i, *v);
        sqlite3_bind_null(stmt_, i);
        return *this;
    }
    /// SQLITE_ROW, SQLITE_DONE or an error code.
    int Step() { return sqlite3_step(stmt_); }
    void Reset() {
        sqlite3_reset(stmt_);
        sqlite3_clear_bindings(stmt_);
    }
    [[nodiscard]] std::int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
    [[nodiscard]] double Real(int col) const { return sqlite3_column_double(stmt_, col); }
    [[nodiscard]] bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
    [[nodiscard]] std::string Text(int col) const {
        const auto* p = sqlite3_column_text(stmt_, col);
        if (p == nullptr) return {};
        return std::string(reinterpret_cast<const char*>(p),
                           static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)));
    }
    [[nodiscard]] std::optional<std::int64_t> OptInt(int col) const {
        if (IsNull(col)) return std::nullopt;
        return Int(col);
    }

private:
    sqlite3_stmt* stmt_ = nullptr;
    int rc_;
};

/// Rolls back unless committed.
class Transaction {
public:
    explicit Transaction(sqlite3* db) : db_(db) {
        ok_ = sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK;
    }
    ~Transaction() {
        if (ok_ && !committed_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    }
    [[nodiscard]] bool ok() const { return ok_; }
    [[nodiscard]] bool Commit() {
        committed_ = sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK;
        return committed_;
    }

private:
    sqlite3* db_;
    bool ok_ = false;
    bool committed_ = false;
};

}  // namespace optischema::sqlite
