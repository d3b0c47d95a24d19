#include "common/identity.hpp"

#include <gtest/gtest.h>

namespace optischema {
namespace {

TEST(IdentityTest, TagFollowsTheFirstKeyword) {
    EXPECT_EQ(TagStatement("SELECT 1"), "SELECT /* optischema */ 1");
    EXPECT_EQ(TagStatement("  EXPLAIN (FORMAT JSON) SELECT 1"), "  EXPLAIN /* optischema */ (FORMAT JSON) SELECT 1");
    EXPECT_EQ(TagStatement("BEGIN"), "BEGIN /* optischema */");
    EXPECT_EQ(TagStatement("SELECT\n  a FROM t"), "SELECT /* optischema */\n  a FROM t");
    // No keyword to follow: in front, as before.
    EXPECT_EQ(TagStatement("(SELECT 1)"), "/* optischema */ (SELECT 1)");
    EXPECT_EQ(TagStatement(""), "/* optischema */ ");
}

TEST(IdentityTest, TaggedTextsAreRecognisedWhereverTagStatementPutsThem) {
    for (const char* sql : {"SELECT 1", "EXPLAIN (FORMAT JSON) SELECT 1", "BEGIN", "(SELECT 1)", "\n\tSET a = 1"}) {
        EXPECT_TRUE(IsTaggedText(TagStatement(sql))) << sql;
        EXPECT_FALSE(IsTaggedText(sql)) << sql;
    }
    EXPECT_TRUE(IsTaggedText("/* optischema */ SELECT 1"));
    EXPECT_FALSE(IsTaggedText("SELECT 1 /* optischema */"));
    EXPECT_FALSE(IsTaggedText("SELECT x, /* optischema */ 1"));
    EXPECT_FALSE(IsTaggedText("SELECT /* optischema-ish */ 1"));
}

}  // namespace
}  // namespace optischema
