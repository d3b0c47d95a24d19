#include "store/sqlite_store.hpp"

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/store_contract.hpp"

namespace optischema::store {
namespace {

namespace fs = std::filesystem;
using contract::Group;
using contract::kFpA;
using contract::MakeBaseline;
using contract::StoreContract;
using contract::Write;
using model::StatementGroup;

/// A fresh directory under TMPDIR, removed with everything in it.
class TempDir {
public:
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "optischema_store_test.XXXXXX").string();
        if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    [[nodiscard]] const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

/// Opens the store file with SQLite directly, to look at it the way a user's tools would.
class RawDb {
public:
    explicit RawDb(const fs::path& file) {
        if (sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
            throw std::runtime_error("cannot open " + file.string());
        }
    }
    ~RawDb() { sqlite3_close_v2(db_); }
    RawDb(const RawDb&) = delete;
    RawDb& operator=(const RawDb&) = delete;

    /// The first column of every row, as text.
    std::vector<std::string> Column(const std::string& sql) {
        sqlite3_stmt* stmt = nullptr;
        if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
            throw std::runtime_error(sql + ": " + sqlite3_errmsg(db_));
        }
        std::vector<std::string> out;
        int rc;
        while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
            const auto* text = sqlite3_column_text(stmt, 0);
            out.emplace_back(text == nullptr ? "NULL" : reinterpret_cast<const char*>(text));
        }
        sqlite3_finalize(stmt);
        if (rc != SQLITE_DONE) throw std::runtime_error(sql + ": " + sqlite3_errmsg(db_));
        return out;
    }
    std::string One(const std::string& sql) {
        auto rows = Column(sql);
        if (rows.size() != 1) throw std::runtime_error(sql + ": expected one row");
        return rows[0];
    }
    long long Int(const std::string& sql) { return std::stoll(One(sql)); }
    void Exec(const std::string& sql) {
        if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
            throw std::runtime_error(sql + ": " + sqlite3_errmsg(db_));
        }
    }

private:
    sqlite3* db_ = nullptr;
};

fs::path DbFile(const fs::path& data_dir) { return data_dir / "optischema.db"; }

std::unique_ptr<SqliteStore> MustOpen(const fs::path& data_dir) {
    auto store = SqliteStore::Open(data_dir.string());
    if (!store) throw std::runtime_error(store.error().ToString());
    return std::move(*store);
}
/// A fresh data directory per contract test.
class SqliteHarness final : public contract::StoreHarness {
public:
    std::unique_ptr<Store> Open() override { return MustOpen(tmp_.path()); }
    void RawExec(const std::string& sql) override { RawDb(DbFile(tmp_.path())).Exec(sql); }
    long long RawInt(const std::string& sql) override { return RawDb(DbFile(tmp_.path())).Int(sql); }

private:
    TempDir tmp_;
};

INSTANTIATE_TEST_SUITE_P(Sqlite,
                         StoreContract,
                         ::testing::Values(contract::StoreFactory{
                             "Sqlite", [] { return std::unique_ptr<contract::StoreHarness>(new SqliteHarness()); }}),
                         contract::FactoryName);

// Open and migrate

TEST(SqliteStoreTest, OpenCreatesDirectoryAndFileAndMigrates) {
    TempDir tmp;
    const fs::path data_dir = tmp.path() / "nested" / "data";
    auto store = SqliteStore::Open(data_dir.string());
    ASSERT_TRUE(store) << store.error().ToString();
    EXPECT_TRUE(fs::is_directory(data_dir));
    EXPECT_TRUE(fs::is_regular_file(DbFile(data_dir)));
    EXPECT_EQ((*store)->SchemaVersion(), 6);

    RawDb raw(DbFile(data_dir));
    EXPECT_EQ(raw.Int("PRAGMA user_version"), 6);
    EXPECT_EQ(raw.One("PRAGMA journal_mode"), "wal");
    const auto tables = raw.Column("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
    EXPECT_EQ(tables,
              (std::vector<std::string>{"api_tokens", "audit_events", "baseline_counters", "baselines", "group_rollups",
                                        "latency_samples", "queries", "recommendations", "sessions", "settings",
                                        "snapshot_groups", "snapshots", "targets", "users"}));
}

TEST(SqliteStoreTest, ReopenIsIdempotentAndKeepsData) {
    TempDir tmp;
    std::int64_t target_id = 0;
    std::int64_t snapshot_id = 0;
    {
        auto store = MustOpen(tmp.path());
        auto target = store->EnsureTarget("prod", "host=db1 dbname=app");
        ASSERT_TRUE(target);
        target_id = target->id;
        auto id = store->SaveSnapshot(Write(target_id, 1'000, std::nullopt, {Group(kFpA, {1}, "SELECT 1", 1, 1.0)}));
        ASSERT_TRUE(id) << id.error().ToString();
        snapshot_id = *id;
    }
    for (int i = 0; i < 2; ++i) {
        auto store = SqliteStore::Open(tmp.path().string());
        ASSERT_TRUE(store) << store.error().ToString();
        EXPECT_EQ((*store)->SchemaVersion(), 6);
        auto targets = (*store)->ListTargets();
        ASSERT_TRUE(targets);
        ASSERT_EQ(targets->size(), 1u);
        EXPECT_EQ(targets->at(0).id, target_id);
        auto snapshots = (*store)->ListSnapshots(target_id, 10);
        ASSERT_TRUE(snapshots);
        ASSERT_EQ(snapshots->size(), 1u);
        EXPECT_EQ(snapshots->at(0).id, snapshot_id);
    }
    RawDb raw(DbFile(tmp.path()));
    EXPECT_EQ(raw.Int("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'targets'"), 1);
}

TEST(SqliteStoreTest, RefusesAStoreWithANewerSchema) {
    TempDir tmp;
    { MustOpen(tmp.path()); }
    {
        RawDb raw(DbFile(tmp.path()));
        raw.Exec("PRAGMA user_version = 99");
    }
    auto store = SqliteStore::Open(tmp.path().string());
    ASSERT_FALSE(store);
    EXPECT_EQ(store.error().code, ErrorCode::kStorage);
    const std::string& msg = store.error().message;
    EXPECT_NE(msg.find("schema version 99"), std::string::npos) << msg;
    EXPECT_NE(msg.find("newer"), std::string::npos) << msg;
    EXPECT_NE(msg.find("upgrade optischema"), std::string::npos) << msg;
    EXPECT_NE(msg.find(DbFile(tmp.path()).string()), std::string::npos) << msg;
    // The file is left as it was.
    RawDb raw(DbFile(tmp.path()));
    EXPECT_EQ(raw.Int("PRAGMA user_version"), 99);
}

TEST(SqliteStoreTest, MigrationFiveBackfillsTheHourlyRollups) {
    TempDir tmp;
    contract::TwoWorkloads workloads = contract::SaveTwoHourlyWorkloads(*MustOpen(tmp.path()));
    long long rollup_rows = 0;
    {
        // Back to schema version 4: the same snapshots, no rollups.
        RawDb raw(DbFile(tmp.path()));
        rollup_rows = raw.Int("SELECT count(*) FROM group_rollups");
        EXPECT_GT(rollup_rows, 0);
        raw.Exec(
            "DROP TABLE group_rollups; DROP TABLE api_tokens; DROP INDEX sessions_expiry; "
            "PRAGMA user_version = 4");
    }
    auto store = MustOpen(tmp.path());
    EXPECT_EQ(store->SchemaVersion(), 6);
    {
        RawDb raw(DbFile(tmp.path()));
        EXPECT_EQ(raw.Int("SELECT count(*) FROM group_rollups"), rollup_rows);
    }
    contract::ExpectRebuiltRollupsExact(*store, workloads);
}

TEST(SqliteStoreTest, MigrationSixKeepsBrowserSessionsAndDropsTokenRowsFromSessions) {
    TempDir tmp;
    {
        auto store = MustOpen(tmp.path());
        auto user = store->CreateUser({0, "ann", "h", "admin", {}});
        ASSERT_TRUE(user);
        ASSERT_TRUE(store->SaveSession(
            {"browser", user->id, "session", "", FromUnixMs(0), FromUnixMs(1) + std::chrono::hours(24 * 365 * 100)}));
    }
    {
        // Back to schema version 5, where an API token would have been a row of sessions.
        RawDb raw(DbFile(tmp.path()));
        raw.Exec(
            "DROP TABLE api_tokens; DROP INDEX sessions_expiry; PRAGMA user_version = 5; "
            "INSERT INTO sessions VALUES ('old-api', 1, 'api', 'ci', 0, NULL)");
    }
    auto store = MustOpen(tmp.path());
    EXPECT_EQ(store->SchemaVersion(), 6);
    RawDb raw(DbFile(tmp.path()));
    EXPECT_EQ(raw.Column("SELECT token_hash FROM sessions"), (std::vector<std::string>{"browser"}));
    EXPECT_EQ(raw.Int("SELECT count(*) FROM api_tokens"), 0);
}

TEST(SqliteStoreTest, OpenFailsClearlyWhenTheDataDirectoryCannotBeCreated) {
    TempDir tmp;
    const fs::path blocker = tmp.path() / "not_a_dir";
    std::ofstream(blocker) << "x";
    auto store = SqliteStore::Open((blocker / "data").string());
    ASSERT_FALSE(store);
    EXPECT_EQ(store.error().code, ErrorCode::kStorage);
    EXPECT_NE(store.error().message.find("cannot create data directory"), std::string::npos) << store.error().message;
    EXPECT_NE(store.error().message.find("--data-dir"), std::string::npos) << store.error().message;
}

TEST(SqliteStoreTest, OpenRefusesAFileThatIsNotAStore) {
    TempDir tmp;
    std::ofstream(DbFile(tmp.path())) << "this is not an SQLite database, just some text that happens to be here\n";
    auto store = SqliteStore::Open(tmp.path().string());
    ASSERT_FALSE(store);
    EXPECT_EQ(store.error().code, ErrorCode::kStorage);
    EXPECT_NE(store.error().message.find(DbFile(tmp.path()).string()), std::string::npos) << store.error().message;
    EXPECT_NE(store.error().message.find("not a database"), std::string::npos) << store.error().message;
}

// Crash safety

constexpr int kGroupsPerSnapshot = 60;
constexpr std::size_t kBaselineEntries = 3000;

/// The child: saves large snapshots as fast as it can until killed. Writes one byte to `ready_fd`
/// after its first commit. Never returns.
[[noreturn]] void SaveUntilKilled(const fs::path& data_dir, std::int64_t target_id, int ready_fd) {
    auto store = SqliteStore::Open(data_dir.string());
    if (!store) _exit(3);
    for (long long i = 0;; ++i) {
        std::vector<StatementGroup> top;
        for (int g = 0; g < kGroupsPerSnapshot; ++g) {
            top.push_back(
                Group(fmt::format("{:016x}", g + 1), {g + 1, g + 1000}, fmt::format("SELECT {}", g), g + 1, 100.0 - g));
        }
        SnapshotWrite w = Write(target_id, 10'000 + i * 1'000, 1'000, std::move(top),
                                Group("other", {}, "5 other statements", 5, 0.5));
        for (int q = 0; q < 20; ++q) {
            w.new_queries.emplace_back(i * 100 + q, model::QueryText{fmt::format("SELECT {}", q), kFpA, false});
        }
        const model::Baseline b = MakeBaseline(10'000 + i * 1'000, kBaselineEntries);
        w.baseline = &b;
        if (!(*store)->SaveSnapshot(w)) _exit(4);
        if (i == 0) {
            const char byte = 1;
            if (write(ready_fd, &byte, 1) != 1) _exit(5);
            close(ready_fd);
        }
    }
}

TEST(SqliteStoreCrashTest, KilledWriterLeavesAConsistentStore) {
    TempDir tmp;
    std::int64_t target_id = 0;
    {
        auto store = MustOpen(tmp.path());
        auto target = store->EnsureTarget("prod", "host=db1");
        ASSERT_TRUE(target);
        target_id = target->id;
    }  // no SQLite connection is open across fork()

    int pipe_fds[2];
    ASSERT_EQ(pipe(pipe_fds), 0);
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        close(pipe_fds[0]);
        SaveUntilKilled(tmp.path(), target_id, pipe_fds[1]);
    }
    close(pipe_fds[1]);
    char byte = 0;
    const ssize_t got = read(pipe_fds[0], &byte, 1);
    close(pipe_fds[0]);
    if (got != 1) {
        int status = 0;
        waitpid(child, &status, 0);
        FAIL() << "the writer died before its first commit, exit status " << status;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    ASSERT_EQ(kill(child, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the writer stopped by itself, exit status " << WEXITSTATUS(status);
    EXPECT_EQ(WTERMSIG(status), SIGKILL);

    long long snapshots = 0;
    long long last_taken_at_ms = 0;
    {
        RawDb raw(DbFile(tmp.path()));
        EXPECT_EQ(raw.Column("PRAGMA integrity_check"), (std::vector<std::string>{"ok"}));
        EXPECT_EQ(raw.Column("PRAGMA foreign_key_check"), (std::vector<std::string>{}));
        snapshots = raw.Int("SELECT count(*) FROM snapshots");
        EXPECT_GE(snapshots, 1);
        RecordProperty("snapshots_before_kill", static_cast<int>(snapshots));
        // Every snapshot has all its groups: none was half written.
        EXPECT_EQ(raw.Int(fmt::format("SELECT count(*) FROM snapshots s WHERE (SELECT count(*) FROM snapshot_groups g "
                                      "WHERE g.snapshot_id = s.id) != {}",
                                      kGroupsPerSnapshot + 1)),
                  0);
        EXPECT_EQ(raw.Int("SELECT count(*) FROM snapshot_groups"), snapshots * (kGroupsPerSnapshot + 1));
        EXPECT_EQ(raw.Int("SELECT count(*) FROM queries"), snapshots * 20);
        // The baseline is whole and belongs to the last snapshot saved.
        EXPECT_EQ(raw.Int("SELECT count(*) FROM baseline_counters"), static_cast<long long>(kBaselineEntries));
        last_taken_at_ms = raw.Int("SELECT max(taken_at_ms) FROM snapshots");
        EXPECT_EQ(raw.Int("SELECT taken_at_ms FROM baselines"), last_taken_at_ms);
    }

    auto store = SqliteStore::Open(tmp.path().string());
    ASSERT_TRUE(store) << store.error().ToString();
    auto baseline = (*store)->LoadBaseline(target_id);
    ASSERT_TRUE(baseline && baseline->has_value());
    EXPECT_EQ((*baseline)->counters.size(), kBaselineEntries);
    EXPECT_EQ((*baseline)->info.taken_at, FromUnixMs(last_taken_at_ms));

    // Saving continues where the writer stopped.
    const model::Baseline next_baseline = MakeBaseline(last_taken_at_ms + 1'000, 5);
    SnapshotWrite next = Write(target_id, last_taken_at_ms + 1'000, 1'000, {Group(kFpA, {1}, "SELECT 1", 1, 1.0)});
    next.baseline = &next_baseline;
    auto id = (*store)->SaveSnapshot(next);
    ASSERT_TRUE(id) << id.error().ToString();
    auto list = (*store)->ListSnapshots(target_id, 1);
    ASSERT_TRUE(list);
    ASSERT_EQ(list->size(), 1u);
    EXPECT_EQ(list->at(0).id, *id);
    auto all = (*store)->ListSnapshots(target_id, 1'000'000);
    ASSERT_TRUE(all);
    EXPECT_EQ(static_cast<long long>(all->size()), snapshots + 1);
    baseline = (*store)->LoadBaseline(target_id);
    ASSERT_TRUE(baseline && baseline->has_value());
    EXPECT_EQ((*baseline)->counters.size(), 5u);
}

}  // namespace
}  // namespace optischema::store
