#include "llm/answer.hpp"

#include <gtest/gtest.h>

namespace optischema::llm {
namespace {

constexpr const char* kAnswer = R"j({
  "explanation": "The **Seq Scan** on `orders` takes 92% of the time.",
  "rewrites": [
    {"sql": "SELECT id FROM public.orders WHERE customer_id = $1", "rationale": "Fewer columns."},
    {"sql": "SELECT id FROM public.orders WHERE customer_id = $1 AND status = $2", "rationale": "Second."}
  ],
  "index_ideas": [{"ddl": "CREATE INDEX CONCURRENTLY ON public.orders (customer_id)", "rationale": "Filter."}],
  "risks": ["Write overhead on orders.", "Lock during creation."]
})j";

bool HasWarning(const Answer& a, std::string_view part) {
    for (const auto& w : a.warnings) {
        if (w.find(part) != std::string::npos) return true;
    }
    return false;
}

void ExpectFull(const Answer& a) {
    EXPECT_EQ(a.explanation, "The **Seq Scan** on `orders` takes 92% of the time.");
    ASSERT_EQ(a.rewrites.size(), 2u);
    EXPECT_EQ(a.rewrites[0].sql, "SELECT id FROM public.orders WHERE customer_id = $1");
    EXPECT_EQ(a.rewrites[0].rationale, "Fewer columns.");
    ASSERT_EQ(a.index_ideas.size(), 1u);
    EXPECT_EQ(a.index_ideas[0].ddl, "CREATE INDEX CONCURRENTLY ON public.orders (customer_id)");
    ASSERT_EQ(a.risks.size(), 2u);
    EXPECT_EQ(a.risks[1], "Lock during creation.");
}

TEST(ParseAnswer, ReadsBareJson) {
    auto a = ParseAnswer(kAnswer);
    ASSERT_TRUE(a.has_value()) << a.error().message;
    ExpectFull(*a);
    EXPECT_TRUE(a->warnings.empty());
}

TEST(ParseAnswer, ReadsJsonInACodeFence) {
    auto a = ParseAnswer(std::string("```json\n") + kAnswer + "\n```");
    ASSERT_TRUE(a.has_value());
    ExpectFull(*a);
    EXPECT_TRUE(a->warnings.empty());
}

TEST(ParseAnswer, ReadsJsonBetweenProseWithBraces) {
    auto a = ParseAnswer(std::string("Sure! Here is the analysis {as requested}, in JSON:\n\n```json\n") + kAnswer +
                         "\n```\n\nI hope this helps. {Let me know}");
    ASSERT_TRUE(a.has_value()) << a.error().message;
    ExpectFull(*a);
}

TEST(ParseAnswer, KeepsTheCompletePartsOfATruncatedAnswer) {
    const std::string text = kAnswer;
    // Cut inside the second rewrite's sql.
    const std::string cut = text.substr(0, text.find("AND status"));
    auto a = ParseAnswer(cut);
    ASSERT_TRUE(a.has_value()) << a.error().message;
    EXPECT_EQ(a->explanation, "The **Seq Scan** on `orders` takes 92% of the time.");
    ASSERT_EQ(a->rewrites.size(), 1u);
    EXPECT_EQ(a->rewrites[0].rationale, "Fewer columns.");
    EXPECT_TRUE(a->index_ideas.empty());
    EXPECT_TRUE(HasWarning(*a, "cut off"));
}

TEST(ParseAnswer, TruncatedBetweenTokensAtEveryPosition) {
    // Whatever the cut, the parser never fails on an answer whose explanation was complete, and never
    // invents an item.
    const std::string text = kAnswer;
    const std::size_t explanation_end = text.find("\",\n  \"rewrites\"") + 1;
    for (std::size_t n = explanation_end; n < text.size(); ++n) {
        auto a = ParseAnswer(text.substr(0, n));
        ASSERT_TRUE(a.has_value()) << n;
        EXPECT_EQ(a->explanation, "The **Seq Scan** on `orders` takes 92% of the time.") << n;
        EXPECT_LE(a->rewrites.size(), 2u);
        for (const auto& r : a->rewrites) EXPECT_TRUE(r.sql.starts_with("SELECT id FROM public.orders")) << n;
        EXPECT_TRUE(HasWarning(*a, "cut off")) << n;
    }
}

TEST(ParseAnswer, FailsWhenTheCutLeavesNothing) {
    auto a = ParseAnswer(R"({"explanation": "The Seq Scan on ord)");
    ASSERT_FALSE(a.has_value());
    EXPECT_EQ(a.error().code, ErrorCode::kQueryFailed);
}

TEST(ParseAnswer, SkipsItemsOfTheWrongTypeWithWarnings) {
    auto a = ParseAnswer(R"j({
        "explanation": "ok",
        "rewrites": ["SELECT 1", {"sql": 42}, {"sql": "SELECT 2", "rationale": ["not", "text"]}, {"sql": "  "}],
        "index_ideas": {"ddl": "CREATE INDEX x ON t (a)"},
        "risks": ["real risk", 7, null]
    })j");
    ASSERT_TRUE(a.has_value());
    ASSERT_EQ(a->rewrites.size(), 1u);
    EXPECT_EQ(a->rewrites[0].sql, "SELECT 2");
    EXPECT_EQ(a->rewrites[0].rationale, "");
    EXPECT_TRUE(a->index_ideas.empty());
    ASSERT_EQ(a->risks.size(), 1u);
    EXPECT_TRUE(HasWarning(*a, "rewrites[0] skipped"));
    EXPECT_TRUE(HasWarning(*a, "rewrites[1] skipped"));
    EXPECT_TRUE(HasWarning(*a, "rewrites[2]: the rationale is a array"));
    EXPECT_TRUE(HasWarning(*a, "rewrites[3] skipped: its \"sql\" is empty"));
    EXPECT_TRUE(HasWarning(*a, "\"index_ideas\" is a object, not a list"));
    EXPECT_TRUE(HasWarning(*a, "risks[1] skipped"));
    EXPECT_TRUE(HasWarning(*a, "risks[2] skipped"));
}

TEST(ParseAnswer, WarnsOfAMissingOrMistypedExplanation) {
    auto missing = ParseAnswer(R"({"risks": ["r"]})");
    ASSERT_TRUE(missing.has_value());
    EXPECT_TRUE(HasWarning(*missing, "no explanation"));
    auto mistyped = ParseAnswer(R"({"explanation": {"text": "x"}, "risks": ["r"]})");
    ASSERT_TRUE(mistyped.has_value());
    EXPECT_TRUE(mistyped->explanation.empty());
    EXPECT_TRUE(HasWarning(*mistyped, "\"explanation\" is a object"));
}

TEST(ParseAnswer, RejectsGarbageAndEmptyAnswers) {
    for (const char* text : {"", "   \n", "}{ ][ ::", "{{{{", "{\"foo\": 1}", "[1, 2, 3]", "\x01\x02\x03"}) {
        auto a = ParseAnswer(text);
        EXPECT_FALSE(a.has_value()) << text;
        if (!a) {
            EXPECT_EQ(a.error().code, ErrorCode::kQueryFailed);
        }
    }
}

TEST(ParseAnswer, TakesProseWithoutJsonAsTheExplanation) {
    auto a = ParseAnswer("The query is slow because it scans the whole orders table.");
    ASSERT_TRUE(a.has_value());
    EXPECT_EQ(a->explanation, "The query is slow because it scans the whole orders table.");
    EXPECT_TRUE(a->rewrites.empty());
    EXPECT_TRUE(HasWarning(*a, "did not answer in the requested JSON"));
}

TEST(ParseAnswer, StripsAFenceAroundTheWholeExplanationButKeepsInnerCodeBlocks) {
    auto a = ParseAnswer(
        R"({"explanation": "```markdown\n# Why\nIt scans.\n```sql\nSELECT 1;\n```\nDone.\n```", "rewrites": []})");
    ASSERT_TRUE(a.has_value());
    EXPECT_EQ(a->explanation, "# Why\nIt scans.\n```sql\nSELECT 1;\n```\nDone.");
}

TEST(ParseAnswer, StripsASqlFenceAroundARewrite) {
    auto a = ParseAnswer(R"({"explanation": "x", "rewrites": [{"sql": "```sql\nSELECT 1\n```", "rationale": "r"}]})");
    ASSERT_TRUE(a.has_value());
    ASSERT_EQ(a->rewrites.size(), 1u);
    EXPECT_EQ(a->rewrites[0].sql, "SELECT 1");
}

TEST(ParseAnswer, ToleratesRawNewlinesTrailingCommasAndDecodesEscapes) {
    auto a =
        ParseAnswer("{\"explanation\": \"line one\nline two \\u00e9 \\ud83d\\ude00 \\\"q\\\"\", \"risks\": [\"r\",],}");
    ASSERT_TRUE(a.has_value()) << a.error().message;
    EXPECT_EQ(a->explanation, "line one\nline two \xc3\xa9 \xf0\x9f\x98\x80 \"q\"");
    EXPECT_EQ(a->risks.size(), 1u);
}

TEST(StripWrappingFence, LeavesSeparateBlocksAlone) {
    EXPECT_EQ(StripWrappingFence("```\na\n```\ntext\n```\nb\n```"), "```\na\n```\ntext\n```\nb\n```");
    EXPECT_EQ(StripWrappingFence("```\nplain\n```"), "plain");
    EXPECT_EQ(StripWrappingFence("```python\nprint(1)\n```"), "```python\nprint(1)\n```");
    EXPECT_EQ(StripWrappingFence("  no fence  "), "no fence");
}

}  // namespace
}  // namespace optischema::llm
