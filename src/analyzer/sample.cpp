#include "analyzer/sample.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "common/quote.hpp"

namespace optischema::analyzer {
namespace {

bool IsIntegerType(std::string_view t) { return t == "integer" || t == "bigint" || t == "smallint"; }
bool IsNumericType(std::string_view t) {
    return IsIntegerType(t) || t.starts_with("numeric") || t == "real" || t == "double precision";
}

// A value that is valid for the type when no statistics say better.
std::string DefaultValue(std::string_view type) {
    if (IsNumericType(type)) return "1";
    if (type == "boolean") return "true";
    if (type == "date") return "2024-01-01";
    if (type.starts_with("timestamp")) return "2024-01-01 00:00:00";
    if (type == "uuid") return "00000000-0000-0000-0000-000000000000";
    if (type == "jsonb" || type == "json") return "{}";
    if (type.ends_with("[]")) return "{}";
    if (type == "interval") return "1 day";
    return "a";
}

struct Choice {
    std::string value;
    std::string source;
};

// The histogram bound at `fraction` of the way through: a value with about that share of the
// non-common rows below it.
std::optional<Choice> HistogramAt(const model::ColumnStats& s, double fraction, std::string_view why) {
    if (s.histogram_bounds.empty()) return std::nullopt;
    const auto index =
        static_cast<std::size_t>(std::lround(fraction * static_cast<double>(s.histogram_bounds.size() - 1)));
    return Choice{s.histogram_bounds[index], std::string(why)};
}

Choice Choose(const ParamContext& p) {
    const std::string& op = p.use.op;
    if (op == "LIMIT") return {"20", "a typical page size for LIMIT"};
    if (op == "OFFSET") return {"0", "the first page for OFFSET"};
    if (!p.stats || !p.stats->analyzed) {
        return {DefaultValue(p.type), p.stats ? "a default: the table has no statistics (run ANALYZE)"
                                              : "a default for the type: not compared with a column"};
    }
    const model::ColumnStats& s = *p.stats;
    if (op == "<" || op == "<=") {
        if (auto c = HistogramAt(s, 0.1, "histogram bound selecting ~10% of rows")) return *c;
    } else if (op == ">" || op == ">=") {
        if (auto c = HistogramAt(s, 0.9, "histogram bound selecting ~10% of rows")) return *c;
    } else if (op == "BETWEEN") {
        const double at = p.use.list_position == 0 ? 0.45 : 0.55;
        if (auto c = HistogramAt(s, at, "histogram bounds selecting ~10% of rows")) return *c;
    } else if (op == "~~" || op == "~~*") {
        const std::string& base = !s.most_common_vals.empty()   ? s.most_common_vals.front()
                                  : !s.histogram_bounds.empty() ? s.histogram_bounds[s.histogram_bounds.size() / 2]
                                                                : std::string("a");
        return {base.substr(0, std::min<std::size_t>(3, base.size())) + "%", "prefix of a common value"};
    }
    // Equality, IN and anything else: a value as the data has it. The most common value is what a
    // random call most likely asks for; IN lists take consecutive common values.
    const std::size_t k = static_cast<std::size_t>(std::max(0, p.use.list_position));
    if (k < s.most_common_vals.size()) {
        const double freq = k < s.most_common_freqs.size() ? s.most_common_freqs[k] : 0;
        return {s.most_common_vals[k], fmt::format("most common value #{} ({:.1f}% of rows)", k + 1, 100 * freq)};
    }
    if (!s.histogram_bounds.empty()) {
        const std::size_t n = s.histogram_bounds.size();
        const std::size_t at = std::min(n - 1, n / 2 + k);
        return {s.histogram_bounds[at], "a histogram value (typical of the column's distinct values)"};
    }
    return {DefaultValue(p.type), "a default: the column has no common values or histogram"};
}

}  // namespace

std::vector<ParamUse> ParamUses(const model::ParsedQuery& query) {
    std::vector<ParamUse> uses(static_cast<std::size_t>(std::max(0, query.param_count)));
    for (std::size_t i = 0; i < uses.size(); ++i) uses[i].number = static_cast<int>(i + 1);
    auto record = [&](int number, ParamUse use) {
        if (number < 1 || static_cast<std::size_t>(number) > uses.size()) return;
        ParamUse& slot = uses[static_cast<std::size_t>(number - 1)];
        if (!slot.op.empty()) return;  // the first use wins
        use.number = number;
        slot = std::move(use);
    };
    for (const auto& c : query.columns) {
        const model::Operand& o = c.operand;
        if (o.kind == model::Operand::Kind::kParam) {
            record(o.param_number, {0, c.relation, c.column, c.op, 0, 1});
        } else if (o.kind == model::Operand::Kind::kList) {
            for (std::size_t i = 0; i < o.list.size(); ++i) {
                const std::string& item = o.list[i];
                if (item.size() < 2 || item[0] != '$') continue;
                record(std::atoi(item.c_str() + 1),
                       {0, c.relation, c.column, c.op, static_cast<int>(i), static_cast<int>(o.list.size())});
            }
        }
    }
    if (query.limit && query.limit->kind == model::Operand::Kind::kParam) {
        record(query.limit->param_number, {0, "", "", "LIMIT", 0, 1});
    }
    if (query.offset && query.offset->kind == model::Operand::Kind::kParam) {
        record(query.offset->param_number, {0, "", "", "OFFSET", 0, 1});
    }
    return uses;
}

Result<RunnableSample> BuildSample(std::string_view normalized_sql,
                                   const model::ParsedQuery& query,
                                   const std::vector<ParamContext>& params) {
    RunnableSample sample;
    for (std::size_t i = 0; i < params.size(); ++i) {
        const Choice c = Choose(params[i]);
        const std::string& type = params[i].type.empty() ? std::string("text") : params[i].type;
        sample.params.push_back({static_cast<int>(i + 1), type, QuoteLiteral(c.value) + "::" + type, c.source});
    }
    // Substitute from the end so earlier locations stay valid.
    std::string sql(normalized_sql);
    for (auto it = query.param_refs.rbegin(); it != query.param_refs.rend(); ++it) {
        const std::string token = "$" + std::to_string(it->number);
        const auto at = static_cast<std::size_t>(it->location);
        if (at + token.size() > sql.size() || sql.compare(at, token.size(), token) != 0) {
            return MakeError(ErrorCode::kInternal, fmt::format("parameter {} is not at offset {}", token, at));
        }
        if (it->number < 1 || static_cast<std::size_t>(it->number) > sample.params.size()) {
            return MakeError(
                ErrorCode::kInvalidArgument,
                fmt::format("no type known for {}: the statement has more parameters than described", token));
        }
        sql.replace(at, token.size(), sample.params[static_cast<std::size_t>(it->number - 1)].value);
    }
    sample.sql = std::move(sql);
    return sample;
}

}  // namespace optischema::analyzer
