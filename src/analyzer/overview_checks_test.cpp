#include "analyzer/overview_checks.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "common/format.hpp"
#include "sqlparse/sqlparse.hpp"

namespace optischema::analyzer {
namespace {

// Recorded windows -----------------------------------------------------------------------------------

/// Splits RFC 4180 CSV (psql's \copy ... WITH (FORMAT csv)) into records of fields.
std::vector<std::vector<std::string>> ParseCsv(const std::string& text) {
    std::vector<std::vector<std::string>> records(1);
    std::string field;
    bool quoted = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted && c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
            field += '"';
            ++i;
        } else if (c == '"') {
            quoted = !quoted;
        } else if (!quoted && (c == ',' || c == '\n')) {
            records.back().push_back(std::move(field));
            field.clear();
            if (c == '\n') records.emplace_back();
        } else {
            field += c;
        }
    }
    if (records.back().empty()) records.pop_back();
    return records;
}

template <typename T>
T Number(const std::string& text) {
    T value{};
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || ptr != text.data() + text.size()) throw std::runtime_error("bad number: " + text);
    return value;
}

/// The statement groups of a window recorded by testdata/pg_stat_statements/record_overview.sh: its
/// rows grouped by fingerprint (by queryid when the text does not parse), counters summed, the text
/// of the costliest row kept, the costliest group first, as the store returns a window.
std::vector<model::StatementGroup> LoadWindow(const std::string& name) {
    const std::string path = std::string(OPTISCHEMA_TESTDATA_DIR) + "/pg_stat_statements/" + name;
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::stringstream text;
    text << in.rdbuf();
    const auto records = ParseCsv(text.str());
    if (records.empty()) throw std::runtime_error(path + " is empty");
    std::map<std::string, std::size_t> column;
    for (std::size_t i = 0; i < records[0].size(); ++i) column[records[0][i]] = i;
    std::map<std::string, model::StatementGroup> by_fingerprint;
    std::map<std::string, double> representative_ms;
    for (std::size_t r = 1; r < records.size(); ++r) {
        const auto& row = records[r];
        auto field = [&](const char* name) -> const std::string& { return row.at(column.at(name)); };
        model::Counters c;
        c.calls = Number<std::int64_t>(field("calls"));
        c.total_exec_ms = Number<double>(field("total_exec_time"));
        c.total_plan_ms = Number<double>(field("total_plan_time"));
        c.rows = Number<std::int64_t>(field("rows"));
        c.shared_blks_hit = Number<std::int64_t>(field("shared_blks_hit"));
        c.shared_blks_read = Number<std::int64_t>(field("shared_blks_read"));
        c.shared_blks_dirtied = Number<std::int64_t>(field("shared_blks_dirtied"));
        c.shared_blks_written = Number<std::int64_t>(field("shared_blks_written"));
        c.temp_blks_read = Number<std::int64_t>(field("temp_blks_read"));
        c.temp_blks_written = Number<std::int64_t>(field("temp_blks_written"));
        c.blk_read_ms = Number<double>(field("blk_read_time"));
        c.blk_write_ms = Number<double>(field("blk_write_time"));
        const auto queryid = Number<std::int64_t>(field("queryid"));
        const auto fingerprint = sqlparse::Fingerprint(field("query"));
        const std::string key =
            fingerprint ? *fingerprint : fmt::format("{:016x}", static_cast<std::uint64_t>(queryid));
        model::StatementGroup& g = by_fingerprint[key];
        g.fingerprint = key;
        g.queryids.push_back(queryid);
        g.counters += c;
        if (!representative_ms.contains(key) || c.TotalMs() > representative_ms[key]) {
            representative_ms[key] = c.TotalMs();
            g.query = field("query");
        }
    }
    std::vector<model::StatementGroup> groups;
    groups.reserve(by_fingerprint.size());
    for (auto& [_, g] : by_fingerprint) groups.push_back(std::move(g));
    std::sort(groups.begin(), groups.end(),
              [](const auto& a, const auto& b) { return a.counters.TotalMs() > b.counters.TotalMs(); });
    return groups;
}

const TimePoint kLastSnapshot = FromUnixMs(1'767'225'600'000);  // 2026-01-01T00:00:00.000Z
const CollectionState kUp{.down = false, .error = "", .last_snapshot_at = kLastSnapshot};

std::vector<std::string> Names(const std::vector<Check>& checks) {
    std::vector<std::string> out;
    out.reserve(checks.size());
    for (const auto& c : checks) out.push_back(c.name);
    return out;
}

const Check& Find(const std::vector<Check>& checks, std::string_view name) {
    for (const auto& c : checks) {
        if (c.name == name) return c;
    }
    throw std::runtime_error("no check " + std::string(name));
}

// The quiet window: fast statements on data already in shared buffers ---------------------------------

TEST(OverviewChecksTest, QuietWindowPassesEveryCheck) {
    const auto groups = LoadWindow("pg15_overview_quiet.csv");
    ASSERT_GE(groups.size(), 4u);
    const auto checks = OverviewChecks(groups, kUp, 0.42);
    EXPECT_EQ(Names(checks), (std::vector<std::string>{"collection", "cache hit rate", "slow statements",
                                                       "temporary files", "round trip"}));
    for (const auto& c : checks) {
        EXPECT_EQ(c.status, CheckStatus::kPass) << c.name << ": " << c.message;
        EXPECT_EQ(c.fix, "") << c.name;
    }
    EXPECT_EQ(Find(checks, "collection").message, "last snapshot 2026-01-01T00:00:00.000Z");
    EXPECT_EQ(Find(checks, "cache hit rate").message,
              "100.00% of shared blocks read in the last hour came from the buffer cache");
    EXPECT_EQ(Find(checks, "slow statements").message, "no statement averages over 100 ms");
    EXPECT_EQ(Find(checks, "temporary files").message, "no sort or hash spilled to disk");
    EXPECT_EQ(Find(checks, "round trip").message, "SELECT 1 takes 0.420 ms at p95 from OptiSchema");
}

// The busy window: after a restart, scans reading past the cache and a sort spilling to disk ------------

TEST(OverviewChecksTest, BusyWindowWarnsWithCauseAndFix) {
    const auto checks = OverviewChecks(LoadWindow("pg15_overview_busy.csv"), kUp, 7.5);
    EXPECT_EQ(Names(checks), (std::vector<std::string>{"collection", "cache hit rate", "slow statements",
                                                       "temporary files", "round trip"}));
    EXPECT_EQ(Find(checks, "collection").status, CheckStatus::kPass);

    const Check& cache = Find(checks, "cache hit rate");
    EXPECT_EQ(cache.status, CheckStatus::kWarn);
    EXPECT_EQ(cache.message, "10.47% of shared blocks read in the last hour came from the buffer cache");
    EXPECT_EQ(cache.fix,
              "SHOW shared_buffers;  -- consider raising it, or the statements reading most blocks need indexes");

    // Two statements average over 100 ms (the LIKE scan, 125 ms; the spilling sort, 540 ms): the
    // slowest is named.
    const Check& slow = Find(checks, "slow statements");
    EXPECT_EQ(slow.status, CheckStatus::kWarn);
    EXPECT_EQ(slow.message,
              "2 statement(s) average over 100 ms; the slowest: SELECT account_id, payload FROM events ORDER BY "
              "payload LIMIT $1 OFFSET $2 (540 ms)");
    EXPECT_EQ(slow.fix, "");

    const Check& temp = Find(checks, "temporary files");
    EXPECT_EQ(temp.status, CheckStatus::kWarn);
    EXPECT_EQ(temp.message, "statements wrote 361.7 MB to temporary files in the last hour");
    EXPECT_EQ(temp.fix, "SET work_mem = '64MB';  -- for the sessions that sort or hash a lot");

    const Check& round_trip = Find(checks, "round trip");
    EXPECT_EQ(round_trip.status, CheckStatus::kWarn);
    EXPECT_EQ(round_trip.message, "SELECT 1 takes 7.50 ms at p95 from OptiSchema");
}

// Thresholds, as the [overview] table of the server config sets them ------------------------------------

TEST(OverviewChecksTest, LooserThresholdsLetTheBusyWindowPass) {
    const OverviewThresholds loose{
        .cache_hit_pct_min = 10, .slow_mean_ms = 600, .temp_written_mb_max = 400, .round_trip_p95_ms = 10};
    const auto checks = OverviewChecks(LoadWindow("pg15_overview_busy.csv"), kUp, 7.5, loose);
    for (const auto& c : checks) {
        EXPECT_EQ(c.status, CheckStatus::kPass) << c.name << ": " << c.message;
        EXPECT_EQ(c.fix, "") << c.name;
    }
    EXPECT_EQ(Find(checks, "slow statements").message, "no statement averages over 600 ms");
    EXPECT_EQ(Find(checks, "temporary files").message,
              "statements wrote 361.7 MB to temporary files in the last hour, within the 400 MB expected");
}

TEST(OverviewChecksTest, StricterThresholdsMakeTheQuietWindowWarn) {
    // The GROUP BY on accounts averages 0.77 ms: slow once the line is at 0.5 ms.
    const OverviewThresholds strict{.slow_mean_ms = 0.5, .round_trip_p95_ms = 0.3};
    const auto checks = OverviewChecks(LoadWindow("pg15_overview_quiet.csv"), kUp, 0.42, strict);
    const Check& slow = Find(checks, "slow statements");
    EXPECT_EQ(slow.status, CheckStatus::kWarn);
    EXPECT_EQ(slow.message,
              "1 statement(s) average over 0.5 ms; the slowest: SELECT plan, count(*) FROM accounts GROUP BY plan "
              "(0.775 ms)");
    EXPECT_EQ(Find(checks, "round trip").status, CheckStatus::kWarn);
    // Every block came from the cache: 100% meets a 100% minimum.
    EXPECT_EQ(OverviewChecks(LoadWindow("pg15_overview_quiet.csv"), kUp, 0.42, {.cache_hit_pct_min = 100})[1].status,
              CheckStatus::kPass);
}

TEST(OverviewChecksTest, RoundTripAtTheThresholdWarns) {
    const auto at = OverviewChecks({}, kUp, 5.0);
    EXPECT_EQ(Find(at, "round trip").status, CheckStatus::kWarn);
    const auto below = OverviewChecks({}, kUp, 4.99);
    EXPECT_EQ(Find(below, "round trip").status, CheckStatus::kPass);
}

// Collection state ----------------------------------------------------------------------------------

TEST(OverviewChecksTest, UnreachableTargetWarnsWithTheCollectorsError) {
    const CollectionState down{.down = true,
                               .error = "connection refused: is the server running on db1:5432?",
                               .last_snapshot_at = kLastSnapshot};
    // What was collected before it went down is still checked.
    const auto checks = OverviewChecks(LoadWindow("pg15_overview_busy.csv"), down, std::nullopt);
    const Check& collection = Find(checks, "collection");
    EXPECT_EQ(collection.status, CheckStatus::kWarn);
    EXPECT_EQ(collection.message, "the target is unreachable: connection refused: is the server running on db1:5432?");
    EXPECT_EQ(Find(checks, "cache hit rate").status, CheckStatus::kWarn);
    EXPECT_EQ(Names(checks).back(), "temporary files") << "no round trip without a successful probe";
}

TEST(OverviewChecksTest, BeforeTheFirstSnapshotOnlyCollectionIsKnown) {
    const auto checks = OverviewChecks({}, CollectionState{}, std::nullopt);
    EXPECT_EQ(Names(checks), (std::vector<std::string>{"collection", "slow statements", "temporary files"}))
        << "no cache hit rate without a block read";
    EXPECT_EQ(checks[0].status, CheckStatus::kPass);
    EXPECT_EQ(checks[0].message, "waiting for the first snapshot");
}

TEST(OverviewChecksTest, StatusNamesAreTheApis) {
    EXPECT_EQ(CheckStatusName(CheckStatus::kPass), "pass");
    EXPECT_EQ(CheckStatusName(CheckStatus::kWarn), "warn");
    EXPECT_EQ(CheckStatusName(CheckStatus::kFail), "fail");
}

}  // namespace
}  // namespace optischema::analyzer
