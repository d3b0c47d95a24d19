#include "service/ai_verification.hpp"

#include "service/internal/ai_checks.hpp"
#include "sqlparse/sqlparse.hpp"

namespace optischema::service {

const char* SuggestionStatusName(SuggestionStatus status) {
    switch (status) {
        case SuggestionStatus::kVerified:
            return "verified";
        case SuggestionStatus::kRejected:
            return "rejected";
        case SuggestionStatus::kUnverified:
            return "unverified";
    }
    return "unverified";
}

Result<std::vector<analyzer::SampleParam>> ReplacedConstants(std::string_view sql,
                                                             std::string_view normalized,
                                                             const model::ParsedQuery& normalized_parsed) {
    auto constants = sqlparse::ReplacedConstants(sql, normalized, normalized_parsed);
    if (!constants) return tl::unexpected(constants.error());
    std::vector<analyzer::SampleParam> out;
    for (auto& c : *constants) out.push_back({c.number, "", std::move(c.text), "as written in the statement"});
    return out;
}

std::vector<std::string> PlainIndexColumns(std::string_view ddl) {
    return sqlparse::IndexColumns(ddl).value_or(std::vector<std::string>{});
}

StatementUnderReview ReviewStatement(pg::Connection& target,
                                     const guard::Allowlist& allow,
                                     ColumnStatsCache& stats,
                                     const std::string& sql,
                                     const ExplainReport& report) {
    StatementUnderReview s;
    s.sql = sql;
    s.runnable_sql = sql;
    if (auto parsed = sqlparse::Parse(sql)) s.parsed = std::move(*parsed);
    auto normalized = sqlparse::Normalize(sql);
    s.normalized = normalized ? *normalized : sql;

    // Values of the statement's own $n: the sample explain chose, or one made now for a generic plan.
    if (report.method == "sample") {
        s.runnable_sql = report.sql;
        s.values.params = report.params;
    } else if (s.parsed.param_count > 0) {
        auto sample = MakeSample(target, stats, sql, s.parsed);
        if (sample) {
            s.runnable_sql = sample->sql;
            s.values.params = std::move(sample->params);
        } else {
            s.runnable = false;
            s.notes.push_back("no runnable sample of the statement: " + ServerMessage(sample.error()));
        }
    }
    // Values of the $n that normalization put in place of the statement's literals.
    s.param_count = s.parsed.param_count;
    if (s.normalized != sql) {
        auto normalized_parsed = sqlparse::Parse(s.normalized);
        if (normalized_parsed) s.param_count = normalized_parsed->param_count;
        auto constants = normalized_parsed
                             ? ReplacedConstants(sql, s.normalized, *normalized_parsed)
                             : Result<std::vector<analyzer::SampleParam>>(tl::unexpected(normalized_parsed.error()));
        if (constants) {
            s.values.params.insert(s.values.params.end(), constants->begin(), constants->end());
        } else {
            s.notes.push_back("rewrites that keep the normalized $n cannot be given the statement's values: " +
                              constants.error().message);
        }
    }
    s.values.sql = s.runnable_sql;
    if (report.method == "literal" || report.method == "sample") {
        s.cost = report.plan.root.total_cost;
    } else if (s.runnable) {
        if (auto plan = PlanReadOnly(target, s.runnable_sql, allow)) s.cost = plan->root.total_cost;
    }
    return s;
}

}  // namespace optischema::service
