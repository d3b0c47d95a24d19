#include <filesystem>

#include <gtest/gtest.h>

#include "pg_test_env.hpp"
#include "service/workload_monitor.hpp"
#include "store/sqlite_store.hpp"

namespace optischema::service {
namespace {

using optischema::testing::ClusterDsn;
using optischema::testing::FreshDatabase;
using optischema::testing::RunSql;

const model::StatementGroup* FindGroup(const model::WorkloadRanking& r, std::string_view query) {
    for (const auto& g : r.top) {
        if (g.query == query) return &g;
    }
    return nullptr;
}

class WorkloadMonitorTest : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/optischema-monitor-XXXXXX";
        data_dir_ = mkdtemp(tmpl);
        auto store = store::SqliteStore::Open(data_dir_);
        ASSERT_TRUE(store) << store.error().ToString();
        store_ = std::move(*store);
    }
    void TearDown() override { std::filesystem::remove_all(data_dir_); }

    std::string data_dir_;
    std::unique_ptr<store::SqliteStore> store_;
};

TEST_F(WorkloadMonitorTest, SurvivesALostConnectionWithoutLosingWork) {
    const std::string dsn = FreshDatabase("monitor_reconnect");
    RunSql(dsn, "CREATE TABLE jobs (id int)");
    auto monitor = WorkloadMonitor::Open(dsn, *store_, {});
    ASSERT_TRUE(monitor) << monitor.error().ToString();
    ASSERT_TRUE((*monitor)->CollectOnce());

    for (int i = 0; i < 4; ++i) RunSql(dsn, "SELECT count(*) FROM jobs WHERE id = " + std::to_string(i));
    // Kill OptiSchema's backend, as a server restart or a network failure would.
    RunSql(ClusterDsn(),
           "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
           "WHERE application_name = 'optischema' AND datname = 'monitor_reconnect'");
    auto cycle = (*monitor)->CollectOnce();
    ASSERT_TRUE(cycle) << cycle.error().ToString();
    ASSERT_TRUE(cycle->collection.deltas.has_value());
    const auto ranking = collector::Rank(cycle->Window(), (*monitor)->catalog(), {.coverage = 1.0});
    const auto* jobs = FindGroup(ranking, "SELECT count(*) FROM jobs WHERE id = $1");
    ASSERT_NE(jobs, nullptr);
    EXPECT_EQ(jobs->counters.calls, 4);
}

TEST_F(WorkloadMonitorTest, ResumesDeltasFromTheStoreAfterARestart) {
    const std::string dsn = FreshDatabase("monitor_resume");
    RunSql(dsn, "CREATE TABLE jobs (id int)");
    {
        auto first = WorkloadMonitor::Open(dsn, *store_, {.resume = true});
        ASSERT_TRUE(first);
        ASSERT_TRUE((*first)->CollectOnce());
    }
    // Work done while OptiSchema was not running.
    for (int i = 0; i < 3; ++i) RunSql(dsn, "SELECT count(*) FROM jobs WHERE id > " + std::to_string(i));

    auto second = WorkloadMonitor::Open(dsn, *store_, {.resume = true});
    ASSERT_TRUE(second);
    EXPECT_GT((*second)->catalog().size(), 0u) << "texts should come from the store";
    auto cycle = (*second)->CollectOnce();
    ASSERT_TRUE(cycle) << cycle.error().ToString();
    ASSERT_TRUE(cycle->collection.deltas.has_value()) << "the stored baseline should give a delta";
    const auto ranking = collector::Rank(cycle->Window(), (*second)->catalog(), {.coverage = 1.0});
    const auto* jobs = FindGroup(ranking, "SELECT count(*) FROM jobs WHERE id > $1");
    ASSERT_NE(jobs, nullptr);
    EXPECT_EQ(jobs->counters.calls, 3);
    auto snapshots = store_->ListSnapshots((*second)->target().id, 5);
    ASSERT_TRUE(snapshots);
    ASSERT_EQ(snapshots->size(), 2u);
    ASSERT_TRUE(snapshots->front().interval_ms.has_value());
    EXPECT_GE(*snapshots->front().interval_ms, 0);
}

}  // namespace
}  // namespace optischema::service
