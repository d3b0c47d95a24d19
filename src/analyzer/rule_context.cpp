#include "analyzer/internal/rule_context.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "analyzer/internal/condition.hpp"
#include "analyzer/plan.hpp"
#include "common/quote.hpp"

namespace optischema::analyzer::internal {

Context::Context(const model::Plan& p, const model::ParsedQuery* q) : plan(p), query(q), nodes(Flatten(p)) {
    parent.assign(nodes.size(), nullptr);
    for (const PlanNode* n : nodes) {
        for (const PlanNode& child : n->children) {
            if (child.id < parent.size()) parent[child.id] = n;
        }
    }
    total_ms = p.execution_ms.value_or(p.root.inclusive_ms);
}

const PlanNode* Context::Parent(const PlanNode& n) const { return n.id < parent.size() ? parent[n.id] : nullptr; }

Severity Context::TimeSeverity(double impact_ms) const {
    if (total_ms <= 0) return Severity::kLow;
    const double share = impact_ms / total_ms;
    if (share >= 0.3 && impact_ms >= 10) return Severity::kHigh;
    if ((share >= 0.1 && impact_ms >= 1) || impact_ms >= 100) return Severity::kMedium;
    return Severity::kLow;
}

void Context::Charge(Finding& f, double impact_ms) const {
    f.impact_ms = impact_ms;
    f.severity = TimeSeverity(impact_ms);
}

Severity Context::CostSeverity(double cost) const {
    const double root_cost = plan.root.total_cost;
    return root_cost > 0 && cost / root_cost >= 0.3 ? Severity::kMedium : Severity::kLow;
}

double Context::SharePct(double ms) const { return std::round(Share(ms) * 1000) / 10; }

std::string Context::SettingValue(std::string_view name) const {
    for (const auto& [key, value] : plan.settings) {
        if (key == name) return value;
    }
    return "";
}

const PlanNode* FirstScan(const PlanNode& node) {
    if (!node.relation.empty()) return &node;
    for (const PlanNode& child : node.children) {
        if (const PlanNode* s = FirstScan(child)) return s;
    }
    return nullptr;
}

Finding Make(std::string_view rule, const PlanNode& node) {
    Finding f;
    f.rule = std::string(rule);
    f.node_id = node.id;
    f.node = NodeLabel(node);
    f.relation = QualifiedRelation(node);
    return f;
}

void AddTime(Finding& f, const PlanNode& node, const Context& ctx) {
    f.evidence.emplace_back("exclusive_ms", node.exclusive_ms);
    f.evidence.emplace_back("share_of_query_pct", ctx.SharePct(node.exclusive_ms));
}

std::string Ms(double ms) { return ms >= 10 ? fmt::format("{:.0f} ms", ms) : fmt::format("{:.2g} ms", ms); }

std::string Pct(double share) {
    const double pct = share * 100;
    if (pct >= 10) return fmt::format("{:.0f}%", pct);
    if (pct >= 1) return fmt::format("{:.1f}%", pct);
    return fmt::format("{:.2g}%", pct);
}

long long RoundUpMb(double kb) { return std::max(1LL, static_cast<long long>(std::ceil(kb / 1024.0))); }

std::string Mb(double kb) {
    return kb >= 10 * 1024 ? fmt::format("{:.0f} MB", kb / 1024) : fmt::format("{:.1f} MB", kb / 1024);
}

std::string QuotedRelation(const PlanNode& n) {
    return n.schema.empty() ? QuoteIdent(n.relation) : QuoteIdent(n.schema) + "." + QuoteIdent(n.relation);
}

std::string QualifiedColumn(const model::ColumnUse& use) {
    return (use.qualifier.empty() ? "" : use.qualifier + ".") + use.column;
}

std::string BareExpression(const model::ColumnUse& use) {
    std::string bare = use.expression;
    if (use.qualifier.empty()) return bare;
    const std::string prefix = use.qualifier + ".";
    for (std::size_t pos = bare.find(prefix); pos != std::string::npos; pos = bare.find(prefix, pos)) {
        if (pos > 0 && IsIdentChar(bare[pos - 1])) {
            pos += prefix.size();
            continue;
        }
        bare.erase(pos, prefix.size());
    }
    return bare;
}

}  // namespace optischema::analyzer::internal
