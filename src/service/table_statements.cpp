#include "service/table_statements.hpp"

#include <fmt/format.h>

#include "collector/collector.hpp"
#include "collector/pg_stats_source.hpp"
#include "collector/ranking.hpp"
#include "common/quote.hpp"
#include "pg/capabilities.hpp"
#include "sqlparse/sqlparse.hpp"

namespace optischema::service {

Result<std::map<std::string, std::string>> StatementsOnTable(pg::Connection& conn,
                                                             const std::string& table,
                                                             std::size_t limit) {
    auto caps = pg::DetectCapabilities(conn);
    if (!caps) return tl::unexpected(caps.error());
    if (auto ok = caps->RequireStatStatements(); !ok) return tl::unexpected(ok.error());
    // The text filter only narrows what is parsed; the parse tree decides.
    auto rows = conn.Query(
        fmt::format("SELECT query FROM {}.pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = "
                    "current_database()){} AND strpos(lower(query), lower($1)) > 0 "
                    "AND query NOT LIKE '/* optischema */%' AND query !~ '^[[:space:]]*[[:alpha:]]+ /\\* optischema \\*/' "
                    "ORDER BY {} DESC LIMIT 500",
                    QuoteIdent(caps->pg_stat_statements_schema), caps->HasColumn("toplevel") ? " AND toplevel" : "",
                    caps->HasColumn("total_exec_time") ? "total_exec_time" : "total_time"),
        std::vector<std::optional<std::string>>{table});
    if (!rows) return tl::unexpected(rows.error());
    auto queries = rows->As<std::optional<std::string>>();
    if (!queries) return MakeError(ErrorCode::kInternal, "cannot read pg_stat_statements: " + queries.error().message);
    std::map<std::string, std::string> out;
    for (const auto& query : *queries) {
        if (out.size() >= limit) break;
        if (!query) continue;
        auto parsed = sqlparse::Parse(*query);
        auto fp = sqlparse::Fingerprint(*query);
        if (!parsed || !fp || parsed->statement_type == "OTHER") continue;
        for (const auto& rel : parsed->relations) {
            if (rel.name == table) out.emplace(*fp, *query);
        }
    }
    return out;
}

Result<WorkloadTotals> ReadWorkload(pg::Connection& conn, std::size_t max_groups) {
    auto caps = pg::DetectCapabilities(conn);
    if (!caps) return tl::unexpected(caps.error());
    if (auto ok = caps->RequireStatStatements(); !ok) return tl::unexpected(ok.error());
    collector::PgStatsSource source(conn, *caps, collector::DatabaseScope::kCurrentDatabase);
    collector::QueryCatalog catalog;
    collector::Collector collector(source, catalog);
    auto collection = collector.Collect();
    if (!collection) return tl::unexpected(collection.error());
    return WorkloadTotals{
        collection->info,
        collector::Rank(collection->cumulative, catalog, {.coverage = 1.0, .max_groups = max_groups, .min_groups = 0})};
}

}  // namespace optischema::service
