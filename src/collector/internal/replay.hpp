#pragma once

// What collector_test and collector_replay_test share: recorded pg_stat_statements readings (psql's CSV),
// a StatsSource that replays them, and builders of readings. For collector's tests only.

#include <algorithm>
#include <charconv>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "collector/collector.hpp"

namespace optischema::collector::replay {

using model::Counters;
using model::SnapshotInfo;
using model::StatementKey;
using model::StatementStats;

// Recorded readings -------------------------------------------------------------------------------

/// Splits RFC 4180 CSV (as written by psql's \copy ... WITH (FORMAT csv)) into records of fields.
inline std::vector<std::vector<std::string>> ParseCsv(const std::string& text) {
    std::vector<std::vector<std::string>> records;
    std::vector<std::string> record;
    std::string field;
    bool quoted = false;
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
            quoted = true;
        } else if (c == ',') {
            record.push_back(std::move(field));
            field.clear();
        } else if (c == '\n') {
            record.push_back(std::move(field));
            field.clear();
            records.push_back(std::move(record));
            record.clear();
        } else if (c != '\r') {
            field += c;
        }
    }
    if (!field.empty() || !record.empty()) {
        record.push_back(std::move(field));
        records.push_back(std::move(record));
    }
    return records;
}

template <typename T>
inline T ParseNumber(const std::string& text) {
    T value{};
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || ptr != text.data() + text.size()) throw std::runtime_error("bad number: " + text);
    return value;
}

struct RecordedRow {
    StatementStats stats;
    std::string query;
};

/// Loads testdata/pg_stat_statements/<name>: userid, dbid, queryid, toplevel, calls, total_exec_time,
/// total_plan_time, rows, shared_blks_hit, shared_blks_read, query.
inline std::vector<RecordedRow> LoadRecording(const std::string& name) {
    const std::string path = std::string(OPTISCHEMA_TESTDATA_DIR) + "/pg_stat_statements/" + name;
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::stringstream buffer;
    buffer << in.rdbuf();
    const auto records = ParseCsv(buffer.str());
    const std::vector<std::string> header = {
        "userid",          "dbid", "queryid",         "toplevel",         "calls", "total_exec_time",
        "total_plan_time", "rows", "shared_blks_hit", "shared_blks_read", "query"};
    if (records.empty() || records[0] != header) throw std::runtime_error("unexpected header in " + path);
    std::vector<RecordedRow> rows;
    for (std::size_t i = 1; i < records.size(); ++i) {
        const auto& f = records[i];
        if (f.size() != header.size()) throw std::runtime_error("bad record in " + path);
        RecordedRow row;
        auto& key = row.stats.key;
        auto& c = row.stats.counters;
        key.userid = ParseNumber<std::uint32_t>(f[0]);
        key.dbid = ParseNumber<std::uint32_t>(f[1]);
        key.queryid = ParseNumber<std::int64_t>(f[2]);
        key.toplevel = f[3] == "t";
        c.calls = ParseNumber<std::int64_t>(f[4]);
        c.total_exec_ms = ParseNumber<double>(f[5]);
        c.total_plan_ms = ParseNumber<double>(f[6]);
        c.rows = ParseNumber<std::int64_t>(f[7]);
        c.shared_blks_hit = ParseNumber<std::int64_t>(f[8]);
        c.shared_blks_read = ParseNumber<std::int64_t>(f[9]);
        row.query = f[10];
        rows.push_back(std::move(row));
    }
    return rows;
}

// A StatsSource that replays readings ---------------------------------------------------------------

/// One reading of pg_stat_statements, optionally failing at one of the three steps.
struct Reading {
    SnapshotInfo info;
    std::vector<RecordedRow> rows;
    bool fail_info = false;
    bool fail_statements = false;
    bool fail_texts = false;
    std::set<std::int64_t> texts_gone;  // evicted between the counters read and the texts read
};

/// Replays one Reading per cycle (ReadInfo starts the next) and records what the collector asked for.
class ReplayStatsSource final : public StatsSource {
public:
    explicit ReplayStatsSource(std::vector<Reading> readings) : readings_(std::move(readings)) {}

    Result<SnapshotInfo> ReadInfo() override {
        ++current_;
        if (current_ >= readings_.size()) return MakeError(ErrorCode::kInternal, "no more recorded readings");
        if (Now().fail_info) return MakeError(ErrorCode::kConnectionFailed, "server closed the connection");
        return Now().info;
    }

    Result<std::vector<StatementRow>> ReadStatements(bool with_texts) override {
        statements_calls.push_back(with_texts);
        if (Now().fail_statements) {
            return MakeError(ErrorCode::kQueryFailed, "canceling statement due to statement timeout", "57014");
        }
        std::vector<StatementRow> out;
        for (const auto& r : Now().rows) {
            StatementRow row{r.stats, std::nullopt};
            if (with_texts) row.query = r.query;
            out.push_back(std::move(row));
        }
        return out;
    }

    Result<std::vector<EntryText>> ReadTexts(std::span<const std::int64_t> queryids) override {
        text_requests.emplace_back(queryids.begin(), queryids.end());
        if (Now().fail_texts) return MakeError(ErrorCode::kConnectionFailed, "server closed the connection");
        std::vector<EntryText> texts;
        for (std::int64_t id : queryids) {
            if (Now().texts_gone.contains(id)) continue;
            std::set<bool> seen;  // one text per (queryid, toplevel), as DISTINCT ON gives
            for (const auto& r : Now().rows) {
                if (r.stats.key.queryid == id && seen.insert(r.stats.key.toplevel).second) {
                    texts.push_back({id, r.stats.key.toplevel, r.query});
                }
            }
        }
        return texts;
    }

    std::vector<bool> statements_calls;                    // with_texts of each ReadStatements
    std::vector<std::vector<std::int64_t>> text_requests;  // queryids of each ReadTexts

private:
    const Reading& Now() const { return readings_.at(current_); }

    std::vector<Reading> readings_;
    std::size_t current_ = static_cast<std::size_t>(-1);
};

inline SnapshotInfo Info(long long taken_at_ms, std::optional<long long> stats_reset_ms = 1'800'000'000'000) {
    SnapshotInfo info;
    info.taken_at = FromUnixMs(taken_at_ms);
    info.server_version = "15.18";
    if (stats_reset_ms) info.stats_reset = FromUnixMs(*stats_reset_ms);
    return info;
}

inline RecordedRow Row(
    std::int64_t queryid, std::int64_t calls, double exec_ms, std::string query, std::uint32_t userid = 10) {
    return RecordedRow{StatementStats{StatementKey{.userid = userid, .dbid = 5, .queryid = queryid},
                                      Counters{.calls = calls, .total_exec_ms = exec_ms, .rows = calls}},
                       std::move(query)};
}

inline Reading At(long long taken_at_ms,
                  std::vector<RecordedRow> rows,
                  std::optional<long long> stats_reset_ms = 1'800'000'000'000) {
    return Reading{Info(taken_at_ms, stats_reset_ms), std::move(rows)};
}

inline const StatementStats* FindDelta(const std::vector<StatementStats>& deltas,
                                       std::int64_t queryid,
                                       std::uint32_t userid = 10) {
    auto it = std::find_if(deltas.begin(), deltas.end(),
                           [&](const StatementStats& s) { return s.key.queryid == queryid && s.key.userid == userid; });
    return it == deltas.end() ? nullptr : &*it;
}

inline void ExpectNoNegativeCounters(const std::vector<StatementStats>& deltas) {
    for (const auto& d : deltas) {
        SCOPED_TRACE(d.key.queryid);
        EXPECT_GE(d.counters.calls, 0);
        EXPECT_GE(d.counters.total_exec_ms, 0);
        EXPECT_GE(d.counters.total_plan_ms, 0);
        EXPECT_GE(d.counters.rows, 0);
        EXPECT_GE(d.counters.shared_blks_hit, 0);
        EXPECT_GE(d.counters.shared_blks_read, 0);
    }
}

inline std::set<std::int64_t> Queryids(const std::vector<RecordedRow>& rows) {
    std::set<std::int64_t> ids;
    for (const auto& r : rows) ids.insert(r.stats.key.queryid);
    return ids;
}

inline std::vector<std::int64_t> Sorted(std::vector<std::int64_t> ids) {
    std::sort(ids.begin(), ids.end());
    return ids;
}

// Queryids in the recordings.
constexpr std::int64_t kInTwo = 1846771691874171760;     // SELECT * FROM t WHERE id IN ($1, $2)
constexpr std::int64_t kInThree = -7254733262549953927;  // SELECT * FROM t WHERE id IN ($1, $2, $3)
constexpr std::int64_t kOrdersByCustomer = 8529745050449196945;
constexpr std::int64_t kUpdate = 1141232249961791787;
constexpr std::int64_t kJoin = 5923725761532330242;
constexpr std::int64_t kNested = -7644181232731101769;  // inside order_count(), toplevel false
constexpr std::int64_t kOwn = -4654732435595329443;     // /* optischema */ SELECT count(*) FROM pg_class

}  // namespace optischema::collector::replay
