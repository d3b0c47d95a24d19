#include "common/format.hpp"

#include <cmath>

#include <gtest/gtest.h>

namespace optischema {
namespace {

TEST(FormatTest, Numbers) {
    EXPECT_DOUBLE_EQ(Round3(1.23456), 1.235);
    EXPECT_EQ(ThousandsSeparated(0), "0");
    EXPECT_EQ(ThousandsSeparated(999), "999");
    EXPECT_EQ(ThousandsSeparated(1500000), "1,500,000");
    EXPECT_EQ(ThousandsSeparated(-12345.6), "-12,346");
    // Found by pg_stat_statements_fuzzer under UBSan: the negation of LLONG_MIN, from llround of -1e30.
    EXPECT_EQ(ThousandsSeparated(-1e30), "-9,200,000,000,000,000,000");
    EXPECT_EQ(ThousandsSeparated(1e30), "9,200,000,000,000,000,000");
    EXPECT_EQ(ThousandsSeparated(std::nan("")), "0");
}

TEST(FormatTest, RatiosAndMilliseconds) {
    EXPECT_EQ(HumanRatio(1.44), "1.4x");
    EXPECT_EQ(HumanRatio(23.4), "23x");
    EXPECT_EQ(HumanRatio(1572.6), "1,573x");
    EXPECT_EQ(HumanMs(0.0114), "0.011");
    EXPECT_EQ(HumanMs(3.824), "3.82");
    EXPECT_EQ(HumanMs(17.34), "17.3");
    EXPECT_EQ(HumanMs(250.4), "250");
    EXPECT_EQ(HumanMs(1250.4), "1,250");
}

TEST(FormatTest, IsoTimesRoundTrip) {
    const TimePoint t = FromUnixMs(1'795'829'749'123);
    EXPECT_EQ(IsoTime(t), "2026-11-28T01:35:49.123Z");
    EXPECT_EQ(ParseTime("2026-11-28T01:35:49.123Z"), t);
    EXPECT_EQ(ParseTime("2026-11-28T01:35:49Z"), FromUnixMs(1'795'829'749'000));
    EXPECT_EQ(ParseTime("1795829749123"), t);
    EXPECT_FALSE(ParseTime("yesterday"));
    EXPECT_FALSE(ParseTime("2026-11-28 01:35:49"));
    EXPECT_FALSE(ParseTime(""));
    // Beyond what a nanosecond TimePoint holds (2262): refused, not wrapped around.
    EXPECT_FALSE(ParseTime("99999999999999"));
    EXPECT_FALSE(ParseTime("9999-01-01T00:00:00Z"));
    EXPECT_EQ(ParseTime("7258118400000"), FromUnixMs(kLatestTimeMs));
    EXPECT_FALSE(ParseTime("7258118400001"));
}

TEST(FormatTest, BytesAndAges) {
    EXPECT_EQ(HumanBytes(512), "512 bytes");
    EXPECT_EQ(HumanBytes(12.5 * 1024), "12.5 kB");
    EXPECT_EQ(HumanBytes(44.9 * 1024 * 1024), "44.9 MB");
    EXPECT_EQ(HumanBytes(1.25 * 1024 * 1024 * 1024), "1.2 GB");
    EXPECT_EQ(HumanAge(45 * 60), "45 minutes");
    EXPECT_EQ(HumanAge(5.5 * 3600), "5.5 hours");
    EXPECT_EQ(HumanAge(3 * 86400), "3.0 days");
}

}  // namespace
}  // namespace optischema
