// `optischema advise` against the throwaway cluster with real HypoPG: the indexes an expert would
// create, nothing for statements an index cannot help, and no change to the database.
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "binary_runner.hpp"
#include "pg_test_env.hpp"

namespace optischema::cli {
namespace {

using optischema::testing::BinaryRunner;
using optischema::testing::CommandResult;
using optischema::testing::FreshDatabase;
using optischema::testing::QueryValue;
using optischema::testing::RunSql;

class AdviseTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dsn_ = FreshDatabase("advise_shop");
        RunSql(dsn_,
               "CREATE TABLE customers (id int PRIMARY KEY, email text NOT NULL, country text NOT NULL);"
               "INSERT INTO customers SELECT g, 'user' || g || '@example.com', (ARRAY['DE','FR','US'])[1 + g % 3] "
               "FROM generate_series(1, 50000) g;"
               "CREATE TABLE orders (id int PRIMARY KEY, customer_id int NOT NULL REFERENCES customers, "
               "status text NOT NULL, created_at timestamptz NOT NULL, total int);"
               "INSERT INTO orders SELECT g, 1 + g % 50000, CASE WHEN g % 100 = 0 THEN 'pending' ELSE 'delivered' END,"
               " '2024-01-01'::timestamptz + g * interval '1 minute', g % 500 FROM generate_series(1, 300000) g;"
               "ANALYZE");
    }
    static std::string dsn_;
};

std::string AdviseTest::dsn_;

const nlohmann::json* FindRecommendation(const nlohmann::json& j, std::string_view ddl_part) {
    for (const auto& r : j["recommendations"]) {
        if (r["ddl"].get<std::string>().find(ddl_part) != std::string::npos) return &r;
    }
    return nullptr;
}

TEST_F(AdviseTest, RecommendsWhatAnExpertWouldFromAFile) {
    BinaryRunner runner;
    const std::string file = runner.data_dir() + "/workload.sql";
    std::ofstream(file) << "SELECT * FROM orders WHERE customer_id = 42;\n"
                           "SELECT id FROM customers WHERE lower(email) = 'user5@example.com';\n"
                           "SELECT * FROM customers WHERE id = 7;\n"
                           "SELECT count(*) FROM orders;\n";
    const std::string indexes_before = QueryValue(dsn_, "SELECT count(*) FROM pg_indexes WHERE schemaname = 'public'");
    CommandResult run = runner.Run({"advise", "--dsn", dsn_, "--queries", file, "--format", "json"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const auto j = nlohmann::json::parse(run.out);

    const auto* by_customer = FindRecommendation(j, "ON orders (customer_id)");
    ASSERT_NE(by_customer, nullptr) << run.out;
    EXPECT_EQ((*by_customer)["method"], "btree");
    EXPECT_NE((*by_customer)["ddl"].get<std::string>().find("CREATE INDEX CONCURRENTLY"), std::string::npos);
    EXPECT_NE((*by_customer)["rollback"].get<std::string>().find("DROP INDEX CONCURRENTLY"), std::string::npos);
    EXPECT_GT((*by_customer)["estimated_size_bytes"].get<long long>(), 0);
    ASSERT_FALSE((*by_customer)["queries"].empty());
    const auto& q = (*by_customer)["queries"][0];
    EXPECT_LT(q["cost_after"].get<double>(), 0.2 * q["cost_before"].get<double>());

    const auto* by_email = FindRecommendation(j, "((lower(email)))");
    ASSERT_NE(by_email, nullptr) << run.out;
    EXPECT_NE((*by_email)["ddl"].get<std::string>().find("ON customers"), std::string::npos);

    EXPECT_EQ(j["recommendations"].size(), 2u) << "no index beyond the expert's two";
    std::vector<std::string> none;
    for (const auto& n : j["no_index"]) none.push_back(n["query"]);
    EXPECT_EQ(none.size(), 2u) << run.out;
    EXPECT_NE(std::find(none.begin(), none.end(), "SELECT * FROM customers WHERE id = 7"), none.end());
    EXPECT_NE(std::find(none.begin(), none.end(), "SELECT count(*) FROM orders"), none.end());
    EXPECT_TRUE(j["errors"].empty()) << j["errors"].dump();

    EXPECT_EQ(QueryValue(dsn_, "SELECT count(*) FROM pg_indexes WHERE schemaname = 'public'"), indexes_before)
        << "advise must not change the database";
}

TEST_F(AdviseTest, UsesTheWorkloadInPgStatStatements) {
    for (int i = 0; i < 20; ++i) {
        RunSql(dsn_, "SELECT id, total FROM orders WHERE customer_id = " + std::to_string(100 + i) +
                         " ORDER BY created_at DESC LIMIT 10");
    }
    BinaryRunner runner;
    CommandResult run = runner.Run({"advise", "--dsn", dsn_, "--format", "json", "--min-calls", "5"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const auto j = nlohmann::json::parse(run.out);
    const auto* rec = FindRecommendation(j, "ON orders (customer_id");
    ASSERT_NE(rec, nullptr) << run.out;
    bool serves = false;
    for (const auto& q : (*rec)["queries"]) {
        serves |= q["query"].get<std::string>().find("WHERE customer_id = $1") != std::string::npos;
        EXPECT_EQ(q["fingerprint"].get<std::string>().size(), 16u);
    }
    EXPECT_TRUE(serves) << rec->dump();
    EXPECT_FALSE((*rec)["impact"]["saved_ms"].is_null());

    CommandResult text = runner.Run({"advise", "--dsn", dsn_, "--min-calls", "5"});
    ASSERT_EQ(text.exit_code, 0) << text.err;
    EXPECT_NE(text.out.find("rollback: DROP INDEX CONCURRENTLY"), std::string::npos) << text.out;
}

TEST_F(AdviseTest, TrigramIndexForInfixSearchWhenPgTrgmIsInstalled) {
    const std::string dsn = FreshDatabase("advise_trgm");
    RunSql(dsn,
           "CREATE EXTENSION pg_trgm; CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL);"
           "INSERT INTO notes SELECT g, md5(g::text) FROM generate_series(1, 20000) g; ANALYZE");
    BinaryRunner runner;
    const std::string file = runner.data_dir() + "/workload.sql";
    std::ofstream(file) << "SELECT id FROM notes WHERE body LIKE '%abc1%'";
    CommandResult run = runner.Run({"advise", "--dsn", dsn, "--queries", file, "--format", "json"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const auto j = nlohmann::json::parse(run.out);
    const auto* rec = FindRecommendation(j, "USING gin (body gin_trgm_ops)");
    ASSERT_NE(rec, nullptr) << run.out;
    EXPECT_NE((*rec)["confidence"].get<std::string>().find("needs validation on a real index"), std::string::npos);
    EXPECT_TRUE(j["no_index"].empty()) << run.out;
}

TEST_F(AdviseTest, MissingFileIsAClearError) {
    BinaryRunner runner;
    CommandResult run = runner.Run({"advise", "--dsn", dsn_, "--queries", "/nonexistent/workload.sql"});
    EXPECT_EQ(run.exit_code, 2);
    EXPECT_NE(run.err.find("cannot read /nonexistent/workload.sql"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace optischema::cli
