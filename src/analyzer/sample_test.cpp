#include "analyzer/sample.hpp"

#include <gtest/gtest.h>

#include "sqlparse/sqlparse.hpp"

namespace optischema::analyzer {
namespace {

model::ParsedQuery MustParse(const std::string& sql) {
    auto q = sqlparse::Parse(sql);
    if (!q) throw std::runtime_error(q.error().ToString());
    return *q;
}

// pg_stats of orders.status and orders.customer_id in the demo shop database (recorded by hand
// from `SELECT * FROM pg_stats WHERE tablename = 'orders'`; histogram shortened).
model::ColumnStats StatusStats() {
    model::ColumnStats s;
    s.data_type = "text";
    s.analyzed = true;
    s.most_common_vals = {"delivered", "shipped", "pending"};
    s.most_common_freqs = {0.9511, 0.0391, 0.0098};
    return s;
}

model::ColumnStats CustomerStats() {
    model::ColumnStats s;
    s.data_type = "integer";
    s.analyzed = true;
    s.n_distinct = -0.1836;
    for (int v = 1; v <= 199001; v += 1990) s.histogram_bounds.push_back(std::to_string(v));
    return s;
}

TEST(ParamUsesTest, FindsColumnOperatorAndClause) {
    const auto q = MustParse(
        "SELECT * FROM orders o WHERE o.customer_id = $1 AND o.status IN ($2, $3) AND o.total > $4 "
        "ORDER BY o.created_at DESC LIMIT $5 OFFSET $6");
    const auto uses = ParamUses(q);
    ASSERT_EQ(uses.size(), 6u);
    EXPECT_EQ(uses[0].column, "customer_id");
    EXPECT_EQ(uses[0].relation, "orders");
    EXPECT_EQ(uses[0].op, "=");
    EXPECT_EQ(uses[1].op, "IN");
    EXPECT_EQ(uses[2].list_position, 1);
    EXPECT_EQ(uses[2].list_size, 2);
    EXPECT_EQ(uses[3].op, ">");
    EXPECT_EQ(uses[4].op, "LIMIT");
    EXPECT_EQ(uses[5].op, "OFFSET");
}

TEST(BuildSampleTest, PicksValuesFromStatistics) {
    const std::string sql =
        "SELECT id FROM orders WHERE customer_id = $1 AND status = $2 AND customer_id < $3 LIMIT $4";
    const auto q = MustParse(sql);
    auto uses = ParamUses(q);
    std::vector<ParamContext> params = {
        {uses[0], "integer", CustomerStats()},
        {uses[1], "text", StatusStats()},
        {uses[2], "integer", CustomerStats()},
        {uses[3], "bigint", std::nullopt},
    };
    auto sample = BuildSample(sql, q, params);
    ASSERT_TRUE(sample) << sample.error().ToString();
    ASSERT_EQ(sample->params.size(), 4u);
    // No common values: a histogram value, typical of the column's many distinct values.
    EXPECT_EQ(sample->params[0].value, "'99501'::integer");
    EXPECT_NE(sample->params[0].source.find("histogram"), std::string::npos);
    EXPECT_EQ(sample->params[1].value, "'delivered'::text");
    EXPECT_NE(sample->params[1].source.find("95.1%"), std::string::npos);
    EXPECT_EQ(sample->params[2].value, "'19901'::integer");  // 10% into the histogram
    EXPECT_EQ(sample->params[3].value, "'20'::bigint");
    EXPECT_EQ(sample->sql,
              "SELECT id FROM orders WHERE customer_id = '99501'::integer AND status = 'delivered'::text AND "
              "customer_id < '19901'::integer LIMIT '20'::bigint");
}

TEST(BuildSampleTest, RepeatedParamsAndListsAndLike) {
    const std::string sql = "SELECT * FROM orders WHERE status IN ($1, $2) OR status = $1 OR note LIKE $3";
    const auto q = MustParse(sql);
    auto uses = ParamUses(q);
    ASSERT_EQ(uses.size(), 3u);
    std::vector<ParamContext> params = {
        {uses[0], "text", StatusStats()}, {uses[1], "text", StatusStats()}, {uses[2], "text", StatusStats()}};
    auto sample = BuildSample(sql, q, params);
    ASSERT_TRUE(sample);
    EXPECT_EQ(sample->sql,
              "SELECT * FROM orders WHERE status IN ('delivered'::text, 'shipped'::text) OR status = 'delivered'::text "
              "OR note LIKE 'del%'::text");
}

TEST(BuildSampleTest, DefaultsWhenThereAreNoStatistics) {
    const std::string sql = "INSERT INTO events (kind, at, payload, ok) VALUES ($1, $2, $3, $4)";
    const auto q = MustParse(sql);
    std::vector<ParamContext> params = {{{}, "text", std::nullopt},
                                        {{}, "timestamp with time zone", std::nullopt},
                                        {{}, "jsonb", std::nullopt},
                                        {{}, "boolean", std::nullopt}};
    auto sample = BuildSample(sql, q, params);
    ASSERT_TRUE(sample);
    EXPECT_EQ(
        sample->sql,
        "INSERT INTO events (kind, at, payload, ok) VALUES ('a'::text, '2024-01-01 00:00:00'::timestamp with time "
        "zone, '{}'::jsonb, 'true'::boolean)");
    model::ColumnStats never_analyzed;
    never_analyzed.data_type = "integer";
    ParamContext ctx{{1, "t", "a", "=", 0, 1}, "integer", never_analyzed};
    const auto q2 = MustParse("SELECT * FROM t WHERE a = $1");
    auto s2 = BuildSample("SELECT * FROM t WHERE a = $1", q2, {ctx});
    ASSERT_TRUE(s2);
    EXPECT_NE(s2->params[0].source.find("ANALYZE"), std::string::npos);
}

TEST(BuildSampleTest, QuotesValuesSafely) {
    model::ColumnStats s;
    s.analyzed = true;
    s.most_common_vals = {"O'Brien"};
    s.most_common_freqs = {0.5};
    const std::string sql = "SELECT * FROM people WHERE name = $1";
    const auto q = MustParse(sql);
    auto sample = BuildSample(sql, q, {{ParamUses(q)[0], "text", s}});
    ASSERT_TRUE(sample);
    EXPECT_EQ(sample->sql, "SELECT * FROM people WHERE name = 'O''Brien'::text");
    EXPECT_TRUE(sqlparse::Parse(sample->sql));
}

TEST(BuildSampleTest, MissingTypeIsAnError) {
    const std::string sql = "SELECT * FROM t WHERE a = $1 AND b = $2";
    const auto q = MustParse(sql);
    auto sample = BuildSample(sql, q, {{ParamUses(q)[0], "integer", std::nullopt}});
    ASSERT_FALSE(sample);
    EXPECT_NE(sample.error().message.find("$2"), std::string::npos);
}

}  // namespace
}  // namespace optischema::analyzer
