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

namespace optischema::store {
namespace {

namespace fs = std::filesystem;
using model::Counters;
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

StatementGroup Group(const std::string& fingerprint,
                     std::vector<std::int64_t> queryids,
                     const std::string& query,
                     std::int64_t calls,
                     double exec_ms) {
    StatementGroup g;
    g.fingerprint = fingerprint;
    g.queryids = std::move(queryids);
    g.query = query;
    g.counters = Counters{.calls = calls,
                          .total_exec_ms = exec_ms,
                          .total_plan_ms = exec_ms / 10,
                          .rows = calls * 2,
                          .shared_blks_hit = calls * 3,
                          .shared_blks_read = calls,
                          .shared_blks_dirtied = 4,
                          .shared_blks_written = 5,
                          .temp_blks_read = 6,
                          .temp_blks_written = 7,
                          .blk_read_ms = 0.25,
                          .blk_write_ms = 0.125};
    return g;
}

SnapshotWrite Write(std::int64_t target_id,
                    long long taken_at_ms,
                    std::optional<std::int64_t> interval_ms,
                    std::vector<StatementGroup> top,
                    std::optional<StatementGroup> other = std::nullopt) {
    SnapshotWrite w;
    w.snapshot.target_id = target_id;
    w.snapshot.info.taken_at = FromUnixMs(taken_at_ms);
    w.snapshot.info.server_version = "15.18";
    w.snapshot.interval_ms = interval_ms;
    for (const auto& g : top) w.ranking.total_ms += g.counters.TotalMs();
    if (other) w.ranking.total_ms += other->counters.TotalMs();
    w.ranking.group_count = top.size() + (other ? 3 : 0);
    w.ranking.top = std::move(top);
    w.ranking.other = std::move(other);
    return w;
}

model::Baseline MakeBaseline(long long taken_at_ms, std::size_t entries) {
    model::Baseline b;
    b.info.taken_at = FromUnixMs(taken_at_ms);
    b.info.server_version = "15.18";
    b.info.stats_reset = FromUnixMs(1'700'000'000'000);
    b.info.dealloc = 3;
    for (std::size_t i = 0; i < entries; ++i) {
        const auto n = static_cast<std::int64_t>(i);
        b.counters.emplace(model::StatementKey{.userid = 10, .dbid = 5, .queryid = n * 7919 - 1000, .toplevel = true},
                           Counters{.calls = n + 1, .total_exec_ms = 0.5 * static_cast<double>(n)});
    }
    return b;
}

void ExpectCountersEq(const Counters& a, const Counters& b) {
    EXPECT_EQ(a.calls, b.calls);
    EXPECT_DOUBLE_EQ(a.total_exec_ms, b.total_exec_ms);
    EXPECT_DOUBLE_EQ(a.total_plan_ms, b.total_plan_ms);
    EXPECT_EQ(a.rows, b.rows);
    EXPECT_EQ(a.shared_blks_hit, b.shared_blks_hit);
    EXPECT_EQ(a.shared_blks_read, b.shared_blks_read);
    EXPECT_EQ(a.shared_blks_dirtied, b.shared_blks_dirtied);
    EXPECT_EQ(a.shared_blks_written, b.shared_blks_written);
    EXPECT_EQ(a.temp_blks_read, b.temp_blks_read);
    EXPECT_EQ(a.temp_blks_written, b.temp_blks_written);
    EXPECT_DOUBLE_EQ(a.blk_read_ms, b.blk_read_ms);
    EXPECT_DOUBLE_EQ(a.blk_write_ms, b.blk_write_ms);
}

const std::string kFpA = "aaaaaaaaaaaaaaaa";
const std::string kFpB = "bbbbbbbbbbbbbbbb";
const std::string kFpC = "cccccccccccccccc";

// Open and migrate

TEST(SqliteStoreTest, OpenCreatesDirectoryAndFileAndMigrates) {
    TempDir tmp;
    const fs::path data_dir = tmp.path() / "nested" / "data";
    auto store = SqliteStore::Open(data_dir.string());
    ASSERT_TRUE(store) << store.error().ToString();
    EXPECT_TRUE(fs::is_directory(data_dir));
    EXPECT_TRUE(fs::is_regular_file(DbFile(data_dir)));
    EXPECT_EQ((*store)->SchemaVersion(), 4);

    RawDb raw(DbFile(data_dir));
    EXPECT_EQ(raw.Int("PRAGMA user_version"), 4);
    EXPECT_EQ(raw.One("PRAGMA journal_mode"), "wal");
    const auto tables = raw.Column("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
    EXPECT_EQ(tables, (std::vector<std::string>{"audit_events", "baseline_counters", "baselines", "latency_samples",
                                                "queries", "recommendations", "sessions", "settings", "snapshot_groups",
                                                "snapshots", "targets", "users"}));
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
        EXPECT_EQ((*store)->SchemaVersion(), 4);
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

TEST(SqliteStoreTest, TwoOpenStoresOnOneFileBothSave) {
    // `optischema top` and a running server may share one data directory.
    TempDir tmp;
    auto a = MustOpen(tmp.path());
    auto b = MustOpen(tmp.path());
    const auto target = a->EnsureTarget("prod", "host=db1");
    ASSERT_TRUE(target);
    for (int i = 0; i < 5; ++i) {
        ASSERT_TRUE(a->SaveSnapshot(Write(target->id, 1'000 + i * 2, 1, {Group(kFpA, {1}, "SELECT 1", 1, 1.0)})));
        ASSERT_TRUE(b->SaveSnapshot(Write(target->id, 1'001 + i * 2, 1, {Group(kFpB, {2}, "SELECT 2", 1, 1.0)})));
    }
    auto from_a = a->ListSnapshots(target->id, 100);
    auto from_b = b->ListSnapshots(target->id, 100);
    ASSERT_TRUE(from_a && from_b);
    EXPECT_EQ(from_a->size(), 10u);
    EXPECT_EQ(from_b->size(), 10u);
}

// Targets

TEST(SqliteStoreTest, EnsureTargetCreatesOnceAndUpdatesTheDisplayDsn) {
    TempDir tmp;
    auto store = MustOpen(tmp.path());
    auto first = store->EnsureTarget("prod", "host=db1 dbname=app");
    ASSERT_TRUE(first) << first.error().ToString();
    EXPECT_GT(first->id, 0);
    EXPECT_EQ(first->name, "prod");
    EXPECT_EQ(first->dsn_display, "host=db1 dbname=app");
    const auto now = std::chrono::system_clock::now();
    EXPECT_LE(std::chrono::abs(now - first->created_at), std::chrono::minutes(1));

    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    auto again = store->EnsureTarget("prod", "host=db2 dbname=app");
    ASSERT_TRUE(again) << again.error().ToString();
    EXPECT_EQ(again->id, first->id);
    EXPECT_EQ(again->dsn_display, "host=db2 dbname=app");
    EXPECT_EQ(again->created_at, first->created_at);

    auto staging = store->EnsureTarget("staging", "host=db3");
    ASSERT_TRUE(staging);
    EXPECT_NE(staging->id, first->id);

    auto targets = store->ListTargets();
    ASSERT_TRUE(targets);
    ASSERT_EQ(targets->size(), 2u);
    EXPECT_EQ(targets->at(0).name, "prod");
    EXPECT_EQ(targets->at(0).dsn_display, "host=db2 dbname=app");
    EXPECT_EQ(targets->at(1).name, "staging");
}

// Snapshots

TEST(SqliteStoreTest, SaveSnapshotRoundTripsItsRecord) {
    TempDir tmp;
    auto store = MustOpen(tmp.path());
    const auto target = store->EnsureTarget("prod", "host=db1");
    ASSERT_TRUE(target);

    SnapshotWrite first = Write(target->id, 1'000'000, std::nullopt, {Group(kFpA, {1}, "SELECT 1", 3, 30.0)});
    SnapshotWrite second = Write(target->id, 1'060'000, 60'000, {Group(kFpA, {1}, "SELECT 1", 1, 10.0)},
                                 Group("other", {}, "3 other statements", 4, 2.0));
    second.snapshot.info.stats_reset = FromUnixMs(999'000);
    second.snapshot.info.dealloc = 17;
    second.snapshot.info.server_version = "16.4";
    second.snapshot.full_reset = true;
    auto id1 = store->SaveSnapshot(first);
    auto id2 = store->SaveSnapshot(second);
    ASSERT_TRUE(id1) << id1.error().ToString();
    ASSERT_TRUE(id2) << id2.error().ToString();
    EXPECT_NE(*id1, *id2);

    auto list = store->ListSnapshots(target->id, 10);
    ASSERT_TRUE(list) << list.error().ToString();
    ASSERT_EQ(list->size(), 2u);
    const SnapshotRecord& newest = list->at(0);
    EXPECT_EQ(newest.id, *id2);
    EXPECT_EQ(newest.target_id, target->id);
    EXPECT_EQ(newest.info.taken_at, FromUnixMs(1'060'000));
    EXPECT_EQ(newest.info.server_version, "16.4");
    ASSERT_TRUE(newest.info.stats_reset.has_value());
    EXPECT_EQ(*newest.info.stats_reset, FromUnixMs(999'000));
    EXPECT_EQ(newest.info.dealloc, 17);
    EXPECT_EQ(newest.interval_ms, std::optional<std::int64_t>(60'000));
    EXPECT_TRUE(newest.full_reset);
    EXPECT_DOUBLE_EQ(newest.total_ms, second.ranking.total_ms);
    EXPECT_EQ(newest.group_count, 4u);

    const SnapshotRecord& oldest = list->at(1);
    EXPECT_EQ(oldest.id, *id1);
    EXPECT_FALSE(oldest.info.stats_reset.has_value());
    EXPECT_FALSE(oldest.interval_ms.has_value());
    EXPECT_FALSE(oldest.full_reset);
    EXPECT_DOUBLE_EQ(oldest.total_ms, 33.0);
    EXPECT_EQ(oldest.group_count, 1u);

    auto limited = store->ListSnapshots(target->id, 1);
    ASSERT_TRUE(limited);
    ASSERT_EQ(limited->size(), 1u);
    EXPECT_EQ(limited->at(0).id, *id2);
}

TEST(SqliteStoreTest, ListSnapshotsIsNewestFirstByTimeNotByInsertion) {
    TempDir tmp;
    auto store = MustOpen(tmp.path());
    const auto target = store->EnsureTarget("prod", "host=db1");
    const auto other_target = store->EnsureTarget("staging", "host=db2");
    ASSERT_TRUE(target && other_target);
    std::vector<std::int64_t> ids;
    for (long long t : {3'000LL, 1'000LL, 2'000LL}) {
        auto id = store->SaveSnapshot(Write(target->id, t, 1'000, {}));
        ASSERT_TRUE(id);
        ids.push_back(*id);
    }
    ASSERT_TRUE(store->SaveSnapshot(Write(other_target->id, 9'000, 1'000, {})));
    auto list = store->ListSnapshots(target->id, 100);
    ASSERT_TRUE(list);
    ASSERT_EQ(list->size(), 3u);
    EXPECT_EQ(list->at(0).id, ids[0]);
    EXPECT_EQ(list->at(1).id, ids[2]);
    EXPECT_EQ(list->at(2).id, ids[1]);
}

TEST(SqliteStoreTest, SnapshotGroupsComeBackByTotalTimeWithOtherLast) {
    TempDir tmp;
    auto store = MustOpen(tmp.path());
    const auto target = store->EnsureTarget("prod", "host=db1");
    ASSERT_TRUE(target);
    const StatementGroup a =
        Group(kFpA, {-7254733262549953927, 1846771691874171760}, "SELECT * FROM t WHERE id IN ($1, $2)", 5, 20.0);
    const StatementGroup b = Group(kFpB, {42}, "UPDATE t SET a = a + $1 WHERE id = $2", 1, 50.0);
    const StatementGroup c = Group(kFpC, {7}, "SELECT 'ünïcödé', $1", 2, 5.0);
    // "other" is the biggest here, yet it comes last.
    const StatementGroup other = Group("other", {}, "12 other statements", 100, 500.0);
    auto id = store->SaveSnapshot(Write(target->id, 1'000, 1'000, {c, a, b}, other));
    ASSERT_TRUE(id) << id.error().ToString();

    auto groups = store->SnapshotGroups(*id);
    ASSERT_TRUE(groups) << groups.error().ToString();
    ASSERT_EQ(groups->size(), 4u);
    EXPECT_EQ(groups->at(0).fingerprint, kFpB);
    EXPECT_EQ(groups->at(1).fingerprint, kFpA);
    EXPECT_EQ(groups->at(2).fingerprint, kFpC);
    EXPECT_EQ(groups->at(3).fingerprint, "other");

    EXPECT_EQ(groups->at(1).queryids, a.queryids);
    EXPECT_EQ(groups->at(1).query, a.query);
    ExpectCountersEq(groups->at(1).counters, a.counters);
    EXPECT_EQ(groups->at(2).query, c.query);
    EXPECT_TRUE(groups->at(3).queryids.empty());
    EXPECT_EQ(groups->at(3).query, "12 other statements");
    ExpectCountersEq(groups->at(3).counters, other.counters);

    auto none = store->SnapshotGroups(*id + 1000);
    ASSERT_TRUE(none);
    EXPECT_TRUE(none->empty());
}

TEST(SqliteStoreTest, GroupHistoryHasOnlyDeltaSnapshotsInRangeOldestFirst) {
    TempDir tmp;
    auto store = MustOpen(tmp.path());
    const auto target = store->EnsureTarget("prod", "host=db1");
    const auto other_target = store->EnsureTarget("staging", "host=db2");
    ASSERT_TRUE(target && other_target);
    auto save = [&](std::int64_t target_id, long long t, std::optional<std::int64_t> interval,
                    std::vector<StatementGroup> top) {
        auto id = store->SaveSnapshot(Write(target_id, t, interval, std::move(top)));
        if (!id) throw std::runtime_error(id.error().ToString());
        return *id;
    };
    save(target->id, 1'000, std::nullopt, {Group(kFpA, {1}, "SELECT 1", 100, 1000.0)});  // since reset: not a delta
    const auto s2 =
        save(target->id, 3'000, 2'000, {Group(kFpB, {2}, "SELECT 2", 1, 1.0), Group(kFpA, {1}, "SELECT 1", 2, 20.0)});
    const auto s3 =
        save(target->id, 2'000, 1'000, {Group(kFpA, {1}, "SELECT 1", 1, 10.0)});  // saved late, earlier time
    save(target->id, 4'000, 1'000, {Group(kFpB, {2}, "SELECT 2", 1, 1.0)});       // fingerprint absent
    const auto s5 = save(target->id, 5'000, 1'000, {Group(kFpA, {1}, "SELECT 1", 3, 30.0)});
    save(target->id, 6'000, 1'000, {Group(kFpA, {1}, "SELECT 1", 4, 40.0)});        // after the range
    save(other_target->id, 3'000, 1'000, {Group(kFpA, {1}, "SELECT 1", 9, 90.0)});  // another target

    auto history = store->GroupHistory(target->id, kFpA, FromUnixMs(1'000), FromUnixMs(5'000));
    ASSERT_TRUE(history) << history.error().ToString();
    ASSERT_EQ(history->size(), 3u);
    EXPECT_EQ(history->at(0).snapshot_id, s3);
    EXPECT_EQ(history->at(0).taken_at, FromUnixMs(2'000));
    EXPECT_EQ(history->at(0).interval_ms, std::optional<std::int64_t>(1'000));
    EXPECT_EQ(history->at(0).group.counters.calls, 1);
    EXPECT_EQ(history->at(1).snapshot_id, s2);
    EXPECT_EQ(history->at(1).interval_ms, std::optional<std::int64_t>(2'000));
    EXPECT_EQ(history->at(1).group.fingerprint, kFpA);
    EXPECT_EQ(history->at(1).group.queryids, (std::vector<std::int64_t>{1}));
    EXPECT_EQ(history->at(1).group.query, "SELECT 1");
    ExpectCountersEq(history->at(1).group.counters, Group(kFpA, {1}, "SELECT 1", 2, 20.0).counters);
    EXPECT_EQ(history->at(2).snapshot_id, s5);

    auto empty = store->GroupHistory(target->id, "dddddddddddddddd", FromUnixMs(0), FromUnixMs(10'000));
    ASSERT_TRUE(empty);
    EXPECT_TRUE(empty->empty());
}

// Baselines and query texts

TEST(SqliteStoreTest, BaselineRoundTripsAndOnlyTheLatestIsKept) {
    TempDir tmp;
    auto store = MustOpen(tmp.path());
    const auto target = store->EnsureTarget("prod", "host=db1");
    const auto other_target = store->EnsureTarget("staging", "host=db2");
    ASSERT_TRUE(target && other_target);

    auto none = store->LoadBaseline(target->id);
    ASSERT_TRUE(none) << none.error().ToString();
    EXPECT_FALSE(none->has_value());

    model::Baseline b;
    b.info.taken_at = FromUnixMs(1'234'567);
    b.info.server_version = "15.18";
    b.info.stats_reset = FromUnixMs(1'000'000);
    b.info.dealloc = 12;
    const model::StatementKey top{.userid = 10, .dbid = 16479, .queryid = -7254733262549953927, .toplevel = true};
    const model::StatementKey nested{.userid = 10, .dbid = 16479, .queryid = -7254733262549953927, .toplevel = false};
    const model::StatementKey big_ids{.userid = 4'000'000'000u, .dbid = 4'294'967'295u, .queryid = INT64_MAX};
    b.counters.emplace(top, Group(kFpA, {}, "", 5, 12.5).counters);
    b.counters.emplace(nested, Group(kFpA, {}, "", 7, 1.5).counters);
    b.counters.emplace(big_ids, Group(kFpA, {}, "", 1, 0.001).counters);
    SnapshotWrite w = Write(target->id, 1'234'567, std::nullopt, {});
    w.baseline = &b;
    ASSERT_TRUE(store->SaveSnapshot(w));

    auto loaded = store->LoadBaseline(target->id);
    ASSERT_TRUE(loaded) << loaded.error().ToString();
    ASSERT_TRUE(loaded->has_value());
    const model::Baseline& got = **loaded;
    EXPECT_EQ(got.info.taken_at, b.info.taken_at);
    EXPECT_EQ(got.info.server_version, "15.18");
    EXPECT_EQ(got.info.stats_reset, b.info.stats_reset);
    EXPECT_EQ(got.info.dealloc, 12);
    ASSERT_EQ(got.counters.size(), 3u);
    for (const auto& [key, counters] : b.counters) {
        SCOPED_TRACE(key.queryid);
        ASSERT_TRUE(got.counters.contains(key));
        ExpectCountersEq(got.counters.at(key), counters);
    }
    auto other_none = store->LoadBaseline(other_target->id);
    ASSERT_TRUE(other_none);
    EXPECT_FALSE(other_none->has_value());

    // A snapshot without a baseline leaves the stored one alone.
    ASSERT_TRUE(store->SaveSnapshot(Write(target->id, 1'300'000, 1'000, {})));
    loaded = store->LoadBaseline(target->id);
    ASSERT_TRUE(loaded && loaded->has_value());
    EXPECT_EQ((*loaded)->counters.size(), 3u);

    // A new baseline replaces the old one entirely (entries gone from pg_stat_statements go too).
    model::Baseline smaller;
    smaller.info.taken_at = FromUnixMs(1'400'000);
    smaller.info.server_version = "15.18";
    smaller.counters.emplace(top, Counters{.calls = 6, .total_exec_ms = 13.0});
    SnapshotWrite w2 = Write(target->id, 1'400'000, 1'000, {});
    w2.baseline = &smaller;
    ASSERT_TRUE(store->SaveSnapshot(w2));
    loaded = store->LoadBaseline(target->id);
    ASSERT_TRUE(loaded && loaded->has_value());
    EXPECT_EQ((*loaded)->info.taken_at, FromUnixMs(1'400'000));
    EXPECT_FALSE((*loaded)->info.stats_reset.has_value());
    ASSERT_EQ((*loaded)->counters.size(), 1u);
    EXPECT_EQ((*loaded)->counters.at(top).calls, 6);
}

TEST(SqliteStoreTest, QueryTextsRoundTripPerTarget) {
    TempDir tmp;
    auto store = MustOpen(tmp.path());
    const auto target = store->EnsureTarget("prod", "host=db1");
    const auto other_target = store->EnsureTarget("staging", "host=db2");
    ASSERT_TRUE(target && other_target);

    SnapshotWrite w = Write(target->id, 1'000, std::nullopt, {});
    w.new_queries = {
        {1846771691874171760, model::QueryText{"SELECT * FROM t WHERE id IN ($1, $2)", kFpA, false}},
        {-4654732435595329443, model::QueryText{"/* optischema */ SELECT count(*) FROM pg_class", kFpB, true}},
        {99, model::QueryText{"<insufficient privilege>", "0000000000000063", false}},
    };
    ASSERT_TRUE(store->SaveSnapshot(w));
    SnapshotWrite w2 = Write(target->id, 2'000, 1'000, {});
    w2.new_queries = {{99, model::QueryText{"SELECT $1", kFpC, false}}};  // the text became readable
    ASSERT_TRUE(store->SaveSnapshot(w2));

    auto loaded = store->LoadQueries(target->id);
    ASSERT_TRUE(loaded) << loaded.error().ToString();
    std::map<std::int64_t, model::QueryText> by_id(loaded->begin(), loaded->end());
    ASSERT_EQ(by_id.size(), 3u);
    EXPECT_EQ(by_id.at(1846771691874171760).text, "SELECT * FROM t WHERE id IN ($1, $2)");
    EXPECT_EQ(by_id.at(1846771691874171760).fingerprint, kFpA);
    EXPECT_FALSE(by_id.at(1846771691874171760).own);
    EXPECT_TRUE(by_id.at(-4654732435595329443).own);
    EXPECT_EQ(by_id.at(99).text, "SELECT $1");
    EXPECT_EQ(by_id.at(99).fingerprint, kFpC);

    auto other = store->LoadQueries(other_target->id);
    ASSERT_TRUE(other);
    EXPECT_TRUE(other->empty());
}

TEST(SqliteStoreTest, AFailedSaveLeavesNothingBehind) {
    TempDir tmp;
    auto store = MustOpen(tmp.path());
    const auto target = store->EnsureTarget("prod", "host=db1");
    ASSERT_TRUE(target);
    const model::Baseline good = MakeBaseline(1'000, 10);
    SnapshotWrite first = Write(target->id, 1'000, std::nullopt, {Group(kFpA, {1}, "SELECT 1", 1, 1.0)});
    first.baseline = &good;
    ASSERT_TRUE(store->SaveSnapshot(first));

    // The second group repeats a fingerprint: the insert fails after the snapshot row, the first
    // group and the new query text were written, and all of it must be rolled back.
    const model::Baseline replacement = MakeBaseline(2'000, 3);
    SnapshotWrite bad =
        Write(target->id, 2'000, 1'000, {Group(kFpB, {2}, "SELECT 2", 1, 2.0), Group(kFpB, {3}, "SELECT 3", 1, 1.0)});
    bad.new_queries = {{2, model::QueryText{"SELECT 2", kFpB, false}}};
    bad.baseline = &replacement;
    auto failed = store->SaveSnapshot(bad);
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error().code, ErrorCode::kStorage);

    auto list = store->ListSnapshots(target->id, 10);
    ASSERT_TRUE(list);
    EXPECT_EQ(list->size(), 1u);
    auto queries = store->LoadQueries(target->id);
    ASSERT_TRUE(queries);
    EXPECT_TRUE(queries->empty());
    auto baseline = store->LoadBaseline(target->id);
    ASSERT_TRUE(baseline && baseline->has_value());
    EXPECT_EQ((*baseline)->counters.size(), 10u);
    EXPECT_EQ((*baseline)->info.taken_at, FromUnixMs(1'000));
    RawDb raw(DbFile(tmp.path()));
    EXPECT_EQ(raw.Int("SELECT count(*) FROM snapshot_groups"), 1);

    // And the store is still usable.
    auto next = store->SaveSnapshot(Write(target->id, 3'000, 2'000, {Group(kFpB, {2}, "SELECT 2", 1, 2.0)}));
    ASSERT_TRUE(next) << next.error().ToString();
}

TEST(SqliteStoreTest, SnapshotOfAnUnknownTargetIsRefused) {
    TempDir tmp;
    auto store = MustOpen(tmp.path());
    auto id = store->SaveSnapshot(Write(12345, 1'000, std::nullopt, {Group(kFpA, {1}, "SELECT 1", 1, 1.0)}));
    ASSERT_FALSE(id);
    EXPECT_EQ(id.error().code, ErrorCode::kStorage);
    RawDb raw(DbFile(tmp.path()));
    EXPECT_EQ(raw.Int("SELECT count(*) FROM snapshots"), 0);
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

TEST(SqliteStoreTest, RecommendationsKeepTheirIdAndValidationUntilTheSqlChanges) {
    TempDir tmp;
    auto store = SqliteStore::Open(tmp.path().string());
    ASSERT_TRUE(store);
    auto target = (*store)->EnsureTarget("db", "host=x dbname=db");
    ASSERT_TRUE(target);
    RecommendationRecord r;
    r.id = "idx-0123456789ab";
    r.target_id = target->id;
    r.kind = "index";
    r.title = "orders (customer_id)";
    r.sql = "CREATE INDEX CONCURRENTLY orders_customer_id_idx ON orders (customer_id)";
    r.rollback_sql = "DROP INDEX CONCURRENTLY IF EXISTS orders_customer_id_idx";
    r.evidence_json = R"({"saved_ms": 10})";
    ASSERT_TRUE((*store)->SaveRecommendation(r));
    ASSERT_TRUE((*store)->SaveValidation(r.id, R"({"verdict": "improved"})"));

    r.evidence_json = R"({"saved_ms": 20})";  // advise ran again: same index, new evidence
    ASSERT_TRUE((*store)->SaveRecommendation(r));
    auto got = (*store)->GetRecommendation(r.id);
    ASSERT_TRUE(got && *got);
    EXPECT_EQ((*got)->evidence_json, R"({"saved_ms": 20})");
    EXPECT_EQ((*got)->validation_json, R"({"verdict": "improved"})") << "same SQL: the validation still holds";

    r.sql += " WHERE customer_id > 0";
    ASSERT_TRUE((*store)->SaveRecommendation(r));
    got = (*store)->GetRecommendation(r.id);
    ASSERT_TRUE(got && *got);
    EXPECT_EQ((*got)->validation_json, "") << "changed SQL: the old validation no longer applies";

    auto list = (*store)->ListRecommendations(target->id);
    ASSERT_TRUE(list);
    ASSERT_EQ(list->size(), 1u);
    auto none = (*store)->GetRecommendation("idx-missing");
    ASSERT_TRUE(none);
    EXPECT_FALSE(*none);
    auto missing = (*store)->SaveValidation("idx-missing", "{}");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST(SqliteStoreTest, TheAuditLogIsAppendOnly) {
    TempDir tmp;
    auto store = SqliteStore::Open(tmp.path().string());
    ASSERT_TRUE(store);
    model::AuditEvent apply;
    apply.at = FromUnixMs(1'700'000'000'000);
    apply.actor = "cli:alice";
    apply.target = "host=db1 dbname=shop";
    apply.action = "apply";
    apply.sql = "CREATE INDEX CONCURRENTLY i ON t (a)";
    apply.outcome = "ok";
    apply.duration_ms = 1234.5;
    apply.detail_json = R"({"recommendation": "idx-1"})";
    auto first = (*store)->AppendAudit(apply);
    ASSERT_TRUE(first);
    model::AuditEvent rollback = apply;
    rollback.action = "rollback";
    rollback.sql = "DROP INDEX CONCURRENTLY IF EXISTS i";
    rollback.related_id = *first;
    auto second = (*store)->AppendAudit(rollback);
    ASSERT_TRUE(second);
    EXPECT_GT(*second, *first);

    auto list = (*store)->ListAudit(0);
    ASSERT_TRUE(list);
    ASSERT_EQ(list->size(), 2u);
    EXPECT_EQ((*list)[0].action, "rollback") << "newest first";
    EXPECT_EQ((*list)[0].related_id, std::optional<std::int64_t>(*first));
    EXPECT_EQ((*list)[1].sql, apply.sql);
    EXPECT_DOUBLE_EQ((*list)[1].duration_ms, 1234.5);
    EXPECT_EQ(ToUnixMs((*list)[1].at), 1'700'000'000'000);
    EXPECT_FALSE((*list)[1].related_id);
    auto one = (*store)->ListAudit(1);
    ASSERT_TRUE(one);
    EXPECT_EQ(one->size(), 1u);
    auto got = (*store)->GetAudit(*first);
    ASSERT_TRUE(got && *got);
    EXPECT_EQ((*got)->actor, "cli:alice");

    // Not even a direct SQLite connection may rewrite history.
    RawDb raw(DbFile(tmp.path()));
    EXPECT_THROW(raw.Exec("UPDATE audit_events SET outcome = 'failed'"), std::runtime_error);
    EXPECT_THROW(raw.Exec("DELETE FROM audit_events"), std::runtime_error);
    EXPECT_EQ(raw.Int("SELECT count(*) FROM audit_events WHERE outcome = 'ok'"), 2);
}

TEST(SqliteStoreTest, ServerTargetsKeepTheirSettings) {
    TempDir tmp;
    auto store = MustOpen(tmp.path());
    TargetRecord t;
    t.name = "orders-db";
    t.dsn_display = "app@db1:5432/orders";
    t.dsn_secret = "v1:encrypted";
    t.interval_s = 15;
    t.production = false;
    t.source = "api";
    auto saved = store->SaveTarget(t);
    ASSERT_TRUE(saved) << saved.error().message;
    EXPECT_GT(saved->id, 0);
    auto dup = store->SaveTarget(t);
    ASSERT_FALSE(dup);
    EXPECT_EQ(dup.error().code, ErrorCode::kInvalidArgument);
    saved->interval_s = 30;
    ASSERT_TRUE(store->SaveTarget(*saved));
    auto list = store->ListTargets();
    ASSERT_TRUE(list);
    ASSERT_EQ(list->size(), 1u);
    EXPECT_EQ((*list)[0].interval_s, 30);
    EXPECT_FALSE((*list)[0].production);
    EXPECT_EQ((*list)[0].dsn_secret, "v1:encrypted");
    EXPECT_EQ((*list)[0].source, "api");
    // A target the CLI sees gets the defaults.
    auto cli = store->EnsureTarget("cli-db", "x@y/z");
    ASSERT_TRUE(cli);
    EXPECT_TRUE(cli->production);
    EXPECT_EQ(cli->source, "cli");
    ASSERT_TRUE(store->DeleteTarget(saved->id));
    EXPECT_EQ(store->DeleteTarget(saved->id).error().code, ErrorCode::kNotFound);
}

TEST(SqliteStoreTest, RangeGroupsSumDeltasOverTheRange) {
    TempDir tmp;
    auto store = MustOpen(tmp.path());
    auto target = store->EnsureTarget("db", "db");
    ASSERT_TRUE(target);
    // The first snapshot is cumulative (no interval): never summed into a range.
    ASSERT_TRUE(
        store->SaveSnapshot(Write(target->id, 1'000, std::nullopt, {Group(kFpA, {1}, "SELECT 1", 100, 1000.0)})));
    ASSERT_TRUE(store->SaveSnapshot(Write(target->id, 2'000, 1'000,
                                          {Group(kFpA, {1}, "SELECT 1", 2, 20.0), Group(kFpB, {2}, "SELECT 2", 1, 5.0)},
                                          Group("other", {}, "", 9, 90.0))));
    ASSERT_TRUE(store->SaveSnapshot(Write(target->id, 3'000, 1'000, {Group(kFpB, {2}, "SELECT 2", 4, 40.0)})));
    ASSERT_TRUE(store->SaveSnapshot(Write(target->id, 9'000, 6'000, {Group(kFpA, {1}, "SELECT 1", 50, 500.0)})));
    auto groups = store->RangeGroups(target->id, FromUnixMs(1'500), FromUnixMs(3'000), 10);
    ASSERT_TRUE(groups) << groups.error().message;
    ASSERT_EQ(groups->size(), 2u) << "'other' is not a statement";
    EXPECT_EQ((*groups)[0].fingerprint, kFpB) << "by total time: B 45 ms, A 20 ms";
    EXPECT_EQ((*groups)[0].counters.calls, 5);
    EXPECT_DOUBLE_EQ((*groups)[0].counters.total_exec_ms, 45.0);
    EXPECT_EQ((*groups)[1].counters.calls, 2);
    EXPECT_EQ((*groups)[1].query, "SELECT 1");
    auto one = store->RangeGroups(target->id, FromUnixMs(0), FromUnixMs(10'000), 1);
    ASSERT_TRUE(one);
    ASSERT_EQ(one->size(), 1u);
    EXPECT_EQ((*one)[0].fingerprint, kFpA);
    EXPECT_EQ((*one)[0].counters.calls, 52);
}

TEST(SqliteStoreTest, UsersSessionsAndTokens) {
    TempDir tmp;
    auto store = MustOpen(tmp.path());
    auto admin = store->CreateUser({0, "Admin", "$argon2id$hash", "admin", {}});
    ASSERT_TRUE(admin) << admin.error().message;
    EXPECT_FALSE(store->CreateUser({0, "admin", "h", "viewer", {}})) << "names are unique, case-insensitively";
    auto found = store->FindUser("ADMIN");
    ASSERT_TRUE(found && *found);
    EXPECT_EQ((*found)->role, "admin");

    const TimePoint now = FromUnixMs(1'700'000'000'000);
    ASSERT_TRUE(store->SaveSession({"hash-1", admin->id, "session", "", now, now + std::chrono::hours(12)}));
    ASSERT_TRUE(store->SaveSession({"hash-2", admin->id, "api", "ci", now, std::nullopt}));
    auto live = store->FindSession("hash-1", now + std::chrono::hours(1));
    ASSERT_TRUE(live && *live);
    EXPECT_EQ((*live)->second.username, "Admin");
    auto expired = store->FindSession("hash-1", now + std::chrono::hours(13));
    ASSERT_TRUE(expired);
    EXPECT_FALSE(*expired) << "an expired session is not found";
    auto tokens = store->ListApiTokens(admin->id);
    ASSERT_TRUE(tokens);
    ASSERT_EQ(tokens->size(), 1u);
    EXPECT_EQ((*tokens)[0].label, "ci");
    ASSERT_TRUE(store->DeleteSession("hash-2"));
    auto gone = store->FindSession("hash-2", now);
    ASSERT_TRUE(gone);
    EXPECT_FALSE(*gone);

    admin->role = "operator";
    ASSERT_TRUE(store->UpdateUser(*admin));
    ASSERT_TRUE(store->DeleteUser(admin->id));
    auto orphan = store->FindSession("hash-1", now);
    ASSERT_TRUE(orphan);
    EXPECT_FALSE(*orphan) << "a deleted user's sessions go with it";
}

TEST(SqliteStoreTest, LatencySamples) {
    TempDir tmp;
    auto store = MustOpen(tmp.path());
    auto target = store->EnsureTarget("db", "db");
    ASSERT_TRUE(target);
    ASSERT_TRUE(store->AppendLatency({target->id, FromUnixMs(1'000), 3.5, 0.2, 0.4, ""}));
    ASSERT_TRUE(store->AppendLatency(
        {target->id, FromUnixMs(2'000), std::nullopt, std::nullopt, std::nullopt, "connection refused"}));
    auto samples = store->ListLatency(target->id, FromUnixMs(0), FromUnixMs(5'000));
    ASSERT_TRUE(samples);
    ASSERT_EQ(samples->size(), 2u);
    EXPECT_EQ((*samples)[0].connect_ms, std::optional<double>(3.5));
    EXPECT_FALSE((*samples)[1].p50_ms);
    EXPECT_EQ((*samples)[1].error, "connection refused");
}

TEST(SqliteStoreTest, SettingsAreKeptByKeyUntilDeleted) {
    TempDir tmp;
    auto store = MustOpen(tmp.path());
    auto none = store->GetSetting("llm");
    ASSERT_TRUE(none);
    EXPECT_FALSE(*none);
    ASSERT_TRUE(store->PutSetting("llm", R"({"model":"a"})"));
    ASSERT_TRUE(store->PutSetting("llm", R"({"model":"b"})"));
    auto value = store->GetSetting("llm");
    ASSERT_TRUE(value && *value);
    EXPECT_EQ(**value, R"({"model":"b"})") << "a second put replaces the first";
    ASSERT_TRUE(store->DeleteSetting("llm"));
    auto gone = store->GetSetting("llm");
    ASSERT_TRUE(gone);
    EXPECT_FALSE(*gone);
}

}  // namespace
}  // namespace optischema::store
