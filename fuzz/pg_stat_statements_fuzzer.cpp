// pg_stat_statements rows -> statements, deltas, groups, the workload ranking and the overview's
// checks: what the collector makes of the rows a target returns. The input is CSV as psql's
// `\copy (...) TO STDOUT WITH (FORMAT csv, HEADER)` writes it (testdata/pg_stat_statements/): a header
// naming the view's columns, then rows; an unquoted empty field is NULL. Each header line starts one
// more reading, so two recordings one after the other are two collection cycles.

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/overview_checks.hpp"
#include "collector/collector.hpp"
#include "collector/pg_stats_source.hpp"
#include "collector/query_catalog.hpp"
#include "collector/ranking.hpp"
#include "pg/rows.hpp"

namespace collector = optischema::collector;
namespace model = optischema::model;
namespace pg = optischema::pg;
using optischema::Result;

namespace {

using Record = std::vector<std::optional<std::string>>;

// RFC 4180 as psql writes it, keeping NULL (an unquoted empty field) apart from '' (a quoted one).
std::vector<Record> ParseCsv(std::string_view text) {
    std::vector<Record> records;
    Record record;
    std::string field;
    bool quoted = false, was_quoted = false;
    const auto end_field = [&] {
        record.push_back(field.empty() && !was_quoted ? std::nullopt : std::optional<std::string>(field));
        field.clear();
        was_quoted = false;
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                field += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == '"') {
            quoted = was_quoted = true;
        } else if (c == ',') {
            end_field();
        } else if (c == '\n') {
            end_field();
            records.push_back(std::move(record));
            record.clear();
        } else if (c != '\r') {
            field += c;
        }
    }
    if (!field.empty() || !record.empty() || was_quoted) {
        end_field();
        records.push_back(std::move(record));
    }
    return records;
}

// The columns of StatementsSql, in its order; each the names versions gave it.
const std::vector<std::vector<std::string_view>> kColumns = {{"userid"},
                                                             {"dbid"},
                                                             {"queryid"},
                                                             {"toplevel"},
                                                             {"calls"},
                                                             {"total_exec_time", "total_time"},
                                                             {"total_plan_time"},
                                                             {"rows"},
                                                             {"shared_blks_hit"},
                                                             {"shared_blks_read"},
                                                             {"shared_blks_dirtied"},
                                                             {"shared_blks_written"},
                                                             {"temp_blks_read"},
                                                             {"temp_blks_written"},
                                                             {"shared_blk_read_time", "blk_read_time"},
                                                             {"shared_blk_write_time", "blk_write_time"},
                                                             {"query"}};

struct Reading {
    std::vector<pg::Row> rows;  // as the server returns StatementsSql with texts
};

// Rows of each reading in StatementsSql's column order; a column the header lacks is NULL.
std::vector<Reading> Readings(const std::vector<Record>& records) {
    std::vector<Reading> readings;
    std::vector<std::optional<std::size_t>> source;  // input field of each column
    auto names = std::make_shared<const std::vector<std::string>>();
    for (const auto& record : records) {
        if (!record.empty() && record[0] == std::optional<std::string>("userid")) {
            source.assign(kColumns.size(), std::nullopt);
            for (std::size_t c = 0; c < kColumns.size(); ++c) {
                for (std::size_t f = 0; f < record.size() && !source[c]; ++f) {
                    for (auto name : kColumns[c]) {
                        if (record[f] == std::optional<std::string>(name)) source[c] = f;
                    }
                }
            }
            readings.emplace_back();
            continue;
        }
        if (readings.empty()) continue;
        pg::Row::Cells cells;
        for (const auto& from : source) {
            cells.push_back(from && *from < record.size() ? record[*from] : std::nullopt);
        }
        readings.back().rows.emplace_back(std::move(cells), names);
    }
    return readings;
}

// Serves the readings one per cycle, as PgStatsSource serves a server's.
class CsvStatsSource final : public collector::StatsSource {
public:
    explicit CsvStatsSource(std::vector<Reading> readings) : readings_(std::move(readings)) {}

    Result<model::SnapshotInfo> ReadInfo() override {
        ++current_;
        model::SnapshotInfo info;
        info.taken_at = optischema::TimePoint(std::chrono::seconds(1'700'000'000 + 60 * current_));
        info.server_version = "15.18";
        return info;
    }

    Result<std::vector<collector::StatementRow>> ReadStatements(bool with_texts) override {
        std::vector<collector::StatementRow> out;
        for (const auto& row : readings_.at(current_).rows) {
            auto read = collector::ReadStatementRow(row, with_texts);
            if (!read) return optischema::MakeError(read.error().code, read.error().message);
            out.push_back(std::move(*read));
        }
        return out;
    }

    Result<std::vector<collector::EntryText>> ReadTexts(std::span<const std::int64_t> queryids) override {
        const std::set<std::int64_t> wanted(queryids.begin(), queryids.end());
        std::vector<collector::EntryText> texts;
        std::set<std::pair<std::int64_t, bool>> seen;
        for (const auto& row : readings_.at(current_).rows) {
            auto read = collector::ReadStatementRow(row, true);
            if (!read || !read->query) continue;
            const auto& key = read->stats.key;
            if (wanted.contains(key.queryid) && seen.insert({key.queryid, key.toplevel}).second) {
                texts.push_back({key.queryid, key.toplevel, *read->query});
            }
        }
        return texts;
    }

private:
    std::vector<Reading> readings_;
    std::size_t current_ = static_cast<std::size_t>(-1);
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto readings = Readings(ParseCsv(std::string_view(reinterpret_cast<const char*>(data), size)));
    if (readings.empty() || readings.size() > 4) return 0;
    const std::size_t cycles = readings.size();
    CsvStatsSource source(std::move(readings));
    collector::QueryCatalog catalog;
    collector::Collector collector(source, catalog, 1);
    for (std::size_t i = 0; i < cycles; ++i) {
        auto collection = collector.Collect();
        if (!collection) continue;
        const auto& entries = collection->deltas ? *collection->deltas : collection->cumulative;
        const auto ranking = collector::Rank(entries, catalog);
        (void)optischema::analyzer::OverviewChecks(ranking.top, {}, 3.0);
    }
    return 0;
}
