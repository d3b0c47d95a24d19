#include <fmt/format.h>

#include "cli/text.hpp"
#include "common/format.hpp"
#include "common/strings.hpp"

namespace optischema::cli {

std::string FormatAdviceText(const service::AdviceReport& report) {
    std::string out = fmt::format("{} statements analysed, {} index recommendation(s).\n", report.statements,
                                  report.advice.recommendations.size());
    int n = 0;
    for (const auto& r : report.advice.recommendations) {
        out += fmt::format("\n{}. [{}] {};\n", ++n, service::RecommendationId(report.target, r.index), r.index.Ddl());
        out += fmt::format("   rollback: {};\n", r.index.RollbackDdl());
        out += fmt::format("   why: {}; {}\n", r.index.reason, r.confidence);
        if (r.estimated_size_bytes > 0)
            out += fmt::format("   size: about {}\n", HumanBytes(static_cast<double>(r.estimated_size_bytes)));
        if (r.saved_ms > 0) {
            out += fmt::format("   impact: {:.1f}% of the workload's time", 100 * r.saved_share);
            if (!report.advice.weighted_by_cost && report.window_hours && *report.window_hours > 0) {
                out += fmt::format(" (~{:.0f} ms saved per hour)", r.saved_ms / *report.window_hours);
            }
            out += "\n";
        }
        for (const auto& q : r.queries) {
            out += fmt::format("   - cost {:.0f} -> {:.0f}  {}\n", q.cost_before, q.cost_after,
                               Ellipsize(CollapseWhitespace(q.query), 70));
        }
        out += "   writes: " + r.write_note;
        if (r.write_cost_ms > 0)
            out += fmt::format("; about {:.0f} ms more for this workload's writes", r.write_cost_ms);
        out += "\n";
    }
    if (!report.advice.no_index.empty()) {
        out += "\nNo index for:\n";
        for (const auto& q : report.advice.no_index) {
            out += fmt::format("  - {}\n    {}\n", Ellipsize(CollapseWhitespace(q.query), 90), q.reason);
        }
    }
    if (!report.advice.errors.empty()) {
        out += "\nCould not analyse:\n";
        for (const auto& e : report.advice.errors) out += "  - " + Ellipsize(CollapseWhitespace(e), 200) + "\n";
    }
    return out;
}

}  // namespace optischema::cli
