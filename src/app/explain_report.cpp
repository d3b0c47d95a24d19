#include "app/explain_report.hpp"

#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "analyzer/plan.hpp"
#include "common/format.hpp"
#include "common/strings.hpp"

namespace optischema::app {
namespace {

using Json = nlohmann::ordered_json;

Json OptionalNumber(const std::optional<double>& v) { return v ? Json(Round3(*v)) : Json(nullptr); }

Json NodeJson(const model::PlanNode& n, bool analyzed) {
    Json j;
    j["id"] = n.id;
    j["node_type"] = n.node_type;
    j["label"] = analyzer::NodeLabel(n);
    const std::string relation = analyzer::QualifiedRelation(n);
    j["relation"] = relation.empty() ? Json(nullptr) : Json(relation);
    if (!n.index_name.empty()) j["index"] = n.index_name;
    j["startup_cost"] = n.startup_cost;
    j["total_cost"] = n.total_cost;
    j["plan_rows"] = n.plan_rows;
    if (analyzed) {
        j["actual_rows"] = OptionalNumber(n.actual_rows);
        j["actual_loops"] = OptionalNumber(n.actual_loops);
        j["inclusive_ms"] = Round3(n.inclusive_ms);
        j["exclusive_ms"] = Round3(n.exclusive_ms);
    }
    for (const auto& [key, text] :
         std::initializer_list<std::pair<const char*, const std::string*>>{{"filter", &n.filter},
                                                                           {"index_cond", &n.index_cond},
                                                                           {"join_filter", &n.join_filter},
                                                                           {"hash_cond", &n.hash_cond},
                                                                           {"recheck_cond", &n.recheck_cond},
                                                                           {"merge_cond", &n.merge_cond}}) {
        if (!text->empty()) j[key] = *text;
    }
    if (n.rows_removed_by_filter > 0) j["rows_removed_by_filter"] = n.rows_removed_by_filter;
    if (n.has_buffers) {
        j["buffers"] = {{"shared_hit", n.buffers.shared_hit},
                        {"shared_read", n.buffers.shared_read},
                        {"temp_read", n.buffers.temp_read},
                        {"temp_written", n.buffers.temp_written}};
    }
    Json children = Json::array();
    for (const auto& c : n.children) children.push_back(NodeJson(c, analyzed));
    j["children"] = std::move(children);
    return j;
}

Json EvidenceJson(const model::Finding& f) {
    Json e = Json::object();
    for (const auto& [key, value] : f.evidence) {
        if (const double* d = std::get_if<double>(&value)) {
            e[key] = Round3(*d);
        } else {
            e[key] = std::get<std::string>(value);
        }
    }
    return e;
}

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

}  // namespace

Json PlanTreeJson(const model::Plan& plan) { return NodeJson(plan.root, plan.analyzed); }

std::string FormatExplainJson(const ExplainReport& report) {
    Json j;
    j["method"] = report.method;
    j["sql"] = report.sql;
    Json params = Json::array();
    for (const auto& p : report.params) {
        params.push_back({{"number", p.number}, {"type", p.type}, {"value", p.value}, {"source", p.source}});
    }
    j["params"] = std::move(params);
    j["analyzed"] = report.plan.analyzed;
    j["planning_ms"] = OptionalNumber(report.plan.planning_ms);
    j["execution_ms"] = OptionalNumber(report.plan.execution_ms);
    j["plan"] = PlanTreeJson(report.plan);
    Json findings = Json::array();
    for (const auto& f : report.findings) {
        Json fj;
        fj["rule"] = f.rule;
        fj["severity"] = model::SeverityName(f.severity);
        fj["node"] = f.node;
        fj["node_id"] = f.node_id;
        fj["relation"] = f.relation.empty() ? Json(nullptr) : Json(f.relation);
        fj["evidence"] = EvidenceJson(f);
        fj["message"] = f.message;
        fj["suggestion"] = f.suggestion;
        fj["impact_ms"] = Round3(f.impact_ms);
        findings.push_back(std::move(fj));
    }
    j["findings"] = std::move(findings);
    return j.dump(2) + "\n";
}

std::string FormatExplainText(const ExplainReport& report, std::size_t width) {
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

}  // namespace optischema::app
