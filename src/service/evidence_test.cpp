#include "service/evidence.hpp"

#include <gtest/gtest.h>

namespace optischema::service {
namespace {

// As `advise` stores it (recorded from a run on the server test's workload).
constexpr const char* kStored =
    R"json({"id": "idx-c38ae7c5da86", "ddl": "CREATE INDEX CONCURRENTLY t2_k_idx ON t2 (k);",
  "table": "t2", "method": "btree", "columns": ["k"], "include": [], "where": null,
  "queries": [{"fingerprint": "4b9f8deae2166919", "query": "SELECT * FROM t2 WHERE k = $1",
               "sql": "SELECT * FROM t2 WHERE k = '10063'::integer", "cost_before": 2281.0, "cost_after": 23.1},
              {"fingerprint": "77", "query": "SELECT count(*) FROM t2", "sql": ""}],
  "impact": {"weighted_by": "measured time (pg_stat_statements)", "saved_ms": 30.396}})json";

TEST(EvidenceTest, ReadsTheStatementsAdviseCosted) {
    const Evidence e = ReadEvidence(kStored);
    ASSERT_EQ(e.queries.size(), 2u);
    EXPECT_EQ(e.queries[0].fingerprint, "4b9f8deae2166919");
    EXPECT_EQ(e.queries[0].query, "SELECT * FROM t2 WHERE k = $1");
    EXPECT_EQ(e.queries[0].Runnable(), "SELECT * FROM t2 WHERE k = '10063'::integer") << "the sample runs";
    EXPECT_DOUBLE_EQ(e.queries[0].cost_before, 2281.0);
    EXPECT_DOUBLE_EQ(e.queries[0].cost_after, 23.1);
    EXPECT_EQ(e.queries[1].Runnable(), "SELECT count(*) FROM t2") << "without a sample, the statement itself";
}

TEST(EvidenceTest, EmptyOrForeignTextHasNoStatements) {
    EXPECT_TRUE(ReadEvidence("").queries.empty());
    EXPECT_TRUE(ReadEvidence("not json").queries.empty());
    EXPECT_TRUE(ReadEvidence(R"({"saved_ms": 10})").queries.empty());
    EXPECT_TRUE(ReadEvidence(R"({"queries": "SELECT 1"})").queries.empty());
    EXPECT_EQ(ReadEvidence(R"({"queries": [42, {"query": "SELECT 1", "cost_before": "x"}]})").queries.size(), 1u)
        << "a malformed entry is skipped, a wrongly typed field read as absent";
}

}  // namespace
}  // namespace optischema::service
