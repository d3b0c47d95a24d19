// `optischema validate`, `apply`, `rollback`, `impact` and `audit` as a user runs them, against the
// throwaway cluster: a managed sandbox proves a missing index, a wrong rewrite is rejected, an apply
// interrupted mid-build leaves nothing behind, a rollback restores the catalog, and all of it is audited.
#include <chrono>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <signal.h>

#include "binary_runner.hpp"
#include "pg_test_env.hpp"

namespace optischema::cli {
namespace {

using optischema::testing::BinaryRunner;
using optischema::testing::CommandResult;
using optischema::testing::FreshDatabase;
using optischema::testing::QueryValue;
using optischema::testing::RunSql;
using Json = nlohmann::json;

class ValidateTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dsn_ = FreshDatabase("validate_shop");
        RunSql(dsn_,
               "CREATE TABLE customers (id int PRIMARY KEY, email text NOT NULL, country text NOT NULL);"
               "INSERT INTO customers SELECT g, 'user' || g || '@example.com', (ARRAY['DE','FR','US'])[1 + g % 3] "
               "FROM generate_series(1, 20000) g;"
               "CREATE TABLE orders (id int PRIMARY KEY, customer_id int NOT NULL, status text NOT NULL, "
               "total int NOT NULL, created_at timestamptz NOT NULL);"
               "INSERT INTO orders SELECT g, 1 + g % 20000, CASE WHEN g % 50 = 0 THEN 'pending' ELSE 'delivered' END, "
               "g % 500, '2024-01-01'::timestamptz + g * interval '1 minute' FROM generate_series(1, 300000) g;"
               "ANALYZE;"
               // Slow to index (~2 ms a row), to interrupt a build half-way.
               "CREATE FUNCTION slow_id(i int) RETURNS int IMMUTABLE LANGUAGE plpgsql AS "
               "$$ BEGIN PERFORM pg_sleep(0.002); RETURN i; END $$;");
    }

    static std::string IndexCount() {
        return QueryValue(dsn_, "SELECT count(*) FROM pg_indexes WHERE schemaname = 'public'");
    }

    /// Runs advise on a one-statement workload file and returns its one recommendation.
    static Json Advise(BinaryRunner& runner, const std::string& statement) {
        const std::string file = runner.data_dir() + "/workload.sql";
        std::ofstream(file) << statement << ";\n";
        CommandResult run = runner.Run({"advise", "--dsn", dsn_, "--queries", file, "--format", "json"});
        EXPECT_EQ(run.exit_code, 0) << run.err;
        const auto j = Json::parse(run.out);
        EXPECT_EQ(j["recommendations"].size(), 1u) << run.out;
        return j["recommendations"].empty() ? Json::object() : j["recommendations"][0];
    }

    static std::string AdviseId(BinaryRunner& runner, const std::string& statement) {
        return Advise(runner, statement).value("id", "");
    }

    static Json Audit(BinaryRunner& runner) {
        CommandResult run = runner.Run({"audit", "--format", "json"});
        EXPECT_EQ(run.exit_code, 0) << run.err;
        return Json::parse(run.out);
    }

    static std::string dsn_;
};

std::string ValidateTest::dsn_;

TEST_F(ValidateTest, AdviseGivesStableIds) {
    BinaryRunner runner;
    const std::string first = AdviseId(runner, "SELECT id, total FROM orders WHERE customer_id = 42");
    const std::string again = AdviseId(runner, "SELECT id, total FROM orders WHERE customer_id = 42");
    EXPECT_EQ(first.rfind("idx-", 0), 0u) << first;
    EXPECT_EQ(first, again) << "the same index on the same target keeps its id";
    CommandResult text = runner.Run({"advise", "--dsn", dsn_, "--queries", runner.data_dir() + "/workload.sql"});
    EXPECT_NE(text.out.find("[" + first + "]"), std::string::npos) << text.out;
}

TEST_F(ValidateTest, AManagedSandboxProvesAMissingIndex) {
    BinaryRunner runner;
    const std::string id = AdviseId(runner, "SELECT id, total FROM orders WHERE customer_id = 42");
    const std::string indexes_before = IndexCount();
    CommandResult run = runner.Run({"validate", "--dsn", dsn_, "--recommendation", id, "--format", "json"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const auto j = Json::parse(run.out);
    EXPECT_EQ(j["verdict"], "improved") << run.out;
    EXPECT_GT(j["speedup"].get<double>(), 5) << run.out;
    EXPECT_GT(j["before"]["median_ms"].get<double>(), j["after"]["median_ms"].get<double>());
    EXPECT_GE(j["before"]["p95_ms"].get<double>(), j["before"]["median_ms"].get<double>());
    EXPECT_TRUE(j["equivalent"].is_null()) << "an index does not change results: nothing to compare";
    EXPECT_EQ(j["sandbox"]["kind"], "managed");
    ASSERT_EQ(j["sandbox"]["tables"].size(), 1u);
    EXPECT_EQ(j["sandbox"]["tables"][0]["copied_rows"], 300000);
    EXPECT_EQ(j["recommendation"], id);
    // The plans show why: the sequential scan became an index scan.
    bool seq_scan_gone = false;
    bool index_used = false;
    for (const auto& n : j["plan_diff"]["nodes"]) {
        const std::string before = n["before"].is_null() ? "" : n["before"].get<std::string>();
        const std::string after = n["after"].is_null() ? "" : n["after"].get<std::string>();
        seq_scan_gone |=
            before.find("Seq Scan on orders") != std::string::npos && after.find("Seq Scan") == std::string::npos;
        index_used |= after.find("orders_customer_id_idx") != std::string::npos;
    }
    EXPECT_TRUE(seq_scan_gone) << j["plan_diff"].dump();
    EXPECT_TRUE(index_used) << j["plan_diff"].dump();
    ASSERT_EQ(j["queries"].size(), 1u);
    EXPECT_EQ(j["queries"][0]["after"]["runs_ms"].size(), 10u);
    EXPECT_FALSE(j["queries"][0]["plan_before"].is_null());

    EXPECT_EQ(IndexCount(), indexes_before) << "validation never touches the target";
    const auto audit = Audit(runner);
    ASSERT_FALSE(audit.empty());
    EXPECT_EQ(audit[0]["action"], "validate");
    EXPECT_EQ(audit[0]["outcome"], "ok");
    EXPECT_EQ(audit[0]["detail"]["verdict"], "improved");
    EXPECT_NE(audit[0]["sql"].get<std::string>().find("CREATE INDEX orders_customer_id_idx"), std::string::npos);
    EXPECT_EQ(audit[0]["id"], j["audit_id"]);
}

TEST_F(ValidateTest, AWrongRewriteIsRejectedAndARightOneVerified) {
    BinaryRunner runner;
    const std::string query =
        "SELECT c.id, c.email FROM customers c WHERE c.id IN (SELECT o.customer_id FROM orders o "
        "WHERE o.status = 'pending' AND o.total > 400) ORDER BY c.id";
    CommandResult wrong = runner.Run({"validate", "--dsn", dsn_, "--query", query, "--rewrite",
                                      "SELECT c.id, c.email FROM customers c JOIN orders o ON o.customer_id = c.id "
                                      "WHERE o.status = 'pending' AND o.total >= 400 ORDER BY c.id",
                                      "--format", "json"});
    ASSERT_EQ(wrong.exit_code, 0) << wrong.err;
    const auto w = Json::parse(wrong.out);
    EXPECT_EQ(w["verdict"], "rejected");
    EXPECT_EQ(w["equivalent"], false);
    EXPECT_NE(w["reason"].get<std::string>().find("rows"), std::string::npos) << w["reason"];

    // The same rows and faster: EXISTS with an index to probe (the index is part of the change).
    CommandResult right = runner.Run(
        {"validate", "--dsn", dsn_, "--query",
         "SELECT count(*) FROM customers c WHERE c.id IN (SELECT customer_id FROM orders WHERE total = 7)", "--rewrite",
         "SELECT count(*) FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id "
         "AND o.total = 7)",
         "--ddl", "CREATE INDEX orders_total_customer_idx ON orders (total, customer_id)", "--format", "json"});
    ASSERT_EQ(right.exit_code, 0) << right.err;
    const auto r = Json::parse(right.out);
    EXPECT_EQ(r["equivalent"], true) << right.out;
    EXPECT_EQ(r["verdict"], "improved") << right.out;

    const auto audit = Audit(runner);
    ASSERT_EQ(audit.size(), 2u);
    EXPECT_EQ(audit[1]["detail"]["verdict"], "rejected");
}

TEST_F(ValidateTest, BadInputGetsAClearError) {
    BinaryRunner runner;
    CommandResult missing = runner.Run({"validate", "--dsn", dsn_, "--recommendation", "idx-000000000000"});
    EXPECT_EQ(missing.exit_code, 2);
    EXPECT_NE(missing.err.find("optischema advise"), std::string::npos) << missing.err;
    CommandResult not_index =
        runner.Run({"validate", "--dsn", dsn_, "--ddl", "DROP TABLE orders", "--query", "SELECT 1"});
    EXPECT_EQ(not_index.exit_code, 2);
    EXPECT_NE(not_index.err.find("CREATE INDEX"), std::string::npos) << not_index.err;
    CommandResult on_target = runner.Run({"validate", "--dsn", dsn_, "--sandbox", "target", "--ddl",
                                          "CREATE INDEX x ON orders (status)", "--query", "SELECT 1"});
    EXPECT_EQ(on_target.exit_code, 2);
    EXPECT_NE(on_target.err.find("--non-production"), std::string::npos) << on_target.err;
    RunSql(dsn_, "CREATE TABLE IF NOT EXISTS unused (a int)");
    CommandResult no_query = runner.Run({"validate", "--dsn", dsn_, "--ddl", "CREATE INDEX x ON unused (a)"});
    EXPECT_EQ(no_query.exit_code, 2);
    EXPECT_NE(no_query.err.find("no statement on unused"), std::string::npos) << no_query.err;
    EXPECT_NE(no_query.err.find("--query"), std::string::npos) << no_query.err;
    CommandResult apply_rewrite = runner.Run({"apply", "--dsn", dsn_, "--ddl", "SELECT 1", "--yes"});
    EXPECT_EQ(apply_rewrite.exit_code, 2);
    EXPECT_EQ(IndexCount(), "2");
}

TEST_F(ValidateTest, AnIndexWithoutQueriesIsBenchmarkedOnTheWorkloadOnItsTable) {
    for (int i = 0; i < 5; ++i) RunSql(dsn_, "SELECT count(*) FROM orders WHERE total = " + std::to_string(i));
    BinaryRunner runner;
    CommandResult run =
        runner.Run({"validate", "--dsn", dsn_, "--ddl", "CREATE INDEX orders_total_idx ON orders (total)", "--runs",
                    "5", "--format", "json"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const auto j = Json::parse(run.out);
    bool found = false;
    for (const auto& q : j["queries"]) {
        EXPECT_EQ(q["query"].get<std::string>().find("INSERT"), std::string::npos) << "no INSERT by default";
        if (q["query"] == "SELECT count(*) FROM orders WHERE total = $1") {
            found = true;
            EXPECT_EQ(q["verdict"], "improved") << q.dump();
        }
    }
    EXPECT_TRUE(found) << run.out;
}

TEST_F(ValidateTest, ApplyThenRollbackRestoresTheCatalogAndIsAudited) {
    BinaryRunner runner;
    const Json rec = Advise(runner, "SELECT id FROM orders WHERE status = 'pending' AND created_at > '2024-05-01'");
    const std::string id = rec.value("id", "");
    std::string ddl = rec.value("ddl", "");
    ASSERT_GT(ddl.size(), 30u);
    ddl.pop_back();  // the trailing ';'
    const std::string prefix = "CREATE INDEX CONCURRENTLY ";
    ASSERT_EQ(ddl.rfind(prefix, 0), 0u) << ddl;
    const std::string name = ddl.substr(prefix.size(), ddl.find(" ON ") - prefix.size());
    CommandResult refused = runner.RunWithInput({"apply", "--dsn", dsn_, "--recommendation", id}, "n\n");
    EXPECT_EQ(refused.exit_code, 2);
    EXPECT_NE(refused.err.find("not confirmed"), std::string::npos) << refused.err;
    EXPECT_EQ(IndexCount(), "2");

    CommandResult applied = runner.RunWithInput({"apply", "--dsn", dsn_, "--recommendation", id}, "y\n");
    ASSERT_EQ(applied.exit_code, 0) << applied.err;
    const auto audit = Audit(runner);
    ASSERT_FALSE(audit.empty());
    const auto& apply = audit[0];
    EXPECT_EQ(apply["action"], "apply");
    EXPECT_EQ(apply["outcome"], "ok");
    EXPECT_EQ(apply["sql"], ddl);
    EXPECT_EQ(apply["detail"]["recommendation"], id);
    EXPECT_NE(applied.out.find("action " + std::to_string(apply["id"].get<int>())), std::string::npos) << applied.out;
    EXPECT_EQ(QueryValue(dsn_, "SELECT indisvalid FROM pg_index WHERE indexrelid = '" + name + "'::regclass"), "t");

    const std::string action = std::to_string(apply["id"].get<int>());
    CommandResult rolled = runner.Run({"rollback", "--dsn", dsn_, "--action", action, "--yes"});
    ASSERT_EQ(rolled.exit_code, 0) << rolled.err;
    EXPECT_EQ(QueryValue(dsn_, "SELECT count(*) FROM pg_class WHERE relname = '" + name + "'"), "0");
    EXPECT_EQ(IndexCount(), "2");
    CommandResult twice = runner.Run({"rollback", "--dsn", dsn_, "--action", action, "--yes"});
    EXPECT_EQ(twice.exit_code, 2);
    EXPECT_NE(twice.err.find("already rolled back"), std::string::npos) << twice.err;

    const auto after = Audit(runner);
    ASSERT_GE(after.size(), 2u);
    EXPECT_EQ(after[0]["action"], "rollback");
    EXPECT_EQ(after[0]["related_id"], apply["id"]);
    EXPECT_EQ(after[0]["sql"], "DROP INDEX CONCURRENTLY IF EXISTS public." + name);
    CommandResult csv = runner.Run({"audit", "--format", "csv"});
    ASSERT_EQ(csv.exit_code, 0);
    EXPECT_EQ(csv.out.rfind("id,at,actor,target,action,outcome,duration_ms,related_id,sql,error,detail\r\n", 0), 0u);
    EXPECT_NE(csv.out.find(",rollback,ok,"), std::string::npos) << csv.out;
}

TEST_F(ValidateTest, AnApplyInterruptedMidBuildLeavesNoInvalidIndex) {
    BinaryRunner runner;
    const pid_t pid =
        runner.Start({"apply", "--dsn", dsn_, "--ddl", "CREATE INDEX slow_idx ON customers (slow_id(id))", "--yes",
                      "--allow-function", "public.slow_id"});
    // Ctrl-C once PostgreSQL reports the build under way.
    bool building = false;
    for (int i = 0; i < 200 && !building; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        building =
            QueryValue(dsn_, "SELECT count(*) FROM pg_stat_progress_create_index WHERE phase LIKE 'building%'") != "0";
    }
    ASSERT_TRUE(building) << "the build never started";
    ASSERT_EQ(::kill(pid, SIGINT), 0);
    CommandResult run = runner.Wait(pid);
    EXPECT_EQ(run.exit_code, 1) << run.err;
    EXPECT_NE(run.err.find("cancelled"), std::string::npos) << run.err;
    EXPECT_EQ(QueryValue(dsn_, "SELECT count(*) FROM pg_class WHERE relname = 'slow_idx'"), "0")
        << "no INVALID index may stay behind";
    const auto audit = Audit(runner);
    ASSERT_FALSE(audit.empty());
    EXPECT_EQ(audit[0]["action"], "apply");
    EXPECT_EQ(audit[0]["outcome"], "cancelled");
    EXPECT_NE(audit[0]["error"].get<std::string>().find("dropped"), std::string::npos) << audit[0].dump();
}

TEST_F(ValidateTest, ImpactShowsTheTimeActuallySaved) {
    const std::string db = FreshDatabase("validate_impact");
    RunSql(db,
           "CREATE TABLE events (id int PRIMARY KEY, account int NOT NULL, kind text NOT NULL);"
           "INSERT INTO events SELECT g, g % 5000, 'k' || g % 7 FROM generate_series(1, 200000) g; ANALYZE");
    for (int i = 0; i < 20; ++i) RunSql(db, "SELECT count(*) FROM events WHERE account = " + std::to_string(i));
    BinaryRunner runner;
    CommandResult advised = runner.Run({"advise", "--dsn", db, "--format", "json"});
    ASSERT_EQ(advised.exit_code, 0) << advised.err;
    const auto recs = Json::parse(advised.out)["recommendations"];
    ASSERT_EQ(recs.size(), 1u) << advised.out;
    CommandResult applied =
        runner.Run({"apply", "--dsn", db, "--recommendation", recs[0]["id"].get<std::string>(), "--yes"});
    ASSERT_EQ(applied.exit_code, 0) << applied.err;
    const std::string action = std::to_string(Audit(runner)[0]["id"].get<int>());
    for (int i = 0; i < 20; ++i) RunSql(db, "SELECT count(*) FROM events WHERE account = " + std::to_string(100 + i));
    CommandResult impact = runner.Run({"impact", "--dsn", db, "--action", action, "--format", "json"});
    ASSERT_EQ(impact.exit_code, 0) << impact.err;
    const auto j = Json::parse(impact.out);
    ASSERT_EQ(j["statements"].size(), 1u) << impact.out;
    const auto& s = j["statements"][0];
    EXPECT_EQ(s["calls_before"], 20);
    EXPECT_EQ(s["calls_since"], 20);
    EXPECT_LT(s["mean_ms_since"].get<double>(), s["mean_ms_before"].get<double>()) << impact.out;
    EXPECT_GT(j["saved_ms"].get<double>(), 0);
}

}  // namespace
}  // namespace optischema::cli
