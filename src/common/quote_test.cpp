#include "common/quote.hpp"

#include <gtest/gtest.h>

namespace optischema {
namespace {

TEST(QuoteTest, IdentifiersQuotedOnlyWhenNeeded) {
    EXPECT_EQ(QuoteIdent("orders"), "orders");
    EXPECT_EQ(QuoteIdent("order_items_2"), "order_items_2");
    EXPECT_EQ(QuoteIdent("Orders"), "\"Orders\"");
    EXPECT_EQ(QuoteIdent("user"), "\"user\"");
    EXPECT_EQ(QuoteIdent("order"), "\"order\"");
    EXPECT_EQ(QuoteIdent("2fa"), "\"2fa\"");
    EXPECT_EQ(QuoteIdent("a\"b"), "\"a\"\"b\"");
    EXPECT_EQ(QuoteIdent(""), "\"\"");
}

TEST(QuoteTest, Literals) {
    EXPECT_EQ(QuoteLiteral("abc"), "'abc'");
    EXPECT_EQ(QuoteLiteral("O'Brien"), "'O''Brien'");
    EXPECT_EQ(QuoteLiteral("a\\b"), "E'a\\\\b'");
}

TEST(SqlCommentTextTest, NothingEndsTheComment) {
    const std::string hostile = "t\nDROP TABLE x;\r--\x0b\x1b[2J\x7f\u0085\u2028\u2029 */ /*";
    EXPECT_TRUE(HasControlCharacters(hostile));
    const std::string safe = SqlCommentText(hostile);
    EXPECT_FALSE(HasControlCharacters(safe)) << safe;
    EXPECT_EQ(safe.find("*/"), std::string::npos) << safe;
    EXPECT_EQ(safe.find("/*"), std::string::npos) << safe;
    EXPECT_NE(safe.find("DROP TABLE x;"), std::string::npos) << "the text stays readable: " << safe;
    for (const char* fine : {"orders", "naïve_table", "日本", "a\u00a0b", "emoji 🎉"}) {
        EXPECT_FALSE(HasControlCharacters(fine)) << fine;
        EXPECT_EQ(SqlCommentText(fine), fine);
    }
    EXPECT_TRUE(HasControlCharacters(std::string("a\0b", 3)));
}

}  // namespace
}  // namespace optischema
