// The sandbox against the throwaway cluster: a managed sandbox built from a real target, a measured
// speed-up from a real index, result equivalence, and CREATE/DROP INDEX CONCURRENTLY with failures.
#include <atomic>
#include <filesystem>
#include <thread>

#include <gtest/gtest.h>

#include "pg_test_env.hpp"
#include "sandbox/benchmark.hpp"
#include "sandbox/cluster_host.hpp"
#include "sandbox/equivalence.hpp"
#include "sandbox/index_change.hpp"
#include "sandbox/managed_cluster.hpp"
#include "sandbox/sandbox.hpp"

namespace optischema::sandbox {
namespace {

using optischema::testing::FreshDatabase;
using optischema::testing::QueryValue;
using optischema::testing::RunSql;

std::filesystem::path SandboxBase() {
    const char* dir = std::getenv("OPTISCHEMA_TEST_CLUSTER_DIR");
    return std::filesystem::path(dir != nullptr ? dir : "/tmp") / "sandbox-test";
}

class ManagedSandboxTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dsn_ = FreshDatabase("sandbox_shop");
        RunSql(
            dsn_,
            "CREATE SCHEMA shop;"
            "CREATE TYPE shop.order_status AS ENUM ('pending', 'paid', 'shipped');"
            "CREATE DOMAIN shop.money_cents AS bigint CHECK (VALUE >= 0);"
            "CREATE TABLE shop.customers (id int PRIMARY KEY, email text NOT NULL UNIQUE, country text);"
            "INSERT INTO shop.customers SELECT g, 'user' || g || '@example.com', (ARRAY['DE','FR','US'])[1 + g % 3]"
            " FROM generate_series(1, 20000) g;"
            "CREATE TABLE shop.orders (id bigint PRIMARY KEY, customer_id int NOT NULL, status shop.order_status "
            "NOT NULL, total shop.money_cents NOT NULL CHECK (total < 100000000), tags text[], note text COLLATE \"C\","
            " created_at timestamptz NOT NULL);"
            "INSERT INTO shop.orders SELECT g, 1 + g % 20000, (ARRAY['pending','paid','shipped'])[1 + g % "
            "3]::shop.order_status,"
            " g % 5000, ARRAY['a','b'], 'n' || g, '2024-01-01'::timestamptz + g * interval '1 minute'"
            " FROM generate_series(1, 200000) g;"
            "CREATE INDEX orders_created_at_idx ON shop.orders (created_at);"
            "ANALYZE");
        auto cluster = ManagedCluster::Start(SandboxBase(), 15);
        ASSERT_TRUE(cluster) << cluster.error().message;
        cluster_ = std::move(*cluster);
    }
    static void TearDownTestSuite() {
        if (cluster_) {
            EXPECT_TRUE(cluster_->Stop());
            const auto home = cluster_->home();
            cluster_.reset();
            std::filesystem::remove_all(home);  // it may live under /tmp, outside the build tree
        }
    }

    static std::unique_ptr<Sandbox> Make(const std::vector<TableName>& tables, const CopyOptions& options = {}) {
        auto target = pg::Connection::Open(dsn_);
        EXPECT_TRUE(target) << target.error().message;
        auto sandbox = Sandbox::Managed(*cluster_, *target, tables, options);
        EXPECT_TRUE(sandbox) << sandbox.error().message;
        return sandbox ? std::move(*sandbox) : nullptr;
    }

    static std::string dsn_;
    static std::unique_ptr<ManagedCluster> cluster_;
};

std::string ManagedSandboxTest::dsn_;
std::unique_ptr<ManagedCluster> ManagedSandboxTest::cluster_;

std::string Value(pg::Connection& conn, const std::string& sql) {
    auto rows = conn.Query(sql);
    EXPECT_TRUE(rows) << rows.error().message;
    return rows && !rows->empty() && (*rows)[0][0] ? *(*rows)[0][0] : "";
}

TEST_F(ManagedSandboxTest, CopiesSchemaDataAndStatisticsThenDropsItsDatabase) {
    std::string database;
    {
        auto sandbox = Make({{"shop", "orders"}, {"shop", "customers"}});
        ASSERT_TRUE(sandbox);
        auto& sb = sandbox->conn();
        database = sb.Database();
        EXPECT_EQ(Value(sb, "SELECT count(*) FROM shop.orders"), "200000");
        EXPECT_EQ(Value(sb, "SELECT count(*) FROM shop.customers"), "20000");
        // Types, constraints and existing indexes came along; the sandbox plans with statistics.
        EXPECT_EQ(Value(sb, "SELECT count(*) FROM shop.orders WHERE status = 'paid'"), "66667");
        EXPECT_EQ(Value(sb,
                        "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = "
                        "'shop.orders'::regclass AND attname = 'total'"),
                  "shop.money_cents");
        EXPECT_EQ(Value(sb,
                        "SELECT string_agg(conname, ',' ORDER BY conname) FROM pg_constraint WHERE conrelid = "
                        "'shop.orders'::regclass"),
                  "orders_pkey,orders_total_check");
        EXPECT_EQ(Value(sb,
                        "SELECT count(*) FROM pg_indexes WHERE indexname IN ('orders_created_at_idx', "
                        "'customers_email_key')"),
                  "2");
        EXPECT_EQ(Value(sb, "SELECT count(*) > 0 FROM pg_stats WHERE schemaname = 'shop' AND tablename = 'orders'"),
                  "t");
        EXPECT_EQ(Value(sb,
                        "SELECT collation_name FROM information_schema.columns WHERE table_name = 'orders' AND "
                        "column_name = 'note'"),
                  "C");
        ASSERT_EQ(sandbox->copied().size(), 2u);
        EXPECT_EQ(sandbox->copied()[0].copied_rows, 200000);
        EXPECT_DOUBLE_EQ(sandbox->copied()[0].sample_percent, 100);
        EXPECT_EQ(sandbox->kind(), Sandbox::Kind::kManaged);
        // The target's planner settings came along.
        EXPECT_EQ(Value(sb, "SHOW random_page_cost"), QueryValue(dsn_, "SHOW random_page_cost"));
    }
    auto admin = pg::Connection::Open(cluster_->Dsn("postgres"));
    ASSERT_TRUE(admin);
    EXPECT_EQ(Value(*admin, "SELECT count(*) FROM pg_database WHERE datname = '" + database + "'"), "0")
        << "the sandbox database is dropped when the sandbox goes";
    // Nothing was written to the target.
    EXPECT_EQ(QueryValue(dsn_, "SELECT count(*) FROM pg_indexes WHERE schemaname = 'shop'"), "4");
}

TEST_F(ManagedSandboxTest, SamplesTablesLargerThanTheLimit) {
    auto sandbox = Make({{"shop", "orders"}}, CopyOptions{.max_table_bytes = 2 << 20});
    ASSERT_TRUE(sandbox);
    const auto& copied = sandbox->copied().at(0);
    EXPECT_LT(copied.sample_percent, 100);
    EXPECT_GT(copied.copied_rows, 0);
    EXPECT_LT(copied.copied_rows, 200000);
    EXPECT_EQ(copied.target_rows, 200000);
    ASSERT_FALSE(sandbox->notes().empty());
    EXPECT_NE(sandbox->notes().back().find("sampled"), std::string::npos) << sandbox->notes().back();
}

TEST_F(ManagedSandboxTest, RefusesWhatItCannotCopyWithAWayOut) {
    RunSql(dsn_, "CREATE OR REPLACE VIEW shop.paid AS SELECT * FROM shop.orders WHERE status = 'paid'");
    auto target = pg::Connection::Open(dsn_);
    ASSERT_TRUE(target);
    auto view = Sandbox::Managed(*cluster_, *target, {{"shop", "paid"}});
    ASSERT_FALSE(view);
    EXPECT_NE(view.error().message.find("--sandbox DSN"), std::string::npos) << view.error().message;
    auto missing = Sandbox::Managed(*cluster_, *target, {{"", "no_such_table"}});
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST_F(ManagedSandboxTest, AMissingIndexShowsAMeasuredSpeedup) {
    auto sandbox = Make({{"shop", "orders"}});
    ASSERT_TRUE(sandbox);
    const std::string query = "SELECT id, total FROM shop.orders WHERE customer_id = 4242";
    const BenchmarkOptions options{.warmup_runs = 2, .runs = 7};
    auto before = Measure(sandbox->conn(), query, false, options);
    ASSERT_TRUE(before) << before.error().message;
    auto build = sandbox->BuildIndex("CREATE INDEX orders_customer_id_idx ON shop.orders (customer_id)",
                                     "DROP INDEX IF EXISTS shop.orders_customer_id_idx");
    ASSERT_TRUE(build) << build.error().message;
    auto after = Measure(sandbox->conn(), query, false, options);
    ASSERT_TRUE(after) << after.error().message;
    EXPECT_NE(before->plan_json.find("Seq Scan"), std::string::npos);
    EXPECT_NE(after->plan_json.find("orders_customer_id_idx"), std::string::npos);
    EXPECT_EQ(after->timing.runs_ms.size(), 7u);
    const Comparison c = Compare(before->timing, after->timing);
    EXPECT_EQ(c.verdict, Verdict::kImproved) << c.summary;
    EXPECT_GT(c.speedup, 3) << c.summary;

    ASSERT_TRUE(sandbox->DropBuiltIndexes());
    EXPECT_EQ(Value(sandbox->conn(), "SELECT count(*) FROM pg_indexes WHERE indexname = 'orders_customer_id_idx'"),
              "0");
}

TEST_F(ManagedSandboxTest, WritesAreMeasuredAndRolledBack) {
    auto sandbox = Make({{"shop", "orders"}});
    ASSERT_TRUE(sandbox);
    auto m = Measure(sandbox->conn(), "UPDATE shop.orders SET total = 0 WHERE id < 100", true, {.runs = 3});
    ASSERT_TRUE(m) << m.error().message;
    EXPECT_EQ(Value(sandbox->conn(), "SELECT count(*) FROM shop.orders WHERE id < 100 AND total = 0"), "0")
        << "every run was rolled back";
}

TEST_F(ManagedSandboxTest, EquivalenceAcceptsARightRewriteAndRejectsWrongOnes) {
    auto sandbox = Make({{"shop", "orders"}, {"shop", "customers"}});
    ASSERT_TRUE(sandbox);
    auto& sb = sandbox->conn();
    const std::string original =
        "SELECT c.id, c.email FROM shop.customers c WHERE c.id IN (SELECT customer_id FROM shop.orders WHERE total > "
        "4990) ORDER BY c.id";
    auto right = CompareResults(sb, original,
                                "SELECT c.id, c.email FROM shop.customers c WHERE EXISTS (SELECT 1 FROM shop.orders o "
                                "WHERE o.customer_id = c.id AND o.total > 4990) ORDER BY c.id",
                                true);
    ASSERT_TRUE(right) << right.error().message;
    EXPECT_EQ(right->equal, std::optional<bool>(true)) << right->reason;
    EXPECT_EQ(right->original_rows, 36);

    // A join duplicates customers with several matching orders.
    auto duplicates = CompareResults(sb, original,
                                     "SELECT c.id, c.email FROM shop.customers c JOIN shop.orders o ON o.customer_id = "
                                     "c.id WHERE o.total > 4990 ORDER BY c.id",
                                     true);
    ASSERT_TRUE(duplicates);
    EXPECT_EQ(duplicates->equal, std::optional<bool>(false));
    EXPECT_NE(duplicates->reason.find("rows"), std::string::npos) << duplicates->reason;

    auto wrong_filter = CompareResults(sb, original,
                                       "SELECT c.id, c.email FROM shop.customers c WHERE EXISTS (SELECT 1 FROM "
                                       "shop.orders o WHERE o.customer_id = c.id AND o.total >= 4990) ORDER BY c.id",
                                       true);
    ASSERT_TRUE(wrong_filter);
    EXPECT_EQ(wrong_filter->equal, std::optional<bool>(false));

    auto order = CompareResults(sb, original,
                                "SELECT c.id, c.email FROM shop.customers c WHERE EXISTS (SELECT 1 FROM shop.orders o "
                                "WHERE o.customer_id = c.id AND o.total > 4990) ORDER BY c.id DESC",
                                true);
    ASSERT_TRUE(order);
    EXPECT_EQ(order->equal, std::optional<bool>(false));
    EXPECT_NE(order->reason.find("order"), std::string::npos) << order->reason;

    auto unordered = CompareResults(sb, "SELECT id FROM shop.customers WHERE id < 50",
                                    "SELECT id FROM shop.customers WHERE id < 50 ORDER BY id DESC", false);
    ASSERT_TRUE(unordered);
    EXPECT_EQ(unordered->equal, std::optional<bool>(true)) << "without ORDER BY, order does not matter";

    auto broken = CompareResults(sb, original, "SELECT nope FROM shop.customers", true);
    ASSERT_TRUE(broken);
    EXPECT_EQ(broken->equal, std::optional<bool>(false));
    EXPECT_NE(broken->reason.find("fails"), std::string::npos);
}

// CREATE/DROP INDEX CONCURRENTLY on the target itself.
// Validations that run at once share a cluster: a lease never stops it under another, the last one does.
TEST(ClusterHostTest, LeasesShareOneClusterThatStopsWithTheLastLease) {
    const auto base = SandboxBase().parent_path() / "cluster-host-test";
    ClusterHost host(base);
    auto first = host.Lease(15);
    ASSERT_TRUE(first) << first.error().message;
    auto second = host.Lease(15);
    ASSERT_TRUE(second) << second.error().message;
    EXPECT_EQ(first->get(), second->get()) << "one cluster for both leases";
    const std::string dsn = (*first)->Dsn("postgres");
    const auto home = (*first)->home();
    first->reset();
    EXPECT_EQ(QueryValue(dsn, "SELECT 1"), "1") << "the second lease keeps it running";
    second->reset();
    EXPECT_FALSE(std::filesystem::exists(home / "data" / "postmaster.pid")) << "the last lease stopped it";
    EXPECT_THROW(QueryValue(dsn, "SELECT 1"), std::runtime_error);
    std::filesystem::remove_all(home);
    std::filesystem::remove_all(base);
}

class IndexChangeTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dsn_ = FreshDatabase("sandbox_apply");
        RunSql(dsn_,
               "CREATE TABLE items (id int PRIMARY KEY, sku text NOT NULL, qty int NOT NULL);"
               "INSERT INTO items SELECT g, 'sku-' || g, g % 100 FROM generate_series(1, 3000) g;"
               // Slow enough to interrupt mid-build: ~2 ms a row.
               "CREATE FUNCTION slow_id(i int) RETURNS int IMMUTABLE LANGUAGE plpgsql AS "
               "$$ BEGIN PERFORM pg_sleep(0.002); RETURN i; END $$;");
    }
    static std::string dsn_;
};

std::string IndexChangeTest::dsn_;

TEST_F(IndexChangeTest, AppliesThenRollsBack) {
    const IndexRef ref{"public", "items_sku_idx"};
    std::vector<BuildProgress> seen;
    BuildOptions options;
    options.on_progress = [&](const BuildProgress& p) { seen.push_back(p); };
    options.poll_interval = std::chrono::milliseconds(10);
    auto built = CreateIndexConcurrently(dsn_, "CREATE INDEX CONCURRENTLY items_sku_idx ON items (sku)", ref, options);
    ASSERT_TRUE(built) << built.error().message;
    EXPECT_GT(built->index_bytes, 0);
    EXPECT_FALSE(built->replaced_invalid);
    EXPECT_EQ(QueryValue(dsn_, "SELECT indisvalid FROM pg_index WHERE indexrelid = 'items_sku_idx'::regclass"), "t");

    auto again = CreateIndexConcurrently(dsn_, "CREATE INDEX CONCURRENTLY items_sku_idx ON items (sku)", ref, options);
    ASSERT_FALSE(again);
    EXPECT_NE(again.error().message.find("already exists"), std::string::npos);

    auto dropped =
        DropIndexConcurrently(dsn_, "DROP INDEX CONCURRENTLY IF EXISTS public.items_sku_idx", std::chrono::seconds(5));
    ASSERT_TRUE(dropped) << dropped.error().message;
    EXPECT_EQ(QueryValue(dsn_, "SELECT count(*) FROM pg_indexes WHERE indexname = 'items_sku_idx'"), "0");
}

TEST_F(IndexChangeTest, ACancelledBuildLeavesNoInvalidIndex) {
    const IndexRef ref{"", "items_slow_idx"};
    std::atomic<bool> cancel{false};
    std::vector<std::string> phases;
    BuildOptions options;
    // slow_id is a function of the target's: the build runs it for every row, so the gate refuses it
    // until it is allowed.
    auto refused = CreateIndexConcurrently(dsn_, "CREATE INDEX CONCURRENTLY items_slow_idx ON items (slow_id(id))", ref,
                                           options);
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message.find("public.slow_id"), std::string::npos) << refused.error().message;
    options.allow = {{"public.slow_id"}};
    options.poll_interval = std::chrono::milliseconds(10);
    options.cancel = &cancel;
    options.on_progress = [&](const BuildProgress& p) {
        phases.push_back(p.phase);
        if (p.phase.find("building index") != std::string::npos) cancel = true;  // Ctrl-C mid-build
    };
    auto built =
        CreateIndexConcurrently(dsn_, "CREATE INDEX CONCURRENTLY items_slow_idx ON items (slow_id(id))", ref, options);
    ASSERT_FALSE(built) << "the build should have been cancelled; phases seen: " << phases.size();
    EXPECT_NE(built.error().message.find("cancelled"), std::string::npos) << built.error().message;
    EXPECT_NE(built.error().message.find("INVALID index it left was dropped"), std::string::npos)
        << built.error().message;
    EXPECT_EQ(QueryValue(dsn_, "SELECT count(*) FROM pg_class WHERE relname = 'items_slow_idx'"), "0");
}

TEST_F(IndexChangeTest, ALockTimeoutFailsTheBuildAndCleansUpOnceTheBlockerEnds) {
    // A writer holding its transaction open: the concurrent build waits for it, up to lock_timeout.
    auto blocker = pg::Connection::Open(dsn_);
    ASSERT_TRUE(blocker);
    ASSERT_TRUE(blocker->Execute("BEGIN"));
    ASSERT_TRUE(blocker->Execute("UPDATE public.items SET qty = qty WHERE id = 1"));
    std::thread release([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(1500));
        (void)blocker->Execute("COMMIT");
    });
    BuildOptions options;
    options.lock_timeout = std::chrono::milliseconds(300);
    auto built = CreateIndexConcurrently(dsn_, "CREATE INDEX CONCURRENTLY items_qty_idx ON items (qty)",
                                         IndexRef{"public", "items_qty_idx"}, options);
    release.join();
    ASSERT_FALSE(built);
    EXPECT_EQ(built.error().sqlstate, "55P03") << built.error().message;
    EXPECT_NE(built.error().message.find("dropped"), std::string::npos) << built.error().message;
    EXPECT_EQ(QueryValue(dsn_, "SELECT count(*) FROM pg_class WHERE relname = 'items_qty_idx'"), "0");
}

TEST_F(IndexChangeTest, ReplacesAnInvalidLeftoverOfAnEarlierBuild) {
    // An earlier build that died leaves an INVALID index of the same name.
    RunSql(dsn_,
           "CREATE INDEX items_dup_idx ON items (qty); UPDATE pg_index SET indisvalid = false WHERE indexrelid = "
           "'items_dup_idx'::regclass");
    auto built = CreateIndexConcurrently(dsn_, "CREATE INDEX CONCURRENTLY items_dup_idx ON items (qty)",
                                         IndexRef{"", "items_dup_idx"}, {});
    ASSERT_TRUE(built) << built.error().message;
    EXPECT_TRUE(built->replaced_invalid);
    EXPECT_EQ(QueryValue(dsn_, "SELECT indisvalid FROM pg_index WHERE indexrelid = 'items_dup_idx'::regclass"), "t");
}

}  // namespace
}  // namespace optischema::sandbox
