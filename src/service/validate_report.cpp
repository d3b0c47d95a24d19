#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/format.hpp"
#include "common/strings.hpp"
#include "service/explain_report.hpp"
#include "service/validate.hpp"

namespace optischema::service {
namespace {

using Json = nlohmann::ordered_json;

Json OptionalNumber(const std::optional<double>& v) { return v ? Json(Round3(*v)) : Json(nullptr); }

Json DiffJson(const analyzer::PlanDiff& diff) {
    Json nodes = Json::array();
    for (const auto& n : diff.nodes) {
        nodes.push_back({{"change", analyzer::NodeChangeName(n.kind)},
                         {"before", n.before_label.empty() ? Json(nullptr) : Json(n.before_label)},
                         {"after", n.after_label.empty() ? Json(nullptr) : Json(n.after_label)},
                         {"before_ms", Round3(n.before_ms)},
                         {"after_ms", Round3(n.after_ms)},
                         {"before_rows", Round3(n.before_rows)},
                         {"after_rows", Round3(n.after_rows)},
                         {"before_blocks", n.before_blocks},
                         {"after_blocks", n.after_blocks}});
    }
    return {{"join_order_changed", diff.join_order_changed},
            {"before_scan_order", diff.before_scan_order},
            {"after_scan_order", diff.after_scan_order},
            {"before_cost", Round3(diff.before_cost)},
            {"after_cost", Round3(diff.after_cost)},
            {"before_ms", OptionalNumber(diff.before_ms)},
            {"after_ms", OptionalNumber(diff.after_ms)},
            {"before_blocks", diff.before_blocks},
            {"after_blocks", diff.after_blocks},
            {"nodes", std::move(nodes)}};
}

Json TimingJson(const sandbox::Timing& t) {
    Json runs = Json::array();
    for (double r : t.runs_ms) runs.push_back(Round3(r));
    return {{"median_ms", Round3(t.median_ms)}, {"p25_ms", Round3(t.p25_ms)}, {"p75_ms", Round3(t.p75_ms)},
            {"p95_ms", Round3(t.p95_ms)},       {"min_ms", Round3(t.min_ms)}, {"max_ms", Round3(t.max_ms)},
            {"runs_ms", std::move(runs)}};
}

Json EquivalentJson(const std::optional<bool>& v) { return v ? Json(*v) : Json(nullptr); }

}  // namespace

std::string FormatValidationJson(const ValidationReport& r) {
    Json j;
    j["verdict"] = sandbox::VerdictName(r.verdict);
    j["speedup"] = Round3(r.speedup);
    j["before"] = {{"median_ms", Round3(r.before_median_ms)}, {"p95_ms", Round3(r.before_p95_ms)}};
    j["after"] = {{"median_ms", Round3(r.after_median_ms)}, {"p95_ms", Round3(r.after_p95_ms)}};
    j["equivalent"] = EquivalentJson(r.equivalent);
    j["plan_diff"] = !r.queries.empty() && r.queries[0].measured() ? DiffJson(r.queries[0].diff) : Json(nullptr);
    j["reason"] = r.reason;
    j["recommendation"] = r.recommendation_id.empty() ? Json(nullptr) : Json(r.recommendation_id);
    j["ddl"] = r.ddl.empty() ? Json(nullptr) : Json(r.ddl);
    j["rewrite"] = r.rewrite.empty() ? Json(nullptr) : Json(r.rewrite);
    j["index_build_ms"] = OptionalNumber(r.index_build_ms);
    j["runs"] = r.runs;
    Json tables = Json::array();
    for (const auto& t : r.copied) {
        tables.push_back({{"table", t.schema + "." + t.name},
                          {"target_rows", t.target_rows},
                          {"copied_rows", t.copied_rows},
                          {"sample_percent", Round3(t.sample_percent)}});
    }
    j["sandbox"] = {{"kind", sandbox::SandboxKindName(r.sandbox_kind)},
                    {"description", r.sandbox_description},
                    {"tables", std::move(tables)},
                    {"notes", r.notes}};
    Json queries = Json::array();
    for (const auto& q : r.queries) {
        Json item{{"query", q.query},
                  {"sql_before", q.sql_before},
                  {"sql_after", q.sql_after},
                  {"verdict", sandbox::VerdictName(q.verdict)},
                  {"reason", q.reason},
                  {"speedup", q.measured() ? Json(Round3(q.comparison.speedup)) : Json(nullptr)},
                  {"before", TimingJson(q.before)},
                  {"after", q.measured() ? TimingJson(q.after) : Json(nullptr)},
                  {"equivalent", q.equivalence ? EquivalentJson(q.equivalence->equal) : Json(nullptr)},
                  {"plan_diff", q.measured() ? DiffJson(q.diff) : Json(nullptr)},
                  {"plan_before", q.plan_before.root.node_type.empty() ? Json(nullptr) : PlanTreeJson(q.plan_before)},
                  {"plan_after", q.measured() ? PlanTreeJson(q.plan_after) : Json(nullptr)}};
        queries.push_back(std::move(item));
    }
    j["queries"] = std::move(queries);
    j["audit_id"] = r.audit_id;
    return j.dump(2) + "\n";
}

}  // namespace optischema::service
