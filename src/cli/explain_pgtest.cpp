// `optischema explain` against the throwaway cluster: samples for normalized statements, generic
// plans, ANALYZE inside a rolled-back transaction, findings, and the errors a user meets.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "binary_runner.hpp"
#include "pg_test_env.hpp"
#include "service/explain.hpp"

namespace optischema::cli {
namespace {

using optischema::testing::BinaryRunner;
using optischema::testing::CommandResult;
using optischema::testing::FreshDatabase;
using optischema::testing::RunSql;

long long Count(const std::string& dsn, const std::string& sql) {
    return std::stoll(optischema::testing::QueryValue(dsn, sql));
}

bool MentionsPlaceholder(const model::PlanNode& node) {
    for (const std::string* cond : {&node.filter, &node.index_cond, &node.recheck_cond}) {
        if (cond->find("$1") != std::string::npos) return true;
    }
    for (const auto& child : node.children) {
        if (MentionsPlaceholder(child)) return true;
    }
    return false;
}

class ExplainTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dsn_ = FreshDatabase("explain_shop");
        RunSql(dsn_,
               "CREATE TABLE customers (id int PRIMARY KEY, email text NOT NULL, country text NOT NULL);"
               "INSERT INTO customers SELECT g, 'user' || g || '@example.com', (ARRAY['DE','FR','US'])[1 + g % 3] "
               "FROM generate_series(1, 20000) g;"
               "CREATE TABLE orders (id int PRIMARY KEY, customer_id int NOT NULL, status text NOT NULL, total int);"
               "INSERT INTO orders SELECT g, 1 + g % 20000, CASE WHEN g % 100 = 0 THEN 'pending' ELSE 'delivered' END,"
               " g % 500 FROM generate_series(1, 200000) g;"
               "ANALYZE");
    }

    Result<service::ExplainReport> ExplainSql(const std::string& sql, service::ExplainRequest options = {}) {
        auto conn = pg::Connection::Open(dsn_);
        if (!conn) return tl::unexpected(conn.error());
        return service::Explain(*conn, sql, options);
    }

    static std::string dsn_;
};

std::string ExplainTest::dsn_;

TEST_F(ExplainTest, NormalizedStatementGetsARunnableSample) {
    auto report = ExplainSql("SELECT * FROM orders WHERE status = $1 AND customer_id > $2 LIMIT $3");
    ASSERT_TRUE(report) << report.error().ToString();
    EXPECT_EQ(report->method, "sample");
    ASSERT_EQ(report->params.size(), 3u);
    EXPECT_EQ(report->params[0].value, "'delivered'::text");
    EXPECT_NE(report->params[0].source.find("most common value"), std::string::npos);
    EXPECT_EQ(report->params[1].type, "integer");
    EXPECT_NE(report->params[1].source.find("histogram"), std::string::npos);
    EXPECT_EQ(report->params[2].value, "'20'::bigint");
    EXPECT_EQ(report->sql.find('$'), std::string::npos) << report->sql;
    EXPECT_FALSE(report->plan.analyzed);
    EXPECT_GT(report->plan.root.total_cost, 0);
}

TEST_F(ExplainTest, GenericPlanOnRequest) {
    service::ExplainRequest options;
    options.generic = true;
    auto report = ExplainSql("SELECT * FROM orders WHERE customer_id = $1", options);
    ASSERT_TRUE(report) << report.error().ToString();
    // EXPLAIN (GENERIC_PLAN) from PostgreSQL 16, a prepared statement before.
    const int version = std::stoi(optischema::testing::QueryValue(dsn_, "SHOW server_version_num"));
    EXPECT_EQ(report->method, version >= 160000 ? "generic_plan" : "prepared_generic");
    EXPECT_TRUE(report->params.empty());
    EXPECT_FALSE(report->plan.analyzed);
    ASSERT_FALSE(report->plan.root.node_type.empty());
    // The plan is for any value: the placeholder itself is in the plan, not a guessed constant.
    EXPECT_TRUE(MentionsPlaceholder(report->plan.root)) << service::FormatExplainJson(*report);
}

// PostgreSQL 18 keeps a list of constants as one placeholder and a comment (recorded from 18.4).
TEST_F(ExplainTest, SquashedListOfPostgres18GetsASample) {
    auto report = ExplainSql("SELECT id FROM orders WHERE customer_id IN ($1 /*, ... */)");
    ASSERT_TRUE(report) << report.error().ToString();
    EXPECT_EQ(report->method, "sample");
    ASSERT_EQ(report->params.size(), 1u);
    EXPECT_EQ(report->params[0].type, "integer");
    EXPECT_EQ(report->sql.find('$'), std::string::npos) << report->sql;
}

TEST_F(ExplainTest, AnalyzeFindsTheMissingIndex) {
    service::ExplainRequest options;
    options.analyze = true;
    auto report = ExplainSql("SELECT id, total FROM orders WHERE customer_id = $1", options);
    ASSERT_TRUE(report) << report.error().ToString();
    EXPECT_TRUE(report->plan.analyzed);
    ASSERT_FALSE(report->findings.empty());
    const auto& top = report->findings.front();
    EXPECT_EQ(top.rule, "seq_scan_few_rows");
    EXPECT_EQ(top.relation, "public.orders");
    EXPECT_NE(top.suggestion.find("customer_id"), std::string::npos) << top.suggestion;
}

TEST_F(ExplainTest, PrimaryKeyLookupIsNotFlaggedHigh) {
    service::ExplainRequest options;
    options.analyze = true;
    auto report = ExplainSql("SELECT * FROM customers WHERE id = 42", options);
    ASSERT_TRUE(report) << report.error().ToString();
    EXPECT_EQ(report->method, "literal");
    for (const auto& f : report->findings) EXPECT_NE(f.severity, model::Severity::kHigh) << f.rule;
}

TEST_F(ExplainTest, AnalyzeOfAWriteIsRolledBack) {
    const long long before = Count(dsn_, "SELECT count(*) FROM orders");
    service::ExplainRequest refuse;
    refuse.analyze = true;
    auto refused = ExplainSql("DELETE FROM orders WHERE id < 100", refuse);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(refused.error().message.find("--allow-writes"), std::string::npos);

    service::ExplainRequest allow = refuse;
    allow.allow_writes = true;
    auto ran = ExplainSql("DELETE FROM orders WHERE id < 100", allow);
    ASSERT_TRUE(ran) << ran.error().ToString();
    EXPECT_TRUE(ran->plan.analyzed);
    EXPECT_EQ(Count(dsn_, "SELECT count(*) FROM orders"), before) << "EXPLAIN ANALYZE must be rolled back";
}

TEST_F(ExplainTest, BinaryPrintsTreeAndJsonAndClearErrors) {
    BinaryRunner runner;
    CommandResult text =
        runner.Run({"explain", "--dsn", dsn_, "--analyze",
                    "SELECT c.country, count(*) FROM customers c JOIN orders o ON o.customer_id = c.id "
                    "GROUP BY c.country"});
    ASSERT_EQ(text.exit_code, 0) << text.err;
    EXPECT_NE(text.out.find("Method: literal"), std::string::npos);
    EXPECT_NE(text.out.find("Hash Join"), std::string::npos) << text.out;
    EXPECT_NE(text.out.find("%"), std::string::npos);

    CommandResult json = runner.RunWithInput({"explain", "--dsn", dsn_, "--format", "json", "-"},
                                             "SELECT * FROM orders WHERE status = $1");
    ASSERT_EQ(json.exit_code, 0) << json.err;
    const auto j = nlohmann::json::parse(json.out);
    EXPECT_EQ(j["method"], "sample");
    EXPECT_TRUE(j["plan"].contains("node_type"));
    EXPECT_TRUE(j["findings"].is_array());

    CommandResult garbage = runner.Run({"explain", "--dsn", dsn_, "SELEC * FROM orders"});
    EXPECT_EQ(garbage.exit_code, 2);
    EXPECT_NE(garbage.err.find("cannot parse SQL"), std::string::npos) << garbage.err;

    CommandResult smuggled = runner.Run({"explain", "--dsn", dsn_, "SELECT 1; DROP TABLE orders"});
    EXPECT_EQ(smuggled.exit_code, 2);
    EXPECT_NE(smuggled.err.find("one statement"), std::string::npos) << smuggled.err;
    EXPECT_GT(Count(dsn_, "SELECT count(*) FROM orders"), 0);

    CommandResult missing = runner.Run({"explain", "--dsn", dsn_, "SELECT * FROM no_such_table WHERE a = 1"});
    EXPECT_NE(missing.exit_code, 0);
    EXPECT_NE(missing.err.find("no_such_table"), std::string::npos) << missing.err;
    EXPECT_NE(missing.err.find("42P01"), std::string::npos) << missing.err;

    CommandResult unknown = runner.Run({"explain", "--dsn", dsn_, "--fingerprint", "0123456789abcdef"});
    EXPECT_EQ(unknown.exit_code, 2);
    EXPECT_NE(unknown.err.find("optischema top"), std::string::npos) << unknown.err;
}

TEST_F(ExplainTest, ExplainsAStatementSeenByTop) {
    BinaryRunner runner;
    RunSql(dsn_, "SELECT count(*) FROM orders WHERE total = 7");
    CommandResult top = runner.Run({"top", "--dsn", dsn_, "--format", "json", "--limit", "100"});
    ASSERT_EQ(top.exit_code, 0) << top.err;
    std::string fingerprint;
    const auto ranked = nlohmann::json::parse(top.out);
    for (const auto& s : ranked["statements"]) {
        if (s["query"] == "SELECT count(*) FROM orders WHERE total = $1")
            fingerprint = s["fingerprint"].get<std::string>();
    }
    ASSERT_FALSE(fingerprint.empty()) << top.out;
    CommandResult explained = runner.Run({"explain", "--dsn", dsn_, "--format", "json", "--fingerprint", fingerprint});
    ASSERT_EQ(explained.exit_code, 0) << explained.err;
    const auto j = nlohmann::json::parse(explained.out);
    EXPECT_EQ(j["method"], "sample");
    EXPECT_NE(j["sql"].get<std::string>().find("total ="), std::string::npos);

    // Nothing OptiSchema itself ran (session settings, PREPARE for types, pg_stats reads, EXPLAIN)
    // shows up in the ranking.
    CommandResult again = runner.Run({"top", "--dsn", dsn_, "--format", "json", "--limit", "1000"});
    ASSERT_EQ(again.exit_code, 0) << again.err;
    const auto after = nlohmann::json::parse(again.out);
    for (const auto& s : after["statements"]) {
        const std::string q = s["query"];
        EXPECT_EQ(q.find("optischema"), std::string::npos) << q;
        EXPECT_EQ(q.find("lock_timeout"), std::string::npos) << q;
        EXPECT_EQ(q.find("pg_stats"), std::string::npos) << q;
        EXPECT_FALSE(q.starts_with("EXPLAIN")) << q;
    }
}

}  // namespace
}  // namespace optischema::cli
