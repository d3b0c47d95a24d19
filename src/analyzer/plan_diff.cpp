#include "analyzer/plan_diff.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "analyzer/plan.hpp"
#include "common/strings.hpp"

namespace optischema::analyzer {
namespace {

using model::PlanNode;

// What a scan reads, as the key that identifies it across plans: relation and alias (a self-join
// reads one table twice), or a CTE or function name. Empty for nodes that read nothing themselves.
std::string ScanKey(const PlanNode& n) {
    if (!n.relation.empty()) return QualifiedRelation(n) + " " + n.alias;
    if (!n.cte_name.empty()) return "cte " + n.cte_name + " " + n.alias;
    if (!n.function_name.empty()) return "function " + n.function_name + " " + n.alias;
    return "";
}

struct Info {
    const PlanNode* node = nullptr;
    std::string scan_key;
    std::set<std::string> below;  // scan keys in the subtree
};

void Collect(const PlanNode& n, std::vector<Info>& out, std::set<std::string>* parent_below) {
    const std::size_t self = out.size();
    out.push_back({&n, ScanKey(n), {}});
    std::set<std::string> below;
    if (!out[self].scan_key.empty()) below.insert(out[self].scan_key);
    for (const auto& c : n.children) Collect(c, out, &below);
    out[self].below = below;
    if (parent_below != nullptr) parent_below->insert(below.begin(), below.end());
}

double Rows(const PlanNode& n) {
    if (n.actual_rows && n.actual_loops) return *n.actual_rows * *n.actual_loops;
    return n.plan_rows;
}

std::int64_t Blocks(const PlanNode& n) { return n.buffers.shared_hit + n.buffers.shared_read; }

// Bitmap Index Scans read an index, not the relation: their key is the index name.
std::string MatchKey(const Info& i) {
    if (!i.scan_key.empty()) return "scan " + i.scan_key;
    if (!i.node->index_name.empty()) return "index " + i.node->index_name;
    std::string key = "over";
    for (const auto& k : i.below) key += " | " + k;
    return key;
}

// Nodes that do the same job in different ways: a changed join method or access path is the same
// node changed, not one removed and another added.
std::string Category(const std::string& node_type) {
    if (node_type == "Nested Loop" || node_type == "Hash Join" || node_type == "Merge Join") return "join";
    if (node_type.find("Scan") != std::string::npos) return "scan";
    if (node_type == "Aggregate" || node_type == "Group") return "aggregate";
    if (node_type == "Sort" || node_type == "Incremental Sort") return "sort";
    if (node_type == "Gather" || node_type == "Gather Merge") return "gather";
    return node_type;
}

// The relations (with aliases) in the order the plan reads them: a join order.
std::vector<std::string> ScanOrder(const std::vector<Info>& infos) {
    std::vector<std::string> order;
    for (const auto& i : infos) {
        if (!i.scan_key.empty()) order.emplace_back(Trim(i.scan_key));
    }
    return order;
}

}  // namespace

const char* NodeChangeName(NodeChange::Kind kind) {
    switch (kind) {
        case NodeChange::Kind::kSame:
            return "same";
        case NodeChange::Kind::kChanged:
            return "changed";
        case NodeChange::Kind::kAdded:
            return "added";
        case NodeChange::Kind::kRemoved:
            return "removed";
    }
    return "same";
}

PlanDiff DiffPlans(const model::Plan& before, const model::Plan& after) {
    std::vector<Info> old_nodes, new_nodes;
    Collect(before.root, old_nodes, nullptr);
    Collect(after.root, new_nodes, nullptr);

    // Candidates by match key, in pre-order; the same type is preferred, then the first.
    std::multimap<std::string, std::size_t> old_by_key;
    for (std::size_t i = 0; i < old_nodes.size(); ++i) old_by_key.emplace(MatchKey(old_nodes[i]), i);
    std::vector<bool> old_used(old_nodes.size(), false);
    std::vector<std::optional<std::size_t>> match(new_nodes.size());
    for (int pass = 0; pass < 2; ++pass) {
        for (std::size_t n = 0; n < new_nodes.size(); ++n) {
            if (match[n]) continue;
            auto [lo, hi] = old_by_key.equal_range(MatchKey(new_nodes[n]));
            for (auto it = lo; it != hi; ++it) {
                if (old_used[it->second]) continue;
                // First pass: the same node type; second: the same kind of node over the same relations.
                const std::string& old_type = old_nodes[it->second].node->node_type;
                const std::string& new_type = new_nodes[n].node->node_type;
                if (pass == 0 ? old_type != new_type : Category(old_type) != Category(new_type)) continue;
                match[n] = it->second;
                old_used[it->second] = true;
                break;
            }
        }
    }

    PlanDiff diff;
    auto fill_old = [](NodeChange& c, const PlanNode& o) {
        c.before_id = o.id;
        c.before_label = NodeLabel(o);
        c.before_cost = o.total_cost;
        c.before_ms = o.inclusive_ms;
        c.before_rows = Rows(o);
        c.before_blocks = Blocks(o);
    };
    for (std::size_t n = 0; n < new_nodes.size(); ++n) {
        const PlanNode& a = *new_nodes[n].node;
        NodeChange c;
        c.after_id = a.id;
        c.after_label = NodeLabel(a);
        c.after_cost = a.total_cost;
        c.after_ms = a.inclusive_ms;
        c.after_rows = Rows(a);
        c.after_blocks = Blocks(a);
        if (match[n]) {
            const PlanNode& o = *old_nodes[*match[n]].node;
            fill_old(c, o);
            c.kind = o.node_type == a.node_type && o.index_name == a.index_name ? NodeChange::Kind::kSame
                                                                                : NodeChange::Kind::kChanged;
        } else {
            c.kind = NodeChange::Kind::kAdded;
        }
        diff.nodes.push_back(std::move(c));
    }
    for (std::size_t o = 0; o < old_nodes.size(); ++o) {
        if (old_used[o]) continue;
        NodeChange c;
        c.kind = NodeChange::Kind::kRemoved;
        fill_old(c, *old_nodes[o].node);
        diff.nodes.push_back(std::move(c));
    }

    diff.before_scan_order = ScanOrder(old_nodes);
    diff.after_scan_order = ScanOrder(new_nodes);
    diff.join_order_changed = diff.before_scan_order != diff.after_scan_order;
    diff.before_cost = before.root.total_cost;
    diff.after_cost = after.root.total_cost;
    if (before.execution_ms && after.execution_ms) {
        diff.before_ms = before.execution_ms;
        diff.after_ms = after.execution_ms;
    }
    diff.before_blocks = Blocks(before.root);
    diff.after_blocks = Blocks(after.root);
    return diff;
}

}  // namespace optischema::analyzer
