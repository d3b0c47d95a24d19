#include <algorithm>
#include <cctype>
#include <cmath>

#include <fmt/format.h>

#include "analyzer/plan.hpp"
#include "cli/text.hpp"
#include "common/format.hpp"
#include "common/strings.hpp"

namespace optischema::cli {
namespace {

std::string Ms(double ms) {
    if (ms >= 10'000) return fmt::format("{:.1f}s", ms / 1000);
    if (ms >= 100) return fmt::format("{:.0f}ms", ms);
    if (ms >= 1) return fmt::format("{:.1f}ms", ms);
    return fmt::format("{:.2f}ms", ms);
}

void TextTree(const model::PlanNode& n,
              const model::Plan& plan,
              const std::string& prefix,
              bool last,
              bool root,
              std::size_t width,
              std::string& out) {
    const std::string branch = root ? "" : (last ? "└─ " : "├─ ");
    std::string metrics;
    if (plan.analyzed) {
        const double share = plan.root.inclusive_ms > 0 ? n.exclusive_ms / plan.root.inclusive_ms : 0;
        const int filled = static_cast<int>(std::lround(share * 10));
        std::string bar;
        for (int i = 0; i < 10; ++i) bar += i < filled ? "█" : "·";
        metrics = fmt::format("{:>8} {} {:>3.0f}%  ", Ms(n.exclusive_ms), bar, 100 * share);
        const double rows = n.actual_rows.value_or(0) * n.actual_loops.value_or(0);
        std::string detail = fmt::format(" (rows {:.0f} of {:.0f} est", rows, n.plan_rows * n.actual_loops.value_or(1));
        if (n.actual_loops.value_or(1) > 1) detail += fmt::format(", loops {:.0f}", *n.actual_loops);
        detail += ")";
        const std::string line = metrics + prefix + branch + analyzer::NodeLabel(n) + detail;
        out += Ellipsize(line, width) + "\n";
    } else {
        const std::string line = prefix + branch + analyzer::NodeLabel(n) +
                                 fmt::format(" (cost {:.2f}, rows {:.0f})", n.total_cost, n.plan_rows);
        out += Ellipsize(line, width) + "\n";
    }
    const std::string child_prefix = root ? "" : prefix + (last ? "   " : "│  ");
    for (std::size_t i = 0; i < n.children.size(); ++i) {
        TextTree(n.children[i], plan, child_prefix, i + 1 == n.children.size(), false, width, out);
    }
}

// Every line of `text` after `prefix`, so multi-line SQL in a suggestion stays in its block.
std::string Indented(const std::string& text, const std::string& prefix) {
    std::string out = prefix;
    for (char c : text) {
        out += c;
        if (c == '\n') out += prefix + "  ";
    }
    return out;
}

// Every line of `text` after the first indented by `indent`.
std::string IndentedAfterFirst(const std::string& text, const std::string& indent) {
    std::string out;
    for (char c : text) {
        out += c;
        if (c == '\n') out += indent;
    }
    while (!out.empty() && (out.back() == ' ' || out.back() == '\n')) out.pop_back();
    return out;
}

std::string StatusTag(service::SuggestionStatus status) {
    std::string name = service::SuggestionStatusName(status);
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::toupper(c); });
    return "[" + name + "]";
}

}  // namespace

std::string FormatExplainText(const service::ExplainReport& report, std::size_t width) {
    std::string out;
    out += fmt::format("Method: {}", report.method);
    if (report.plan.analyzed && report.plan.execution_ms) {
        out += fmt::format(" · executed in {} (planning {})", Ms(*report.plan.execution_ms),
                           Ms(report.plan.planning_ms.value_or(0)));
    } else {
        out += fmt::format(" · estimated cost {:.2f} (add --analyze for real times)", report.plan.root.total_cost);
    }
    out += "\n";
    for (const auto& p : report.params) {
        out += Ellipsize(fmt::format("  ${} = {}  ({})", p.number, p.value, p.source), width) + "\n";
    }
    out += "\n";
    TextTree(report.plan.root, report.plan, "", true, true, width, out);
    out += "\n";
    if (report.findings.empty()) {
        out += "No problems found in this plan.\n";
        return out;
    }
    out += fmt::format("Findings ({}):\n", report.findings.size());
    for (const auto& f : report.findings) {
        out += fmt::format("\n[{}] {} — {}\n", model::SeverityName(f.severity), f.rule, f.node);
        out += Indented(f.message, "  ") + "\n";
        out += Indented("Fix: " + f.suggestion, "  ") + "\n";
    }
    return out;
}

std::string FormatAiText(const service::AiReport& report, std::size_t width) {
    std::string out;
    const std::string rule(std::min<std::size_t>(width, 60), '-');
    out += rule + "\n";
    if (!report.error.empty()) {
        out += fmt::format("AI assistant ({}, {}): no answer: {}\n", report.provider, report.model, report.error);
        out += "The plan and findings above do not depend on it.\n";
        for (const auto& w : report.warnings) out += "  note: " + w + "\n";
        return out;
    }
    std::string source = report.from_cache ? "answer from the cache (no request sent)"
                                           : fmt::format("answered in {} ms", HumanMs(report.latency_ms));
    out += fmt::format("AI assistant: {} · {} · {} · {} tokens in, {} out{}\n", report.provider, report.model, source,
                       ThousandsSeparated(static_cast<double>(report.input_tokens)),
                       ThousandsSeparated(static_cast<double>(report.output_tokens)),
                       report.cost_usd ? fmt::format(" · ${:.4f}", *report.cost_usd) : std::string());
    out += "\n" + std::string(Trim(report.explanation)) + "\n";

    const std::string by = " (suggested by " + report.model + ")";
    if (!report.rewrites.empty()) {
        out += fmt::format("\nRewrites ({}), checked by OptiSchema:\n", report.rewrites.size());
        for (std::size_t i = 0; i < report.rewrites.size(); ++i) {
            const auto& r = report.rewrites[i];
            out += fmt::format("\n{}. {}{}{}\n", i + 1, StatusTag(r.status),
                               r.speedup && r.status == service::SuggestionStatus::kVerified
                                   ? " " + HumanRatio(*r.speedup) + " faster"
                                   : std::string(),
                               by);
            out += "   " + IndentedAfterFirst(r.sql, "   ") + "\n";
            if (!r.rationale.empty()) out += "   Why: " + IndentedAfterFirst(r.rationale, "   ") + "\n";
            out += "   Check: " + IndentedAfterFirst(r.reason, "   ") + "\n";
        }
    }
    if (!report.index_ideas.empty()) {
        out += fmt::format("\nIndex ideas ({}), costed by OptiSchema:\n", report.index_ideas.size());
        for (std::size_t i = 0; i < report.index_ideas.size(); ++i) {
            const auto& x = report.index_ideas[i];
            out += fmt::format("\n{}. {}{}\n", i + 1, StatusTag(x.status), by);
            out += "   " + IndentedAfterFirst(x.ddl, "   ") + "\n";
            if (!x.rationale.empty()) out += "   Why: " + IndentedAfterFirst(x.rationale, "   ") + "\n";
            out += "   Check: " + IndentedAfterFirst(x.reason, "   ") + "\n";
        }
    }
    if (report.rewrites.empty() && report.index_ideas.empty()) out += "\nThe model suggests no rewrite or index.\n";
    if (!report.risks.empty()) {
        out += "\nRisks:\n";
        for (const auto& r : report.risks) out += "  - " + IndentedAfterFirst(r, "    ") + "\n";
    }
    if (!report.warnings.empty()) {
        out += "\nNotes:\n";
        for (const auto& w : report.warnings) out += "  - " + IndentedAfterFirst(w, "    ") + "\n";
    }
    out +=
        "\nVerified: same rows and faster in a sandbox (rewrites), or used by the planner with a lower cost "
        "(indexes). Nothing is applied: use `optischema validate` and `optischema apply`.\n";
    return out;
}

}  // namespace optischema::cli
