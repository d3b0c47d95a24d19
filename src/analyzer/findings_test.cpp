#include "analyzer/findings.hpp"

#include <algorithm>
#include <cctype>
#include <set>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "analyzer/internal/test_plans.hpp"
#include "analyzer/plan.hpp"

namespace optischema::analyzer {
namespace {

using namespace test_plans;

// --- the catalogue and invariants over every recorded plan

TEST(FindingsTest, CatalogueHasDistinctSnakeCaseIds) {
    std::set<std::string_view> ids;
    for (const RuleInfo& rule : Rules()) {
        EXPECT_FALSE(rule.title.empty()) << rule.id;
        EXPECT_TRUE(std::all_of(rule.id.begin(), rule.id.end(), [](char c) {
            return std::islower(static_cast<unsigned char>(c)) != 0 || c == '_';
        })) << rule.id;
        EXPECT_TRUE(ids.insert(rule.id).second) << "duplicate " << rule.id;
    }
    EXPECT_EQ(ids.size(), 16u);
}

TEST(FindingsTest, EveryRecordedPlanGivesWellFormedOrderedFindings) {
    std::set<std::string_view> ids;
    for (const RuleInfo& rule : Rules()) ids.insert(rule.id);
    const auto cases = AllCases();
    ASSERT_GE(cases.size(), 20u);
    for (const std::string& name : cases) {
        SCOPED_TRACE(name);
        const Case c(name);
        const auto nodes = Flatten(c.plan);
        for (std::size_t i = 0; i < c.findings.size(); ++i) {
            const Finding& f = c.findings[i];
            EXPECT_TRUE(ids.contains(f.rule)) << f.rule << " is not in the catalogue";
            ASSERT_LT(f.node_id, nodes.size());
            EXPECT_EQ(f.node, NodeLabel(*nodes[f.node_id])) << f.rule;
            EXPECT_FALSE(f.message.empty()) << f.rule;
            EXPECT_FALSE(f.suggestion.empty()) << f.rule;
            EXPECT_FALSE(f.evidence.empty()) << f.rule;
            EXPECT_GE(f.impact_ms, 0) << f.rule;
            if (!c.plan.analyzed) {
                EXPECT_EQ(f.impact_ms, 0) << f.rule << ": no time is known without ANALYZE";
                EXPECT_NE(f.severity, Severity::kHigh) << f.rule;
            }
            if (i > 0) {
                const Finding& prev = c.findings[i - 1];
                EXPECT_TRUE(prev.severity > f.severity ||
                            (prev.severity == f.severity && prev.impact_ms >= f.impact_ms))
                    << prev.rule << " before " << f.rule;
            }
        }
    }
}

TEST(FindingsTest, HarmlessFastPlansHaveNoFindings) {
    for (const char* name : {"index_scan_good", "sort_in_memory", "bitmap_exact", "index_only_clean", "append_union"}) {
        SCOPED_TRACE(name);
        const Case c(name);
        for (const Finding& f : c.findings) ADD_FAILURE() << f.rule << " on " << f.node << ": " << f.message;
    }
}

TEST(FindingsTest, RulesNeedingTheSqlAreSkippedWithoutIt) {
    for (const char* name : {"function_on_column", "not_in_subquery"}) {
        SCOPED_TRACE(name);
        const auto findings = Analyze(LoadPlan(name), nullptr);
        for (const Finding& f : findings) {
            EXPECT_NE(f.rule, "non_sargable");
            EXPECT_NE(f.rule, "not_in_subquery");
        }
    }
}

// --- without ANALYZE

TEST(FindingsTest, EstimatedPlansNeverClaimTime) {
    for (const char* name : {"no_analyze_join", "generic_plan_prepared"}) {
        SCOPED_TRACE(name);
        const Case c(name);
        ASSERT_FALSE(c.plan.analyzed);
        for (const Finding& f : c.findings) {
            EXPECT_EQ(f.impact_ms, 0) << f.rule;
            EXPECT_NE(f.severity, Severity::kHigh) << f.rule;
        }
    }
}

}  // namespace
}  // namespace optischema::analyzer
