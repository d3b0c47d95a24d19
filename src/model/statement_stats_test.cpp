#include "model/statement_stats.hpp"

#include <cstdint>
#include <limits>

#include <gtest/gtest.h>

namespace optischema::model {
namespace {

TEST(CountersTest, MinusAndPlusAreInverse) {
    Counters a{.calls = 10, .total_exec_ms = 50, .rows = 7, .shared_blks_hit = 90, .shared_blks_read = 10};
    Counters b{.calls = 4, .total_exec_ms = 20, .rows = 3, .shared_blks_hit = 40, .shared_blks_read = 5};
    Counters d = a.Minus(b);
    EXPECT_EQ(d.calls, 6);
    EXPECT_DOUBLE_EQ(d.total_exec_ms, 30);
    d += b;
    EXPECT_EQ(d.calls, a.calls);
    EXPECT_EQ(d.shared_blks_hit, a.shared_blks_hit);
}

// Found by fuzz/pg_stat_statements_fuzzer: two rows of one fingerprint with calls of 3340354734506198982
// and 5900006633462710092 overflowed the group's sum (undefined behaviour). Sums and differences saturate.
TEST(CountersTest, HugeCountersSaturateInsteadOfOverflowing) {
    constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
    constexpr auto kMin = std::numeric_limits<std::int64_t>::min();
    Counters sum{.calls = 3340354734506198982, .rows = kMin};
    sum += Counters{.calls = 5900006633462710092, .rows = -1};
    EXPECT_EQ(sum.calls, kMax);
    EXPECT_EQ(sum.rows, kMin);
    const Counters d = Counters{.calls = kMin}.Minus(Counters{.calls = 1});
    EXPECT_EQ(d.calls, kMin);
    EXPECT_EQ(Counters{.calls = kMax}.Minus(Counters{.calls = -1}).calls, kMax);
    StatementGroup group;
    group.counters.shared_blks_hit = kMax;
    group.counters.shared_blks_read = kMax;
    ASSERT_TRUE(group.CacheHitPct().has_value());
}

TEST(CountersTest, DetectsNewIncarnation) {
    Counters before{.calls = 10, .total_exec_ms = 50};
    EXPECT_FALSE((Counters{.calls = 10, .total_exec_ms = 50}).WentBackwardsFrom(before));
    EXPECT_FALSE((Counters{.calls = 11, .total_exec_ms = 51}).WentBackwardsFrom(before));
    EXPECT_TRUE((Counters{.calls = 2, .total_exec_ms = 80}).WentBackwardsFrom(before));
    EXPECT_TRUE((Counters{.calls = 12, .total_exec_ms = 1}).WentBackwardsFrom(before));
}

TEST(StatementGroupTest, CacheHitIsEmptyWithoutBlocks) {
    StatementGroup g;
    EXPECT_FALSE(g.CacheHitPct().has_value());
    g.counters.shared_blks_hit = 75;
    g.counters.shared_blks_read = 25;
    EXPECT_DOUBLE_EQ(*g.CacheHitPct(), 75.0);
    g.counters.calls = 4;
    g.counters.total_exec_ms = 10;
    g.counters.total_plan_ms = 2;
    EXPECT_DOUBLE_EQ(g.MeanMs(), 3.0);
}

}  // namespace
}  // namespace optischema::model
