#include "service/explain_report.hpp"

#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "analyzer/plan.hpp"
#include "common/format.hpp"
#include "common/strings.hpp"

namespace optischema::service {
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

}  // namespace optischema::service
