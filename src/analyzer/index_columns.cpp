#include "analyzer/internal/index_columns.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "analyzer/internal/condition.hpp"
#include "analyzer/internal/rule_context.hpp"
#include "common/quote.hpp"

namespace optischema::analyzer::internal {
namespace {

bool IsEqualityOp(std::string_view op) { return op == "=" || op == "IN" || op == "IS NULL" || op == "IS"; }

bool IsIndexableOp(std::string_view op) {
    return op == "=" || op == "<" || op == "<=" || op == ">" || op == ">=" || op == "IN" || op == "BETWEEN" ||
           op == "IS NULL" || op == "IS" || op == "~~";
}

}  // namespace

void IndexColumns::Add(const std::string& column, bool equality) {
    if (std::find(equality_.begin(), equality_.end(), column) != equality_.end()) return;
    if (equality) {
        std::erase(range_, column);
        equality_.push_back(column);
    } else if (std::find(range_.begin(), range_.end(), column) == range_.end()) {
        range_.push_back(column);
    }
}

std::vector<std::string> IndexColumns::Columns() const {
    std::vector<std::string> out = equality_;
    if (!range_.empty()) out.push_back(range_.front());
    return out;
}

std::vector<std::string> FilterColumns(const model::PlanNode& scan,
                                       std::string_view condition,
                                       const model::ParsedQuery* query) {
    IndexColumns cols;
    if (query != nullptr) {
        for (const model::ColumnUse& use : query->columns) {
            if (use.relation != scan.relation || !use.expression.empty() || use.negated) continue;
            if (use.clause != model::ClauseKind::kWhere && use.clause != model::ClauseKind::kJoin) continue;
            if (!IsIndexableOp(use.op) || !ContainsWord(condition, use.column)) continue;
            cols.Add(use.column, IsEqualityOp(use.op));
        }
    }
    if (cols.Empty()) {
        for (const CondRef& ref : ConditionRefs(condition)) {
            if (ref.before != '(' || ref.op_after.empty() || !QualifierMatches(ref, scan)) continue;
            if (ref.op_after == "<>" || ref.op_after == "!=") continue;
            cols.Add(ref.column, ref.op_after == "=" || ref.op_after == "IS");
        }
    }
    return cols.Columns();
}

std::string JoinQuoted(const std::vector<std::string>& columns) {
    std::string out;
    for (const auto& c : columns) {
        if (!out.empty()) out += ", ";
        out += QuoteIdent(c);
    }
    return out;
}

std::string CreateIndexSql(const model::PlanNode& scan, const std::vector<std::string>& columns) {
    return fmt::format("CREATE INDEX CONCURRENTLY ON {} ({});", QuotedRelation(scan), JoinQuoted(columns));
}

}  // namespace optischema::analyzer::internal
