#include <atomic>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "pg/dsn.hpp"
#include "pg_test_env.hpp"
#include "store/open_store.hpp"
#include "store/pg_claims.hpp"
#include "store/pg_store.hpp"
#include "store/store_contract.hpp"

namespace optischema::store {
namespace {

using contract::Group;
using contract::MakeBaseline;
using contract::StoreContract;
using contract::Write;
using model::StatementGroup;
using optischema::testing::ClusterDsn;
using optischema::testing::FreshDatabase;
using optischema::testing::QueryValue;
using optischema::testing::RunSql;
using optischema::testing::WithParams;

std::unique_ptr<PgStore> MustOpen(const std::string& dsn) {
    auto store = PgStore::Open(dsn);
    if (!store) throw std::runtime_error(store.error().ToString());
    return std::move(*store);
}

/// The store's tables without the schema prefix, through libpq directly.
std::string RawDsn(const std::string& dsn) { return WithParams(dsn, "options='-c search_path=optischema'"); }

long long RawInt(const std::string& dsn, const std::string& sql) { return std::stoll(QueryValue(RawDsn(dsn), sql)); }

/// Terminates the store sessions on database `db` (waiting until they are gone); returns how many.
int TerminateStoreSessions(const std::string& db) {
    return std::stoi(QueryValue(ClusterDsn(), fmt::format("SELECT count(*) FROM (SELECT pg_terminate_backend(pid, "
                                                          "5000) FROM pg_stat_activity WHERE datname = '{}' AND "
                                                          "application_name = 'optischema') t",
                                                          db)));
}

/// A fresh database per contract test.
class PgHarness final : public contract::StoreHarness {
public:
    PgHarness() : dsn_(FreshDatabase("store_contract")) {}
    std::unique_ptr<Store> Open() override { return MustOpen(dsn_); }
    void RawExec(const std::string& sql) override { RunSql(RawDsn(dsn_), sql); }
    long long RawInt(const std::string& sql) override { return store::RawInt(dsn_, sql); }

private:
    std::string dsn_;
};

INSTANTIATE_TEST_SUITE_P(Postgres,
                         StoreContract,
                         ::testing::Values(contract::StoreFactory{
                             "Postgres", [] { return std::unique_ptr<contract::StoreHarness>(new PgHarness()); }}),
                         contract::FactoryName);

// Open and migrate

TEST(PgStoreTest, MigratesAFreshDatabaseAndReopensIdempotently) {
    const std::string dsn = FreshDatabase("store_migrate");
    EXPECT_EQ(QueryValue(dsn, "SELECT to_regnamespace('optischema') IS NULL"), "t");
    std::int64_t target_id = 0;
    {
        auto store = PgStore::Open(dsn);
        ASSERT_TRUE(store) << store.error().ToString();
        EXPECT_EQ((*store)->SchemaVersion(), PgStore::LatestSchemaVersion());
        EXPECT_GE(PgStore::LatestSchemaVersion(), 2);
        auto target = (*store)->EnsureTarget("prod", "host=db1");
        ASSERT_TRUE(target);
        target_id = target->id;
    }
    const std::string tables =
        "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'optischema'";
    EXPECT_EQ(QueryValue(dsn, tables),
              "api_tokens,audit_events,baseline_counters,baselines,group_rollups,instances,latency_samples,queries,"
              "recommendations,"
              "schema_migrations,sessions,settings,snapshot_groups,snapshots,targets,users");
    const std::string versions =
        "SELECT string_agg(version::text, ',' ORDER BY version) FROM optischema.schema_migrations";
    const std::string expected_versions = QueryValue(dsn, versions);
    EXPECT_EQ(expected_versions, "1,2,3,4");
    for (int i = 0; i < 2; ++i) {
        auto store = PgStore::Open(dsn);
        ASSERT_TRUE(store) << store.error().ToString();
        EXPECT_EQ((*store)->SchemaVersion(), PgStore::LatestSchemaVersion());
        auto targets = (*store)->ListTargets();
        ASSERT_TRUE(targets);
        ASSERT_EQ(targets->size(), 1u);
        EXPECT_EQ(targets->at(0).id, target_id);
    }
    EXPECT_EQ(QueryValue(dsn, versions), expected_versions) << "a reopen applies nothing again";
}

TEST(PgStoreTest, InstancesStartingTogetherMigrateOnce) {
    const std::string dsn = FreshDatabase("store_race");
    constexpr int kInstances = 4;
    std::vector<std::optional<Result<std::unique_ptr<PgStore>>>> opened(kInstances);
    std::atomic<int> ready{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < kInstances; ++i) {
        threads.emplace_back([&, i] {
            ++ready;
            while (ready.load() < kInstances) std::this_thread::yield();
            opened[i].emplace(PgStore::Open(dsn));
        });
    }
    for (auto& t : threads) t.join();
    for (int i = 0; i < kInstances; ++i) {
        ASSERT_TRUE(opened[i].has_value());
        ASSERT_TRUE(*opened[i]) << i << ": " << opened[i]->error().ToString();
        EXPECT_EQ((**opened[i])->SchemaVersion(), PgStore::LatestSchemaVersion());
    }
    EXPECT_EQ(QueryValue(dsn, "SELECT count(*) FROM optischema.schema_migrations"),
              std::to_string(PgStore::LatestSchemaVersion()));
    auto target = (**opened[0])->EnsureTarget("prod", "host=db1");
    ASSERT_TRUE(target);
    auto seen = (**opened[3])->ListTargets();
    ASSERT_TRUE(seen);
    EXPECT_EQ(seen->size(), 1u);
}

TEST(PgStoreTest, MigrationThreeBackfillsTheHourlyRollups) {
    const std::string dsn = FreshDatabase("store_rollup_backfill");
    contract::TwoWorkloads workloads = contract::SaveTwoHourlyWorkloads(*MustOpen(dsn));
    // Back to schema version 2: the same snapshots, no rollups.
    const long long rollup_rows = RawInt(dsn, "SELECT count(*) FROM group_rollups");
    EXPECT_GT(rollup_rows, 0);
    // Later migrations are undone too, so that they run again after it.
    RunSql(RawDsn(dsn),
           "DROP TABLE group_rollups; DROP TABLE api_tokens; DROP INDEX sessions_expiry; "
           "DELETE FROM schema_migrations WHERE version >= 3");
    auto store = MustOpen(dsn);
    EXPECT_EQ(store->SchemaVersion(), PgStore::LatestSchemaVersion());
    EXPECT_EQ(RawInt(dsn, "SELECT count(*) FROM group_rollups"), rollup_rows);
    contract::ExpectRebuiltRollupsExact(*store, workloads);
}

TEST(PgStoreTest, RefusesAStoreWithANewerSchema) {
    const std::string dsn = FreshDatabase("store_newer");
    { MustOpen(dsn); }
    RunSql(dsn, "INSERT INTO optischema.schema_migrations (version, applied_at_ms) VALUES (99, 0)");
    auto store = PgStore::Open(dsn);
    ASSERT_FALSE(store);
    EXPECT_EQ(store.error().code, ErrorCode::kStorage);
    const std::string& msg = store.error().message;
    EXPECT_NE(msg.find("schema version 99"), std::string::npos) << msg;
    EXPECT_NE(msg.find("newer"), std::string::npos) << msg;
    EXPECT_NE(msg.find("upgrade optischema"), std::string::npos) << msg;
    EXPECT_NE(msg.find(pg::RedactDsn(dsn)), std::string::npos) << msg;
    EXPECT_EQ(QueryValue(dsn, "SELECT max(version) FROM optischema.schema_migrations"), "99") << "left as it was";
}

TEST(PgStoreTest, ABadDsnGivesAClearErrorWithoutThePassword) {
    const std::string secret = "hunter2-not-shown";
    auto unreachable =
        PgStore::Open("host=/nonexistent/optischema-socket port=5499 dbname=store user=app password=" + secret +
                      " connect_timeout=2");
    ASSERT_FALSE(unreachable);
    EXPECT_EQ(unreachable.error().code, ErrorCode::kStorage);
    const std::string& msg = unreachable.error().message;
    EXPECT_NE(msg.find("PostgreSQL store"), std::string::npos) << msg;
    EXPECT_NE(msg.find("/nonexistent/optischema-socket"), std::string::npos) << msg;
    EXPECT_NE(msg.find("check host and port"), std::string::npos) << msg;
    EXPECT_EQ(msg.find(secret), std::string::npos) << msg;

    auto no_database = PgStore::Open(WithParams(ClusterDsn(), "dbname=no_such_store_db password=" + secret));
    ASSERT_FALSE(no_database);
    EXPECT_EQ(no_database.error().code, ErrorCode::kStorage);
    EXPECT_NE(no_database.error().message.find("no_such_store_db"), std::string::npos) << no_database.error().message;
    EXPECT_NE(no_database.error().message.find("create it"), std::string::npos) << no_database.error().message;
    EXPECT_EQ(no_database.error().message.find(secret), std::string::npos) << no_database.error().message;

    auto malformed = PgStore::Open("postgresql://app:" + secret + "@db1:notaport/store");
    ASSERT_FALSE(malformed);
    EXPECT_EQ(malformed.error().code, ErrorCode::kStorage);
    EXPECT_NE(malformed.error().message.find("malformed DSN"), std::string::npos) << malformed.error().message;
    EXPECT_EQ(malformed.error().message.find(secret), std::string::npos) << malformed.error().message;
}

TEST(PgStoreTest, AMissingCreatePrivilegeSaysWhatToGrant) {
    const std::string dsn = FreshDatabase("store_noperm");
    RunSql(ClusterDsn(),
           "DO $$ BEGIN CREATE ROLE optischema_store_user LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$");
    const std::string user_dsn = WithParams(dsn, "user=optischema_store_user");
    auto refused = PgStore::Open(user_dsn);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::kStorage);
    EXPECT_EQ(refused.error().sqlstate, "42501");
    const std::string& msg = refused.error().message;
    EXPECT_NE(msg.find("GRANT CREATE ON DATABASE store_noperm TO optischema_store_user"), std::string::npos) << msg;
    EXPECT_NE(msg.find("CREATE SCHEMA optischema AUTHORIZATION optischema_store_user"), std::string::npos) << msg;
    EXPECT_EQ(QueryValue(dsn, "SELECT to_regnamespace('optischema') IS NULL"), "t");

    // A schema someone else created and did not open to the role.
    RunSql(dsn, "CREATE SCHEMA optischema");
    auto closed = PgStore::Open(user_dsn);
    ASSERT_FALSE(closed);
    EXPECT_EQ(closed.error().code, ErrorCode::kStorage);
    EXPECT_NE(closed.error().message.find("GRANT USAGE, CREATE ON SCHEMA optischema TO optischema_store_user"),
              std::string::npos)
        << closed.error().message;
    RunSql(dsn, "DROP SCHEMA optischema");

    // The second remedy: an administrator creates the schema for the role, which still may not create
    // schemas itself.
    RunSql(dsn, "CREATE SCHEMA optischema AUTHORIZATION optischema_store_user");
    auto store = PgStore::Open(user_dsn);
    ASSERT_TRUE(store) << store.error().ToString();
    auto target = (*store)->EnsureTarget("prod", "host=db1");
    ASSERT_TRUE(target) << target.error().ToString();
    ASSERT_TRUE(
        (*store)->SaveSnapshot(Write(target->id, 1'000, 1'000, {Group(contract::kFpA, {1}, "SELECT 1", 1, 1)})));
}

// Fleet behaviour

TEST(PgStoreTest, TwoInstancesSaveSideBySide) {
    const std::string dsn = FreshDatabase("store_two");
    auto a = MustOpen(dsn);
    auto b = MustOpen(dsn);
    auto target_a = a->EnsureTarget("orders", "host=db1");
    auto target_b = b->EnsureTarget("billing", "host=db2");
    ASSERT_TRUE(target_a && target_b);
    constexpr int kSnapshots = 15;
    constexpr int kGroups = 200;
    auto save_many = [&](PgStore& store, std::int64_t target_id, std::vector<std::string>& errors) {
        for (int s = 0; s < kSnapshots; ++s) {
            std::vector<StatementGroup> top;
            for (int g = 0; g < kGroups; ++g) {
                top.push_back(Group(fmt::format("{:016x}", g + 1), {g}, fmt::format("SELECT {}", g), 1, 1.0));
            }
            SnapshotWrite w = Write(target_id, 1'000 * (s + 1), 1'000, std::move(top));
            w.new_queries = {{s, model::QueryText{"SELECT 1", contract::kFpA, false}}};
            const model::Baseline b = MakeBaseline(1'000 * (s + 1), 100);
            w.baseline = &b;
            if (auto id = store.SaveSnapshot(w); !id) errors.push_back(id.error().ToString());
            // Both also write rows the other reads: the shared target list and the audit log.
            if (!store.EnsureTarget("shared", "host=db3")) errors.push_back("EnsureTarget failed");
            if (!store.AppendAudit(model::AuditEvent{.actor = "test", .action = "save"})) errors.push_back("audit");
        }
    };
    std::vector<std::string> errors_a, errors_b;
    std::thread ta([&] { save_many(*a, target_a->id, errors_a); });
    std::thread tb([&] { save_many(*b, target_b->id, errors_b); });
    ta.join();
    tb.join();
    EXPECT_TRUE(errors_a.empty()) << errors_a.front();
    EXPECT_TRUE(errors_b.empty()) << errors_b.front();
    auto from_b = b->ListSnapshots(target_a->id, 1000);
    ASSERT_TRUE(from_b);
    EXPECT_EQ(from_b->size(), static_cast<std::size_t>(kSnapshots)) << "b sees what a saved";
    EXPECT_EQ(RawInt(dsn, "SELECT count(*) FROM snapshot_groups"), 2LL * kSnapshots * kGroups);
    EXPECT_EQ(RawInt(dsn, "SELECT count(*) FROM targets"), 3);
    EXPECT_EQ(RawInt(dsn, "SELECT count(*) FROM audit_events"), 2LL * kSnapshots);
    EXPECT_EQ(RawInt(dsn, "SELECT count(*) FROM baseline_counters"), 200) << "one latest baseline per target";
}

TEST(PgStoreTest, SavesASnapshotOf5000Groups) {
    const std::string dsn = FreshDatabase("store_big");
    auto store = MustOpen(dsn);
    auto target = store->EnsureTarget("prod", "host=db1");
    ASSERT_TRUE(target);
    constexpr int kGroups = 5000;
    for (int round = 0; round < 2; ++round) {
        std::vector<StatementGroup> top;
        SnapshotWrite w;
        for (int g = 0; g < kGroups; ++g) {
            top.push_back(Group(fmt::format("{:016x}", g + 1), {g, g + 100'000},
                                fmt::format("SELECT * FROM table_{} WHERE a = $1 AND b IN ($2, $3)", g), g + 1,
                                static_cast<double>(kGroups - g)));
        }
        w = Write(target->id, 1'000 * (round + 1), round == 0 ? std::nullopt : std::optional<std::int64_t>(1'000),
                  std::move(top), Group("other", {}, "40 other statements", 40, 0.5));
        for (int q = 0; q < kGroups; ++q) {
            w.new_queries.emplace_back(q + round * kGroups,
                                       model::QueryText{fmt::format("SELECT {}", q), contract::kFpA, false});
        }
        const model::Baseline b = MakeBaseline(1'000 * (round + 1), kGroups);
        w.baseline = &b;
        auto id = store->SaveSnapshot(w);
        ASSERT_TRUE(id) << id.error().ToString();
        auto groups = store->SnapshotGroups(*id);
        ASSERT_TRUE(groups) << groups.error().ToString();
        ASSERT_EQ(groups->size(), static_cast<std::size_t>(kGroups + 1));
        EXPECT_EQ(groups->front().fingerprint, "0000000000000001");
        EXPECT_EQ(groups->front().queryids, (std::vector<std::int64_t>{0, 100'000}));
        EXPECT_EQ(groups->at(kGroups - 1).query, "SELECT * FROM table_4999 WHERE a = $1 AND b IN ($2, $3)");
        EXPECT_EQ(groups->back().fingerprint, "other");
    }
    auto baseline = store->LoadBaseline(target->id);
    ASSERT_TRUE(baseline && baseline->has_value());
    EXPECT_EQ((*baseline)->counters.size(), static_cast<std::size_t>(kGroups));
    EXPECT_EQ((*baseline)->info.taken_at, FromUnixMs(2'000));
    auto queries = store->LoadQueries(target->id);
    ASSERT_TRUE(queries);
    EXPECT_EQ(queries->size(), 2u * kGroups);
    auto range = store->RangeGroups(target->id, FromUnixMs(0), FromUnixMs(10'000), 10);
    ASSERT_TRUE(range);
    ASSERT_EQ(range->size(), 10u);
    EXPECT_EQ(range->front().fingerprint, "0000000000000001") << "only the delta snapshot counts";
    EXPECT_EQ(range->front().counters.calls, 1);
}

TEST(PgStoreTest, TheAuditTriggerRefusesChangesEvenThroughLibpq) {
    const std::string dsn = FreshDatabase("store_audit");
    auto store = MustOpen(dsn);
    ASSERT_TRUE(store->AppendAudit(model::AuditEvent{.actor = "cli:alice", .action = "apply", .outcome = "ok"}));
    for (const char* sql : {"UPDATE optischema.audit_events SET outcome = 'failed'",
                            "DELETE FROM optischema.audit_events", "TRUNCATE optischema.audit_events"}) {
        SCOPED_TRACE(sql);
        try {
            RunSql(dsn, sql);
            ADD_FAILURE() << "the database accepted it";
        } catch (const std::runtime_error& e) {
            EXPECT_NE(std::string(e.what()).find("the audit log is append-only"), std::string::npos) << e.what();
        }
    }
    EXPECT_EQ(QueryValue(dsn, "SELECT count(*) FROM optischema.audit_events WHERE outcome = 'ok'"), "1");
}

TEST(PgStoreTest, ReconnectsAfterItsSessionIsTerminated) {
    const std::string dsn = FreshDatabase("store_reconnect");
    auto store = MustOpen(dsn);
    auto target = store->EnsureTarget("prod", "host=db1");
    ASSERT_TRUE(target);

    ASSERT_EQ(TerminateStoreSessions("store_reconnect"), 1);
    auto targets = store->ListTargets();
    ASSERT_TRUE(targets) << targets.error().ToString();
    EXPECT_EQ(targets->size(), 1u);

    // A write that finds the session dead runs once on the new one: saved exactly once.
    ASSERT_EQ(TerminateStoreSessions("store_reconnect"), 1);
    auto id = store->SaveSnapshot(Write(target->id, 1'000, 1'000, {Group(contract::kFpA, {1}, "SELECT 1", 1, 1.0)}));
    ASSERT_TRUE(id) << id.error().ToString();
    EXPECT_EQ(RawInt(dsn, "SELECT count(*) FROM snapshots"), 1);
    EXPECT_EQ(RawInt(dsn, "SELECT count(*) FROM snapshot_groups"), 1);

    ASSERT_EQ(TerminateStoreSessions("store_reconnect"), 1);
    auto audit = store->AppendAudit(model::AuditEvent{.actor = "test", .action = "apply"});
    ASSERT_TRUE(audit) << audit.error().ToString();
    EXPECT_EQ(RawInt(dsn, "SELECT count(*) FROM audit_events"), 1);
}

TEST(PgStoreTest, AStoreThatStaysUnreachableSaysSo) {
    const std::string dsn = FreshDatabase("store_gone");
    auto store = MustOpen(dsn);
    // The database goes away for good: the one reconnect fails, and the error says where and why.
    RunSql(ClusterDsn(), "DROP DATABASE store_gone WITH (FORCE)");
    auto targets = store->ListTargets();
    ASSERT_FALSE(targets);
    EXPECT_EQ(targets.error().code, ErrorCode::kStorage);
    EXPECT_NE(targets.error().message.find("unreachable"), std::string::npos) << targets.error().message;
    EXPECT_NE(targets.error().message.find("store_gone"), std::string::npos) << targets.error().message;
}

TEST(PgStoreTest, OpenStoreTakesADsnToThePostgresStore) {
    const std::string dsn = FreshDatabase("store_factory");
    const StoreLocation location = StoreLocation::Parse(dsn);
    ASSERT_EQ(location.kind, StoreLocation::Kind::kPostgres);
    auto store = OpenStore(location);
    ASSERT_TRUE(store) << store.error().ToString();
    EXPECT_NE(dynamic_cast<PgStore*>(store->get()), nullptr);
    auto claims = OpenClaims(location, std::chrono::seconds(10));
    ASSERT_TRUE(claims) << claims.error().ToString();
    EXPECT_NE(dynamic_cast<PgClaims*>(claims->get()), nullptr);
    auto live = (*claims)->LiveInstances();
    ASSERT_TRUE(live);
    EXPECT_EQ(*live, 1);
}

}  // namespace
}  // namespace optischema::store
