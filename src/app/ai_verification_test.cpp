// The pure parts of `explain --ai`: which literal each $n of the normalized statement stands for
// (a rewrite that keeps the $n runs with the user's own values), and what the report shows.
#include "app/ai_verification.hpp"

#include <gtest/gtest.h>

#include "app/ai_assistant.hpp"
#include "sqlparse/sqlparse.hpp"

namespace optischema::app {
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

TEST(AiReport, JsonHasEverySuggestionWithItsStatusAndModel) {
    AiReport report;
    report.provider = "openai";
    report.model = "gpt-4o-mini-2024-07-18";
    report.explanation = "A **sequential scan** reads every row.";
    RewriteCheck rewrite;
    rewrite.sql = "SELECT 1";
    rewrite.status = SuggestionStatus::kRejected;
    rewrite.reason = "the rewrite returns 3 rows, the original 4";
    report.rewrites.push_back(rewrite);
    IndexIdeaCheck idea;
    idea.ddl = "CREATE INDEX i ON t (a)";
    idea.status = SuggestionStatus::kVerified;
    idea.cost_before = 100;
    idea.cost_after = 8;
    report.index_ideas.push_back(idea);
    const auto j = AiReportJson(report);
    EXPECT_EQ(j["provider"], "openai");
    EXPECT_EQ(j["from_cache"], false);
    EXPECT_TRUE(j["cost_usd"].is_null());
    EXPECT_EQ(j["rewrites"][0]["status"], "rejected");
    EXPECT_TRUE(j["rewrites"][0]["speedup"].is_null());
    EXPECT_EQ(j["rewrites"][0]["model"], "gpt-4o-mini-2024-07-18");
    EXPECT_EQ(j["index_ideas"][0]["status"], "verified");
    EXPECT_EQ(j["index_ideas"][0]["cost_after"], 8);
    EXPECT_TRUE(j["error"].is_null());

    const std::string text = FormatAiText(report);
    EXPECT_NE(text.find("sequential scan"), std::string::npos) << text;
    EXPECT_NE(text.find("[REJECTED] (suggested by gpt-4o-mini-2024-07-18)"), std::string::npos) << text;
    EXPECT_NE(text.find("the rewrite returns 3 rows"), std::string::npos) << text;
    EXPECT_NE(text.find("[VERIFIED]"), std::string::npos) << text;
}

TEST(AiReport, AFailedRequestSaysSoAndWhy) {
    AiReport report;
    report.provider = "gemini";
    report.model = "gemini-2.5-flash";
    report.error = "cannot reach http://127.0.0.1:9/v1beta: connection refused";
    const std::string text = FormatAiText(report);
    EXPECT_NE(text.find("no answer: cannot reach"), std::string::npos) << text;
    EXPECT_EQ(AiReportJson(report)["error"], report.error);
}

}  // namespace
}  // namespace optischema::app
