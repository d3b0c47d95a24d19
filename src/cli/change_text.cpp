#include <fmt/format.h>

#include "cli/text.hpp"
#include "common/format.hpp"
#include "common/strings.hpp"

namespace optischema::cli {

std::string FormatAuditText(const std::vector<model::AuditEvent>& events) {
    if (events.empty()) return "The audit log is empty.\n";
    std::string out = fmt::format("{:>5}  {:<24}  {:<14}  {:<9}  {:<9}  {:>10}  {}\n", "id", "time (UTC)", "actor",
                                  "action", "outcome", "ms", "target / SQL");
    for (const auto& e : events) {
        out += fmt::format("{:>5}  {:<24}  {:<14}  {:<9}  {:<9}  {:>10.1f}  {}\n", e.id, IsoTime(e.at), e.actor,
                           e.action, e.outcome, e.duration_ms, e.target);
        if (!e.sql.empty()) out += fmt::format("{:>80}{}\n", "", Ellipsize(CollapseWhitespace(e.sql), 160));
        if (!e.error.empty()) out += fmt::format("{:>80}error: {}\n", "", e.error);
        if (e.related_id) out += fmt::format("{:>80}undoes action {}\n", "", *e.related_id);
    }
    return out;
}

std::string FormatImpactText(const service::ImpactReport& report) {
    std::string text = fmt::format("Realized impact of action {} ({}):\n", report.action_id, report.index);
    for (const auto& r : report.statements) {
        text += fmt::format("- {}\n  mean {:.3f} ms before ({} calls) -> {} since ({} calls): {:.1f} ms saved\n",
                            Ellipsize(CollapseWhitespace(r.query), 90), r.mean_ms_before, r.calls_before,
                            r.mean_ms_since ? fmt::format("{:.3f} ms", *r.mean_ms_since) : "no calls yet",
                            r.calls_since, r.saved_ms);
    }
    text += fmt::format("Total: {:.1f} ms saved since the apply.\n", report.saved_ms);
    return text;
}

}  // namespace optischema::cli
