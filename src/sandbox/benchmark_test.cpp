#include "sandbox/benchmark.hpp"

#include <gtest/gtest.h>

namespace optischema::sandbox {
namespace {

TEST(SummarizeTest, MedianQuartilesAndTail) {
    const Timing t = Summarize({5, 1, 4, 2, 3});
    EXPECT_DOUBLE_EQ(t.median_ms, 3);
    EXPECT_DOUBLE_EQ(t.p25_ms, 2);
    EXPECT_DOUBLE_EQ(t.p75_ms, 4);
    EXPECT_DOUBLE_EQ(t.p95_ms, 4.8);
    EXPECT_DOUBLE_EQ(t.min_ms, 1);
    EXPECT_DOUBLE_EQ(t.max_ms, 5);
    EXPECT_EQ(t.runs_ms, (std::vector<double>{5, 1, 4, 2, 3})) << "runs keep the order they ran in";
    const Timing even = Summarize({1, 2, 3, 4});
    EXPECT_DOUBLE_EQ(even.median_ms, 2.5);
    const Timing none = Summarize({});
    EXPECT_DOUBLE_EQ(none.median_ms, 0);
}

TEST(CompareTest, ImprovedWhenTheMiddleHalvesSeparate) {
    const Timing before = Summarize({10, 11, 12, 12.5, 13, 11.5, 12.2, 10.8});
    const Timing after = Summarize({2, 2.1, 2.3, 1.9, 2.2, 2.05, 2.15, 2.0});
    const Comparison c = Compare(before, after);
    EXPECT_EQ(c.verdict, Verdict::kImproved);
    EXPECT_NEAR(c.speedup, before.median_ms / after.median_ms, 1e-9);
    EXPECT_GT(c.speedup, 5);
    EXPECT_NE(c.summary.find("faster"), std::string::npos) << c.summary;
}

TEST(CompareTest, NoChangeWhenSamplesOverlapOrRatioIsSmall) {
    // Overlapping noise around the same median.
    const Timing a = Summarize({10, 14, 9, 13, 11, 12});
    const Timing b = Summarize({11, 9.5, 13.5, 10.5, 12.5, 11});
    EXPECT_EQ(Compare(a, b).verdict, Verdict::kNoChange);
    // Separated, but only 5% apart: below the 1.1 threshold.
    const Timing c = Summarize({10, 10, 10, 10});
    const Timing d = Summarize({9.5, 9.5, 9.5, 9.5});
    const Comparison cmp = Compare(c, d);
    EXPECT_EQ(cmp.verdict, Verdict::kNoChange);
    EXPECT_NE(cmp.summary.find("no significant change"), std::string::npos);
}

TEST(CompareTest, RegressionWhenClearlySlower) {
    const Timing before = Summarize({1, 1.1, 0.9, 1.05});
    const Timing after = Summarize({3, 3.2, 2.9, 3.1});
    const Comparison c = Compare(before, after);
    EXPECT_EQ(c.verdict, Verdict::kRegression);
    EXPECT_LT(c.speedup, 0.5);
    EXPECT_NE(c.summary.find("slower"), std::string::npos);
}

TEST(VerdictNameTest, NamesTheJsonUses) {
    EXPECT_STREQ(VerdictName(Verdict::kImproved), "improved");
    EXPECT_STREQ(VerdictName(Verdict::kNoChange), "no_change");
    EXPECT_STREQ(VerdictName(Verdict::kRegression), "regression");
    EXPECT_STREQ(VerdictName(Verdict::kRejected), "rejected");
}

}  // namespace
}  // namespace optischema::sandbox
