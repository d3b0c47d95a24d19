#include "collector/pg_stats_source.hpp"

#include <cmath>
#include <cstdint>
#include <optional>
#include <type_traits>

#include <fmt/format.h>

#include "common/quote.hpp"

namespace optischema::collector {
namespace {

// A column read from pg_stat_statements: the names PostgreSQL versions gave it, newest first (the
// first that exists is read), and the SQL used when none exists.
struct CounterColumn {
    std::vector<std::string_view> names;
    std::string_view fallback;
};

// The columns after userid, dbid, queryid: toplevel, then one per field of model::kCounterFields,
// in that order.
const std::vector<CounterColumn>& CounterColumns() {
    static const std::vector<CounterColumn> columns = {
        {{"toplevel"}, "true"},
        {{"calls"}, "0"},
        {{"total_exec_time", "total_time"}, "0"},
        {{"total_plan_time"}, "0"},
        {{"rows"}, "0"},
        {{"shared_blks_hit"}, "0"},
        {{"shared_blks_read"}, "0"},
        {{"shared_blks_dirtied"}, "0"},
        {{"shared_blks_written"}, "0"},
        {{"temp_blks_read"}, "0"},
        {{"temp_blks_written"}, "0"},
        {{"shared_blk_read_time", "blk_read_time"}, "0"},
        {{"shared_blk_write_time", "blk_write_time"}, "0"},
    };
    return columns;
}

Error Unreadable(const Error& e) { return Error{e.code, "cannot read pg_stat_statements: " + e.message, e.sqlstate}; }

}  // namespace

Result<StatementRow> ReadStatementRow(const pg::Row& r, bool with_texts) {
    StatementRow row;
    std::optional<Error> failed;
    std::size_t i = 0;
    const auto read = [&](auto& field) {
        using T = std::remove_reference_t<decltype(field)>;
        auto value = r.GetOr<T>(i++, field);
        if (value) {
            field = *value;
        } else if (!failed) {
            failed = value.error();
        }
    };
    auto& key = row.stats.key;
    read(key.userid);
    read(key.dbid);
    read(key.queryid);
    read(key.toplevel);
    model::ForEachCounterField([&](auto field) { read(row.stats.counters.*field); });
    if (failed) return tl::unexpected(*failed);
    if (with_texts) {
        auto query = r.Get<std::optional<std::string>>(i);
        if (!query) return tl::unexpected(query.error());
        row.query = std::move(*query);
    }
    return row;
}

std::string StatementsSql(const pg::Capabilities& caps, DatabaseScope scope, bool with_texts) {
    std::string select = "userid, dbid, queryid";
    for (const auto& column : CounterColumns()) {
        std::string expr(column.fallback);
        for (auto name : column.names) {
            if (caps.HasColumn(name)) {
                expr = std::string(name);
                break;
            }
        }
        select += ", " + expr;
    }
    if (with_texts) select += ", query";
    // Rows whose queryid is NULL are other users' entries hidden by missing privileges.
    std::string where = "queryid IS NOT NULL";
    if (scope == DatabaseScope::kCurrentDatabase) {
        where += " AND dbid = (SELECT oid FROM pg_database WHERE datname = current_database())";
    }
    return fmt::format("SELECT {} FROM {}.pg_stat_statements({}) WHERE {}", select,
                       QuoteIdent(caps.pg_stat_statements_schema), with_texts ? "true" : "false", where);
}

PgStatsSource::PgStatsSource(pg::Connection& conn, const pg::Capabilities& caps, DatabaseScope scope)
    : conn_(conn),
      server_version_(caps.server_version),
      statements_sql_(StatementsSql(caps, scope, false)),
      statements_with_texts_sql_(StatementsSql(caps, scope, true)) {
    const std::string schema = QuoteIdent(caps.pg_stat_statements_schema);
    texts_sql_ = fmt::format(
        "SELECT DISTINCT ON (queryid, toplevel) queryid, toplevel, query FROM {}.pg_stat_statements(true) "
        "WHERE queryid = ANY($1::bigint[]) AND query IS NOT NULL",
        schema);
    if (!caps.HasColumn("toplevel")) {
        texts_sql_ = fmt::format(
            "SELECT DISTINCT ON (queryid) queryid, true, query FROM {}.pg_stat_statements(true) "
            "WHERE queryid = ANY($1::bigint[]) AND query IS NOT NULL",
            schema);
    }
    if (caps.pg_stat_statements_info) {
        info_sql_ = fmt::format(
            "SELECT extract(epoch FROM stats_reset)::float8 * 1000, dealloc FROM {}.pg_stat_statements_info", schema);
    }
}

Result<model::SnapshotInfo> PgStatsSource::ReadInfo() {
    model::SnapshotInfo info;
    info.taken_at = std::chrono::system_clock::now();
    info.server_version = server_version_;
    if (info_sql_.empty()) return info;
    auto rows = conn_.Query(info_sql_);
    if (!rows) return tl::unexpected(rows.error());
    if (rows->empty()) return info;
    auto row = (*rows)[0].As<std::optional<double>, std::optional<std::int64_t>>();
    if (!row) return tl::unexpected(Unreadable(row.error()));
    const auto& [reset_ms, dealloc] = *row;
    if (reset_ms) info.stats_reset = FromUnixMs(std::llround(*reset_ms));
    info.dealloc = dealloc.value_or(0);
    return info;
}

Result<std::vector<StatementRow>> PgStatsSource::ReadStatements(bool with_texts) {
    auto rows = conn_.Query(with_texts ? statements_with_texts_sql_ : statements_sql_);
    if (!rows) return tl::unexpected(rows.error());
    std::vector<StatementRow> out;
    out.reserve(rows->size());
    for (const auto& r : *rows) {
        auto row = ReadStatementRow(r, with_texts);
        if (!row) return tl::unexpected(Unreadable(row.error()));
        out.push_back(std::move(*row));
    }
    return out;
}

Result<std::vector<EntryText>> PgStatsSource::ReadTexts(std::span<const std::int64_t> queryids) {
    std::string array = "{";
    for (std::size_t i = 0; i < queryids.size(); ++i) {
        if (i > 0) array += ',';
        array += std::to_string(queryids[i]);
    }
    array += '}';
    const std::optional<std::string> params[] = {array};
    auto rows = conn_.Query(texts_sql_, params);
    if (!rows) return tl::unexpected(rows.error());
    auto texts = rows->As<std::int64_t, bool, std::string>();
    if (!texts) return tl::unexpected(Unreadable(texts.error()));
    std::vector<EntryText> out;
    out.reserve(texts->size());
    for (auto& [queryid, toplevel, text] : *texts) out.push_back({queryid, toplevel, std::move(text)});
    return out;
}

}  // namespace optischema::collector
