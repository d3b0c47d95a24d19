#include "common/csv.hpp"

#include <cmath>

#include <gtest/gtest.h>

namespace optischema {
namespace {

std::string Field(const CsvCell& c) { return c.Field(); }

TEST(CsvTest, QuotesOnlyWhatNeedsIt) {
    EXPECT_EQ(Field("plain"), "plain");
    EXPECT_EQ(Field("a,b"), "\"a,b\"");
    EXPECT_EQ(Field("say \"hi\""), "\"say \"\"hi\"\"\"");
    EXPECT_EQ(Field("two\nlines"), "\"two\nlines\"");
}

TEST(CsvTest, TextASpreadsheetWouldRunIsDefused) {
    EXPECT_EQ(Field("=HYPERLINK(\"http://x\")"), "\"'=HYPERLINK(\"\"http://x\"\")\"");
    EXPECT_EQ(Field("+cmd|' /C calc'!A0"), "'+cmd|' /C calc'!A0");
    EXPECT_EQ(Field("@SUM(A1)"), "'@SUM(A1)");
    EXPECT_EQ(Field("-- a comment"), "'-- a comment");
    EXPECT_EQ(Field("\tx"), "'\tx");
    EXPECT_EQ(Field("-3.5"), "-3.5") << "a plain number in text stays a number";
    EXPECT_EQ(Field("1e-3"), "1e-3");
    EXPECT_EQ(Field("SELECT 1"), "SELECT 1");
}

TEST(CsvTest, NumbersAndEmptyCellsAreWrittenAsIs) {
    EXPECT_EQ(Field(std::int64_t{-42}), "-42") << "numbers are never prefixed";
    EXPECT_EQ(Field(0.125), "0.125");
    EXPECT_EQ(Field(std::nullopt), "");
    EXPECT_EQ(Field(std::optional<double>()), "");
    EXPECT_EQ(Field(std::optional<double>(2.5)), "2.5");
    EXPECT_EQ(Field(std::nan("")), "");
}

TEST(CsvTest, ADocumentIsAHeaderThenRowsWithCrlf) {
    CsvWriter csv({"id", "query"});
    csv.AddRow({std::int64_t{1}, "SELECT a, b FROM t"});
    csv.AddRow({std::int64_t{2}, std::nullopt});
    EXPECT_EQ(csv.str(), "id,query\r\n1,\"SELECT a, b FROM t\"\r\n2,\r\n");
}

}  // namespace
}  // namespace optischema
