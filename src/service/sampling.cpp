#include "service/sampling.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "pg/catalog.hpp"

namespace optischema::service {

Result<std::optional<model::ColumnStats>> ColumnStatsCache::Get(const std::string& schema,
                                                                const std::string& table,
                                                                const std::string& column) {
    const std::string key = schema + "." + table + "." + column;
    if (auto it = cache_.find(key); it != cache_.end()) return it->second;
    auto stats = pg::ReadColumnStats(conn_, schema, table, column);
    if (stats) cache_.emplace(key, *stats);
    return stats;
}

Result<analyzer::RunnableSample> MakeSample(pg::Connection& conn,
                                            ColumnStatsCache& stats_cache,
                                            const std::string& sql,
                                            const model::ParsedQuery& q) {
    const auto uses = analyzer::ParamUses(q);
    // PREPARE only parses the statement (none of its code runs), under the target's search_path.
    auto types = pg::InferParameterTypes(conn, sql);
    // `$1 + $2` (a constant pg_stat_statements replaced in an expression) has no inferable type:
    // declare the compared column's type where there is one, numeric (then text) elsewhere.
    const std::string& state = types ? std::string() : types.error().sqlstate;
    if (!types && (state == "42725" || state == "42P18" || state == "42883")) {
        for (const char* fallback : {"numeric", "text"}) {
            std::vector<std::string> declared;
            for (const auto& use : uses) {
                std::string type = fallback;
                if (!use.relation.empty() && !use.column.empty()) {
                    auto stats = stats_cache.Get(q.SchemaOf(use.relation), use.relation, use.column);
                    if (stats && *stats) type = (*stats)->data_type;
                }
                declared.push_back(type);
            }
            types = pg::InferParameterTypes(conn, sql, declared);
            if (types) break;
        }
    }
    if (!types) return tl::unexpected(types.error());
    std::vector<analyzer::ParamContext> contexts;
    for (std::size_t i = 0; i < types->size(); ++i) {
        analyzer::ParamContext ctx;
        if (i < uses.size()) ctx.use = uses[i];
        ctx.type = (*types)[i];
        if (!ctx.use.relation.empty() && !ctx.use.column.empty()) {
            auto stats = stats_cache.Get(q.SchemaOf(ctx.use.relation), ctx.use.relation, ctx.use.column);
            if (!stats) return tl::unexpected(stats.error());
            ctx.stats = std::move(*stats);
        }
        contexts.push_back(std::move(ctx));
    }
    return analyzer::BuildSample(sql, q, contexts);
}

Result<std::string> WithSampleValues(const std::string& sql,
                                     const model::ParsedQuery& parsed,
                                     const analyzer::RunnableSample& sample) {
    std::string out = sql;
    // From the last parameter back, so earlier locations stay valid.
    for (auto it = parsed.param_refs.rbegin(); it != parsed.param_refs.rend(); ++it) {
        const auto value = std::find_if(sample.params.begin(), sample.params.end(),
                                        [&](const analyzer::SampleParam& p) { return p.number == it->number; });
        if (value == sample.params.end()) {
            return MakeError(
                ErrorCode::kInvalidArgument,
                fmt::format("the rewrite uses ${}, which the original statement does not have", it->number));
        }
        std::size_t end = static_cast<std::size_t>(it->location) + 1;
        while (end < out.size() && std::isdigit(static_cast<unsigned char>(out[end]))) ++end;
        out.replace(static_cast<std::size_t>(it->location), end - static_cast<std::size_t>(it->location), value->value);
    }
    return out;
}

}  // namespace optischema::service
