#include "service/internal/ai_checks.hpp"

#include <cmath>

#include <fmt/format.h>

#include "analyzer/plan.hpp"
#include "common/format.hpp"
#include "common/strings.hpp"
#include "guard/gate.hpp"

namespace optischema::service {

std::string ServerMessage(const Error& e) {
    std::string m = e.message;
    if (const auto pos = m.rfind(" [in: "); pos != std::string::npos) m.erase(pos);
    if (!e.sqlstate.empty()) m += fmt::format(" (SQLSTATE {})", e.sqlstate);
    return m;
}

bool StatementIsWrong(const Error& e) {
    if (e.code == ErrorCode::kParseError || e.code == ErrorCode::kInvalidArgument) return true;
    const std::string& s = e.sqlstate;
    if (s == "42501") return false;  // insufficient privilege: the role, not the SQL
    return s.starts_with("42") || s.starts_with("22") || s.starts_with("21") || s.starts_with("0A");
}

std::string WithoutTrailingSemicolons(std::string_view sql) {
    std::string out(Trim(sql));
    while (!out.empty() && out.back() == ';') out = std::string(Trim(out.substr(0, out.size() - 1)));
    return out;
}

std::string FormatCost(double cost) { return ThousandsSeparated(cost >= 100 ? std::round(cost) : Round3(cost)); }

Result<model::Plan> PlanReadOnly(pg::Connection& conn, const std::string& sql, const guard::Allowlist& allow) {
    auto statement = guard::Clear(conn, sql, {.use = guard::Use::kPlan, .allow = allow});
    if (!statement) return tl::unexpected(statement.error());
    auto json = guard::ExplainJson(conn, "", *statement);
    if (!json) return tl::unexpected(json.error());
    return analyzer::ParsePlan(*json);
}

}  // namespace optischema::service
