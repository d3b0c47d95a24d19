// What `explain --ai` shows of the model's answer and the engine's checks, as JSON and as text.
#include <gtest/gtest.h>

#include "cli/text.hpp"
#include "service/ai_assistant.hpp"

namespace optischema::cli {
namespace {

using service::AiReport;
using service::AiReportJson;
using service::IndexIdeaCheck;
using service::RewriteCheck;
using service::SuggestionStatus;

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
}  // namespace optischema::cli
