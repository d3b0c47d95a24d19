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

}  // namespace
}  // namespace optischema
