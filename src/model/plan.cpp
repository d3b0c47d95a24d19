#include "model/plan.hpp"

namespace optischema::model {

std::string QualifiedRelation(const model::PlanNode& node) {
    if (node.relation.empty()) return "";
    return node.schema.empty() ? node.relation : node.schema + "." + node.relation;
}

std::string NodeLabel(const model::PlanNode& node) {
    // Named as EXPLAIN's text format names them: "HashAggregate", "Hash Left Join", "Nested Loop Anti Join".
    std::string label = node.node_type;
    if (node.node_type == "Aggregate") {
        if (node.strategy == "Hashed") label = "HashAggregate";
        if (node.strategy == "Sorted") label = "GroupAggregate";
        if (node.strategy == "Mixed") label = "MixedAggregate";
    }
    if (!node.join_type.empty() && node.join_type != "Inner") {
        if (label.ends_with(" Join")) {
            label.insert(label.size() - 4, node.join_type + " ");
        } else {
            label += " " + node.join_type + " Join";
        }
    }
    if (!node.index_name.empty()) label += " using " + node.index_name;
    if (const std::string rel = QualifiedRelation(node); !rel.empty()) {
        label += " on " + rel;
        if (!node.alias.empty() && node.alias != node.relation) label += " " + node.alias;
    } else if (!node.cte_name.empty()) {
        label += " on " + node.cte_name;
    } else if (!node.function_name.empty()) {
        label += " on " + node.function_name;
    }
    if (!node.subplan_name.empty()) label = node.subplan_name + ": " + label;
    return label;
}

}  // namespace optischema::model
