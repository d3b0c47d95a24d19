#include <fmt/format.h>

#include "cli/text.hpp"
#include "common/format.hpp"
#include "common/strings.hpp"

namespace optischema::cli {

std::string FormatValidationText(const service::ValidationReport& r) {
    std::string out;
    const char* verdict = r.verdict == sandbox::Verdict::kImproved     ? "IMPROVED"
                          : r.verdict == sandbox::Verdict::kRegression ? "REGRESSION"
                          : r.verdict == sandbox::Verdict::kRejected   ? "REJECTED"
                                                                       : "NO SIGNIFICANT CHANGE";
    out += fmt::format("Verdict: {}", verdict);
    if (r.verdict == sandbox::Verdict::kImproved || r.verdict == sandbox::Verdict::kRegression) {
        out += fmt::format(" ({})", HumanRatio(r.speedup));
    }
    out += fmt::format("\n  {}\n", r.reason);
    if (!r.ddl.empty()) out += fmt::format("Index:   {};\n", r.ddl);
    if (!r.rewrite.empty()) out += fmt::format("Rewrite: {}\n", CollapseWhitespace(r.rewrite));
    out += fmt::format("Sandbox: {}\n", r.sandbox_description);
    for (const auto& t : r.copied) {
        out += fmt::format("  {}.{}: {} rows{}\n", t.schema, t.name, ThousandsSeparated(t.copied_rows),
                           t.sample_percent < 100 ? fmt::format(" (sampled {:.2f}% of about {})", t.sample_percent,
                                                                ThousandsSeparated(t.target_rows))
                                                  : "");
    }
    for (const auto& n : r.notes) out += "  note: " + n + "\n";
    if (r.index_build_ms) out += fmt::format("  index built in {:.0f} ms\n", *r.index_build_ms);
    out += fmt::format("\n{} timed runs per statement after warm-up (server time: planning + execution):\n", r.runs);
    for (const auto& q : r.queries) {
        out += fmt::format("- {}\n", Ellipsize(CollapseWhitespace(q.query), 90));
        out += fmt::format("  {}: {}\n", sandbox::VerdictName(q.verdict), q.reason);
        if (q.equivalence && q.equivalence->equal == std::optional<bool>(true)) {
            out += fmt::format("  same result as the original ({} rows)\n",
                               ThousandsSeparated(static_cast<double>(q.equivalence->original_rows)));
        }
        if (q.measured()) {
            for (const auto& n : q.diff.nodes) {
                if (n.kind == analyzer::NodeChange::Kind::kSame) continue;
                out += fmt::format("  plan: {} {}{}{}\n", analyzer::NodeChangeName(n.kind), n.before_label,
                                   n.before_label.empty() || n.after_label.empty() ? "" : " -> ", n.after_label);
            }
        }
    }
    out += fmt::format("\nAudited as action {}.\n", r.audit_id);
    return out;
}

}  // namespace optischema::cli
