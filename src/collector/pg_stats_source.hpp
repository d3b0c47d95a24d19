#pragma once

#include <string>

#include "collector/stats_source.hpp"
#include "pg/capabilities.hpp"
#include "pg/connection.hpp"
#include "pg/rows.hpp"

namespace optischema::collector {

/// Which entries to read.
enum class DatabaseScope { kCurrentDatabase, kAllDatabases };

/// The statement that reads every entry's counters (and texts when asked) with the column names of
/// the server's pg_stat_statements version: total_time before 1.8, blk_read_time before 1.11, no
/// toplevel before 1.9.
[[nodiscard]] std::string StatementsSql(const pg::Capabilities& caps, DatabaseScope scope, bool with_texts);

/// One row of StatementsSql: userid, dbid, queryid, toplevel, the counters in model::kCounterFields order,
/// then the text when `with_texts`. A NULL leaves the field at its default (a counter at 0, toplevel
/// true); a cell that does not read is an error naming its column. Pure.
[[nodiscard]] Result<StatementRow> ReadStatementRow(const pg::Row& row, bool with_texts);

/// Reads pg_stat_statements over a live connection, adapting to the columns of PostgreSQL 13–17.
/// Borrows the connection; one thread at a time.
class PgStatsSource final : public StatsSource {
public:
    PgStatsSource(pg::Connection& conn, const pg::Capabilities& caps, DatabaseScope scope);

    [[nodiscard]] Result<model::SnapshotInfo> ReadInfo() override;
    [[nodiscard]] Result<std::vector<StatementRow>> ReadStatements(bool with_texts) override;
    [[nodiscard]] Result<std::vector<EntryText>> ReadTexts(std::span<const std::int64_t> queryids) override;

private:
    pg::Connection& conn_;
    std::string server_version_;
    std::string info_sql_;  // empty before PostgreSQL 14
    std::string statements_sql_;
    std::string statements_with_texts_sql_;
    std::string texts_sql_;
};

}  // namespace optischema::collector
