#include "advisor/selection.hpp"

#include <map>
#include <set>
#include <tuple>

#include <gtest/gtest.h>

#include "sqlparse/sqlparse.hpp"

namespace optischema::advisor {
namespace {

/// A what-if double with a fixed cost table: a statement's cost is the lowest cost any existing
/// hypothetical index gives it (by candidate key), else its base cost. Counts live indexes, so a
/// test can check that none is left behind.
class TableWhatIf final : public WhatIf {
public:
    std::map<std::string, double> base;                                // sql -> cost
    std::map<std::pair<std::string, std::string>, double> with_index;  // (index key, sql) -> cost

    Result<double> Cost(const std::string& sql) override {
        ++costs;
        double cost = base.at(sql);
        for (const auto& [oid, key] : live) {
            if (auto it = with_index.find({key, sql}); it != with_index.end()) cost = std::min(cost, it->second);
            // Two indexes that help only together (e.g. both sides of a join).
            for (const auto& [other_oid, other] : live) {
                if (auto it = with_pair.find({key, other, sql}); it != with_pair.end())
                    cost = std::min(cost, it->second);
            }
        }
        return cost;
    }
    Result<HypotheticalIndex> Create(const IndexCandidate& index) override {
        if (refuse.contains(index.Key())) {
            return MakeError(ErrorCode::kQueryFailed, "functions in index expression must be marked IMMUTABLE",
                             "42P17");
        }
        live[++next] = index.Key();
        auto size = sizes.find(index.Key());
        return HypotheticalIndex{next, size == sizes.end() ? 8192 : size->second};
    }
    Result<model::Plan> Explain(const std::string&) override {
        return MakeError(ErrorCode::kInternal, "selection costs statements, it does not read plans");
    }
    Result<HypotheticalIndex> CreateFromSql(const std::string&) override {
        return MakeError(ErrorCode::kInternal, "selection creates candidates, not statements");
    }
    Result<void> Drop(const HypotheticalIndex& index) override {
        live.erase(index.oid);
        return {};
    }
    Result<void> Reset() override {
        live.clear();
        return {};
    }

    std::map<std::tuple<std::string, std::string, std::string>, double> with_pair;  // (key, key, sql) -> cost
    std::map<std::string, std::int64_t> sizes;  // key -> estimated size; 8192 when absent
    std::set<std::string> refuse;               // keys whose creation fails
    std::map<std::int64_t, std::string> live;
    std::int64_t next = 0;
    int costs = 0;
};

IndexCandidate Index(const std::string& table, std::vector<std::string> columns) {
    IndexCandidate c;
    c.table = table;
    c.columns = std::move(columns);
    c.descending.assign(c.columns.size(), false);
    c.opclasses.assign(c.columns.size(), "");
    return c;
}

WorkloadQuery Query(const std::string& sql, double weight, std::vector<IndexCandidate> candidates) {
    WorkloadQuery q;
    q.fingerprint = sql.substr(0, 8);
    q.query = q.sql = sql;
    q.weight_ms = weight;
    q.parsed = *sqlparse::Parse(sql);
    q.candidates = std::move(candidates);
    return q;
}

TEST(SelectionTest, OneIndexServingTwoStatementsBeatsTwoNarrowOnes) {
    const std::string a = "SELECT * FROM orders WHERE customer_id = 1 AND status = 'x'";
    const std::string b = "SELECT * FROM orders WHERE customer_id = 1";
    const auto both = Index("orders", {"customer_id", "status"});
    const auto narrow_a = Index("orders", {"status"});
    const auto narrow_b = Index("orders", {"customer_id"});
    TableWhatIf w;
    w.base = {{a, 1000}, {b, 1000}};
    w.with_index = {{{both.Key(), a}, 10},
                    {{both.Key(), b}, 20},
                    {{narrow_a.Key(), a}, 300},
                    {{narrow_b.Key(), b}, 15},
                    {{narrow_b.Key(), a}, 30}};
    const Advice advice = SelectIndexes({Query(a, 500, {both, narrow_a}), Query(b, 500, {narrow_b})}, {}, w);
    ASSERT_EQ(advice.recommendations.size(), 1u) << advice.recommendations[1].index.Ddl();
    EXPECT_EQ(advice.recommendations[0].index.Key(), both.Key());
    EXPECT_EQ(advice.recommendations[0].queries.size(), 2u);
    EXPECT_NEAR(advice.recommendations[0].saved_share, (990.0 + 980.0) / 2000, 1e-9);
    EXPECT_TRUE(advice.no_index.empty());
    EXPECT_TRUE(w.live.empty()) << "hypothetical indexes left behind";
}

TEST(SelectionTest, StatementsNoIndexHelpsAreReportedWithAReason) {
    const std::string scan = "SELECT count(*) FROM orders WHERE total > 1";
    const std::string insert = "INSERT INTO orders (id) VALUES (1)";
    const std::string bare = "SELECT count(*) FROM orders";
    const auto by_total = Index("orders", {"total"});
    TableWhatIf w;
    w.base = {{scan, 1000}, {insert, 1}, {bare, 900}};
    w.with_index = {{{by_total.Key(), scan}, 950}};  // a 5% drop: not selective enough
    const Advice advice =
        SelectIndexes({Query(scan, 100, {by_total}), Query(insert, 100, {}), Query(bare, 100, {})}, {}, w);
    EXPECT_TRUE(advice.recommendations.empty());
    ASSERT_EQ(advice.no_index.size(), 3u);
    std::set<std::string> reasons;
    for (const auto& n : advice.no_index) reasons.insert(n.reason.substr(0, 20));
    EXPECT_EQ(reasons.size(), 3u) << "each case says its own reason";
    EXPECT_NE(advice.no_index[0].reason.find("selective"), std::string::npos);
    EXPECT_NE(advice.no_index[1].reason.find("INSERT"), std::string::npos);
}

TEST(SelectionTest, SecondPickIsCostedWithTheFirstInPlace) {
    const std::string q = "SELECT * FROM orders WHERE customer_id = 1 AND created_at > now()";
    const auto first = Index("orders", {"customer_id", "created_at"});
    const auto second = Index("orders", {"created_at"});
    TableWhatIf w;
    w.base = {{q, 1000}};
    w.with_index = {{{first.Key(), q}, 5}, {{second.Key(), q}, 400}};
    const Advice advice = SelectIndexes({Query(q, 100, {first, second})}, {}, w);
    ASSERT_EQ(advice.recommendations.size(), 1u) << "the second adds nothing once the first exists";
    EXPECT_EQ(advice.recommendations[0].index.Key(), first.Key());
    EXPECT_DOUBLE_EQ(advice.recommendations[0].queries[0].cost_after, 5);
}

TEST(SelectionTest, OnATieTheIndexCoveringTheOrderByWins) {
    const std::string q = "SELECT * FROM reviews WHERE product_id = 123 ORDER BY created_at DESC LIMIT 20";
    const auto narrow = Index("reviews", {"product_id"});
    auto ordered = Index("reviews", {"product_id", "created_at"});
    ordered.descending = {false, true};
    ordered.covers_order_by = true;
    TableWhatIf w;
    w.base = {{q, 1000}};
    w.with_index = {{{narrow.Key(), q}, 31.58}, {{ordered.Key(), q}, 31.58}};
    const Advice advice = SelectIndexes({Query(q, 100, {narrow, ordered})}, {}, w);
    ASSERT_EQ(advice.recommendations.size(), 1u);
    EXPECT_EQ(advice.recommendations[0].index.Key(), ordered.Key());
}

TEST(SelectionTest, AnIndexALaterPickReplacedIsDropped) {
    // `by_time` is picked first for both statements; `status_time` then serves `pending` better, and
    // in the final set `by_time` still serves `recent`: both stay, each credited with its statement.
    // `partial` is picked for `pending` in a workload where nothing else needs it and is replaced
    // later by `status_time`: it goes.
    const std::string recent = "SELECT * FROM orders WHERE created_at > now() - interval '1 day'";
    const std::string pending = "SELECT * FROM orders WHERE status = 'pending' ORDER BY created_at DESC LIMIT 20";
    const auto by_time = Index("orders", {"created_at"});
    const auto status_time = Index("orders", {"status", "created_at"});
    TableWhatIf w;
    w.base = {{recent, 1000}, {pending, 1000}};
    w.with_index = {{{by_time.Key(), recent}, 10}, {{by_time.Key(), pending}, 100}, {{status_time.Key(), pending}, 2}};
    const Advice advice = SelectIndexes({Query(recent, 100, {by_time}), Query(pending, 100, {status_time})}, {}, w);
    ASSERT_EQ(advice.recommendations.size(), 2u);
    EXPECT_EQ(advice.recommendations[0].index.Key(), by_time.Key());
    ASSERT_EQ(advice.recommendations[0].queries.size(), 1u);
    EXPECT_EQ(advice.recommendations[0].queries[0].query, recent) << "pending no longer needs it";
    ASSERT_EQ(advice.recommendations[1].queries.size(), 1u);
    EXPECT_EQ(advice.recommendations[1].queries[0].query, pending);
    EXPECT_DOUBLE_EQ(advice.recommendations[1].queries[0].cost_before, 1000);
    EXPECT_DOUBLE_EQ(advice.recommendations[1].queries[0].cost_after, 2);
}

TEST(SelectionTest, AnIndexThatLaterPicksMadeUnnecessaryIsDropped) {
    // Round 1 picks `a` for q1 (1000 -> 300); round 2 `d` for q2; round 3 `e`, which together with `d`
    // serves q1 far better (-> 10). In the final set q1 no longer needs `a`: it is dropped.
    const std::string q1 = "SELECT * FROM orders o JOIN items i ON i.order_id = o.id WHERE o.user_id = 1";
    const std::string q2 = "SELECT * FROM orders WHERE coupon = 'x'";
    const auto a = Index("orders", {"user_id"});
    const auto d = Index("orders", {"coupon"});
    const auto e = Index("orders", {"user_id", "coupon"});
    TableWhatIf w;
    w.base = {{q1, 1000}, {q2, 1000}};
    w.with_index = {{{a.Key(), q1}, 300}, {{d.Key(), q2}, 10}, {{e.Key(), q2}, 20}};
    w.with_pair = {{{d.Key(), e.Key(), q1}, 10}, {{e.Key(), d.Key(), q1}, 10}};
    const Advice advice = SelectIndexes({Query(q1, 1000, {a, e}), Query(q2, 500, {d})}, {}, w);
    std::set<std::string> keys;
    for (const auto& r : advice.recommendations) keys.insert(r.index.Key());
    EXPECT_EQ(keys, (std::set<std::string>{d.Key(), e.Key()})) << "`a` is no longer needed";
    EXPECT_TRUE(w.live.empty());
}

TEST(SelectionTest, OnANearTieTheSmallerIndexWins) {
    const std::string q = "SELECT id, total FROM orders WHERE user_id = 1";
    const auto plain = Index("orders", {"user_id"});
    auto covering = Index("orders", {"user_id"});
    covering.include = {"id", "total"};
    TableWhatIf w;
    w.base = {{q, 1000}};
    // The covering index is 1% cheaper for the planner and twice the size (see `sizes`).
    w.with_index = {{{covering.Key(), q}, 10}, {{plain.Key(), q}, 20}};
    w.sizes = {{covering.Key(), 16384}, {plain.Key(), 8192}};
    const Advice advice = SelectIndexes({Query(q, 100, {covering, plain})}, {}, w);
    ASSERT_EQ(advice.recommendations.size(), 1u);
    EXPECT_EQ(advice.recommendations[0].index.Key(), plain.Key());
    // When the statement costs 30, the covering index saves twice as much as the plain one: it wins.
    w.base[q] = 30;
    const Advice clear = SelectIndexes({Query(q, 100, {covering, plain})}, {}, w);
    ASSERT_EQ(clear.recommendations.size(), 1u);
    EXPECT_EQ(clear.recommendations[0].index.Key(), covering.Key());
}

TEST(SelectionTest, PrefixOfAChosenIndexIsDropped) {
    const std::string a = "SELECT * FROM orders WHERE customer_id = 1 AND status = 'x'";
    const std::string b = "SELECT * FROM orders WHERE customer_id = 2";
    const auto wide = Index("orders", {"customer_id", "status"});
    const auto prefix = Index("orders", {"customer_id"});
    TableWhatIf w;
    w.base = {{a, 1000}, {b, 1000}};
    w.with_index = {{{wide.Key(), a}, 5}, {{wide.Key(), b}, 12}, {{prefix.Key(), a}, 50}, {{prefix.Key(), b}, 10}};
    const Advice advice = SelectIndexes({Query(a, 100, {wide}), Query(b, 100, {prefix})}, {}, w);
    ASSERT_EQ(advice.recommendations.size(), 1u);
    EXPECT_EQ(advice.recommendations[0].index.Key(), wide.Key());
}

TEST(SelectionTest, WriteHeavyTablesChargeEachIndex) {
    const std::string read = "SELECT * FROM events WHERE kind = 'x'";
    const std::string write = "INSERT INTO events (kind) VALUES ('x')";
    const auto by_kind = Index("events", {"kind"});
    TableWhatIf w;
    w.base = {{read, 1000}, {write, 1}};
    w.with_index = {{{by_kind.Key(), read}, 100}};
    // The read saves 90% of its 50 ms; the inserts take 1000 ms, 10% of which is 100 ms.
    const Advice heavy = SelectIndexes({Query(read, 50, {by_kind}), Query(write, 1000, {})}, {}, w);
    EXPECT_TRUE(heavy.recommendations.empty()) << heavy.recommendations[0].index.Ddl();
    // With light writes the same index pays off, and its write cost is reported.
    const Advice light = SelectIndexes({Query(read, 500, {by_kind}), Query(write, 100, {})}, {}, w);
    ASSERT_EQ(light.recommendations.size(), 1u);
    EXPECT_DOUBLE_EQ(light.recommendations[0].write_cost_ms, 10);
    EXPECT_DOUBLE_EQ(light.recommendations[0].saved_ms, 450);
}

TEST(SelectionTest, IndexingAColumnUpdatesChangeCostsTheirHotUpdates) {
    const std::string read = "SELECT * FROM jobs WHERE state = 'queued'";
    const std::string update = "UPDATE jobs SET state = 'done' WHERE id = 1";
    const std::string other_update = "UPDATE jobs SET finished_at = now() WHERE id = 1";
    const auto by_state = Index("jobs", {"state"});
    TableWhatIf w;
    w.base = {{read, 1000}, {update, 1}, {other_update, 1}};
    w.with_index = {{{by_state.Key(), read}, 100}};
    // The read saves 90 of its 100 ms. Updates of another column cost the usual 10%: the index pays.
    const Advice fine = SelectIndexes({Query(read, 100, {by_state}), Query(other_update, 200, {})}, {}, w);
    ASSERT_EQ(fine.recommendations.size(), 1u);
    EXPECT_DOUBLE_EQ(fine.recommendations[0].write_cost_ms, 20);
    // Updates of `state` itself would lose HOT: 200 ms x (10% + 50%) = 120 ms > 90 ms saved.
    const Advice hot = SelectIndexes({Query(read, 100, {by_state}), Query(update, 200, {})}, {}, w);
    EXPECT_TRUE(hot.recommendations.empty());
}

TEST(SelectionTest, IndexesHypoPgCannotCostNeedValidation) {
    const std::string q = "SELECT * FROM events WHERE payload @> '{}'";
    auto gin = Index("events", {"payload"});
    gin.method = "gin";
    gin.opclasses = {"jsonb_path_ops"};
    gin.needs_real_validation = true;
    TableWhatIf w;
    w.base = {{q, 1000}};
    const Advice advice = SelectIndexes({Query(q, 100, {gin})}, {}, w);
    ASSERT_EQ(advice.recommendations.size(), 1u);
    EXPECT_NE(advice.recommendations[0].confidence.find("needs validation on a real index"), std::string::npos);
    EXPECT_EQ(w.next, 0) << "never handed to the what-if";
    EXPECT_TRUE(advice.no_index.empty()) << "a statement served by an index to validate is not a no-index statement";
}

TEST(SelectionTest, AnIndexPostgresCannotBuildIsReportedOnceAndDropped) {
    const std::string q = "SELECT date_trunc('month', created_at), count(*) FROM orders GROUP BY 1";
    const std::string other = "SELECT * FROM orders WHERE customer_id = 1";
    const auto bad = Index("orders", {"(date_trunc('month', created_at))"});
    const auto good = Index("orders", {"customer_id"});
    TableWhatIf w;
    w.base = {{q, 1000}, {other, 1000}};
    w.with_index = {{{good.Key(), other}, 10}};
    w.refuse = {bad.Key()};
    const Advice advice = SelectIndexes({Query(q, 100, {bad}), Query(other, 100, {good})}, {}, w);
    ASSERT_EQ(advice.recommendations.size(), 1u);
    EXPECT_EQ(advice.recommendations[0].index.Key(), good.Key());
    ASSERT_EQ(advice.errors.size(), 1u);
    EXPECT_NE(advice.errors[0].find("IMMUTABLE"), std::string::npos);
}

TEST(SelectionTest, WithoutMeasuredTimesStatementsWeighTheirPlannerCost) {
    // Statements from a file: no times. The expensive statement's second index is worth keeping
    // even though, counted one statement one vote, it would fall under the stop rule.
    std::vector<WorkloadQuery> workload;
    const std::string heavy = "SELECT * FROM orders WHERE customer_id = 1 AND seller_id = 2";
    const auto first = Index("orders", {"customer_id"});
    const auto second = Index("orders", {"customer_id", "seller_id"});
    TableWhatIf w;
    w.base = {{heavy, 50000}};
    w.with_index = {{{first.Key(), heavy}, 5000}, {{second.Key(), heavy}, 50}};
    workload.push_back(Query(heavy, 0, {first}));
    workload.back().candidates.push_back(second);
    for (int i = 0; i < 30; ++i) {
        const std::string cheap = "SELECT * FROM users WHERE id = " + std::to_string(i);
        w.base[cheap] = 8;
        workload.push_back(Query(cheap, 0, {}));
    }
    const Advice advice = SelectIndexes(workload, {}, w);
    EXPECT_TRUE(advice.weighted_by_cost);
    ASSERT_FALSE(advice.recommendations.empty());
    EXPECT_EQ(advice.recommendations[0].index.Key(), second.Key());
    EXPECT_NEAR(advice.recommendations[0].saved_ms, 49950, 1e-6) << "in planner cost units";
}

}  // namespace
}  // namespace optischema::advisor
