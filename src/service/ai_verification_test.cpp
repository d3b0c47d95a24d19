// The pure parts of `explain --ai`: which literal each $n of the normalized statement stands for
// (a rewrite that keeps the $n runs with the user's own values).
#include "service/ai_verification.hpp"

#include <gtest/gtest.h>

#include "sqlparse/sqlparse.hpp"

namespace optischema::service {
namespace {

std::vector<std::pair<int, std::string>> Constants(const std::string& sql) {
    auto normalized = sqlparse::Normalize(sql);
    EXPECT_TRUE(normalized) << normalized.error().message;
    auto parsed = sqlparse::Parse(*normalized);
    EXPECT_TRUE(parsed) << parsed.error().message;
    auto constants = ReplacedConstants(sql, *normalized, *parsed);
    EXPECT_TRUE(constants) << constants.error().message << "\n" << *normalized;
    std::vector<std::pair<int, std::string>> out;
    if (constants) {
        for (const auto& c : *constants) out.emplace_back(c.number, c.value);
    }
    return out;
}

using Pairs = std::vector<std::pair<int, std::string>>;

TEST(ReplacedConstants, NumbersStringsAndSigns) {
    EXPECT_EQ(Constants("SELECT id FROM orders WHERE total >= 100 AND status = 'it''s' LIMIT 20"),
              (Pairs{{1, "100"}, {2, "'it''s'"}, {3, "20"}}));
    EXPECT_EQ(Constants("SELECT * FROM t WHERE a = -1.5e-3 AND b IN (1, 2) AND c = E'a\\'b'"),
              (Pairs{{1, "-1.5e-3"}, {2, "1"}, {3, "2"}, {4, "E'a\\'b'"}}));
    EXPECT_EQ(Constants("SELECT * FROM t WHERE d > DATE '2024-01-01' AND s = $$x'y$$"),
              (Pairs{{1, "'2024-01-01'"}, {2, "$$x'y$$"}}));
}

TEST(ReplacedConstants, ParametersTheStatementHadAreLeftOut) {
    EXPECT_EQ(Constants("SELECT * FROM t WHERE a = $1 AND b = 'x'"), (Pairs{{2, "'x'"}}));
    EXPECT_TRUE(Constants("SELECT * FROM t WHERE a = $1").empty());
}

TEST(ReplacedConstants, TextsThatDoNotLineUpAreRefused) {
    auto parsed = sqlparse::Parse("SELECT * FROM t WHERE a = $1");
    ASSERT_TRUE(parsed);
    EXPECT_FALSE(ReplacedConstants("SELECT * FROM u WHERE a = 1", "SELECT * FROM t WHERE a = $1", *parsed));
}

TEST(PlainIndexColumns, KeyAndIncludeColumnsButNoExpressions) {
    using V = std::vector<std::string>;
    EXPECT_EQ(PlainIndexColumns("CREATE INDEX i ON public.orders (customer_id, created_at DESC) INCLUDE (total)"),
              (V{"customer_id", "created_at", "total"}));
    EXPECT_EQ(PlainIndexColumns("create index on \"Odd (Name)\" using btree (\"MixedCase\" text_pattern_ops, "
                                "(lower(email)), coalesce(a, b), Status NULLS FIRST) where total > 0"),
              (V{"MixedCase", "status"}));
    EXPECT_TRUE(PlainIndexColumns("CREATE INDEX i ON t USING gin ((payload -> 'k'))").empty());
}

}  // namespace
}  // namespace optischema::service
