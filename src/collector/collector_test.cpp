#include "collector/collector.hpp"

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

#include "collector/ranking.hpp"

namespace optischema::collector {
namespace {

using model::Counters;
using model::SnapshotInfo;
using model::StatementKey;
using model::StatementStats;

// Recorded readings -------------------------------------------------------------------------------

/// Splits RFC 4180 CSV (as written by psql's \copy ... WITH (FORMAT csv)) into records of fields.
std::vector<std::vector<std::string>> ParseCsv(const std::string& text) {
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
T ParseNumber(const std::string& text) {
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
std::vector<RecordedRow> LoadRecording(const std::string& name) {
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

SnapshotInfo Info(long long taken_at_ms, std::optional<long long> stats_reset_ms = 1'800'000'000'000) {
    SnapshotInfo info;
    info.taken_at = FromUnixMs(taken_at_ms);
    info.server_version = "15.18";
    if (stats_reset_ms) info.stats_reset = FromUnixMs(*stats_reset_ms);
    return info;
}

RecordedRow Row(
    std::int64_t queryid, std::int64_t calls, double exec_ms, std::string query, std::uint32_t userid = 10) {
    return RecordedRow{StatementStats{StatementKey{.userid = userid, .dbid = 5, .queryid = queryid},
                                      Counters{.calls = calls, .total_exec_ms = exec_ms, .rows = calls}},
                       std::move(query)};
}

Reading At(long long taken_at_ms,
           std::vector<RecordedRow> rows,
           std::optional<long long> stats_reset_ms = 1'800'000'000'000) {
    return Reading{Info(taken_at_ms, stats_reset_ms), std::move(rows)};
}

const StatementStats* FindDelta(const std::vector<StatementStats>& deltas,
                                std::int64_t queryid,
                                std::uint32_t userid = 10) {
    auto it = std::find_if(deltas.begin(), deltas.end(),
                           [&](const StatementStats& s) { return s.key.queryid == queryid && s.key.userid == userid; });
    return it == deltas.end() ? nullptr : &*it;
}

void ExpectNoNegativeCounters(const std::vector<StatementStats>& deltas) {
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

std::set<std::int64_t> Queryids(const std::vector<RecordedRow>& rows) {
    std::set<std::int64_t> ids;
    for (const auto& r : rows) ids.insert(r.stats.key.queryid);
    return ids;
}

std::vector<std::int64_t> Sorted(std::vector<std::int64_t> ids) {
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

// Tests on recorded PostgreSQL 15 readings ---------------------------------------------------------

TEST(CollectorRecordedTest, LoaderReadsMultiLineQuotedTexts) {
    const auto before = LoadRecording("pg15_before.csv");
    ASSERT_EQ(before.size(), 11u);
    const auto fn = std::find_if(before.begin(), before.end(),
                                 [](const RecordedRow& r) { return r.query.starts_with("CREATE FUNCTION"); });
    ASSERT_NE(fn, before.end());
    EXPECT_NE(fn->query.find("\nBEGIN\n"), std::string::npos);
    EXPECT_TRUE(fn->query.ends_with("END $$"));
    const auto nested =
        std::find_if(before.begin(), before.end(), [](const RecordedRow& r) { return r.stats.key.queryid == kNested; });
    ASSERT_NE(nested, before.end());
    EXPECT_FALSE(nested->stats.key.toplevel);
}

TEST(CollectorRecordedTest, FirstCycleReadsTextsInOneCall) {
    const auto before = LoadRecording("pg15_before.csv");
    ReplayStatsSource source({Reading{Info(1'000), before}});
    QueryCatalog catalog;
    Collector collector(source, catalog);

    auto c = collector.Collect();
    ASSERT_TRUE(c) << c.error().ToString();
    EXPECT_EQ(source.statements_calls, (std::vector<bool>{true}));
    EXPECT_TRUE(source.text_requests.empty());
    EXPECT_FALSE(c->deltas.has_value());
    EXPECT_EQ(c->cumulative.size(), before.size());
    EXPECT_EQ(c->info.server_version, "15.18");

    const auto ids = Queryids(before);
    EXPECT_EQ(catalog.size(), ids.size());
    const auto added = Sorted(c->new_queryids);
    EXPECT_EQ(added, std::vector<std::int64_t>(ids.begin(), ids.end()));
    ASSERT_NE(catalog.Find(kInTwo), nullptr);
    EXPECT_EQ(catalog.Find(kInTwo)->text, "SELECT * FROM t WHERE id IN ($1, $2)");
    EXPECT_TRUE(catalog.Find(kOwn)->own);

    ASSERT_TRUE(collector.baseline().has_value());
    EXPECT_EQ(collector.baseline()->counters.size(), before.size());
    EXPECT_EQ(collector.baseline()->info.taken_at, FromUnixMs(1'000));
}

TEST(CollectorRecordedTest, SecondCycleFetchesOnlyNewTextsAndTakesDeltas) {
    const auto before = LoadRecording("pg15_before.csv");
    const auto after = LoadRecording("pg15_after.csv");
    ReplayStatsSource source({Reading{Info(1'000), before}, Reading{Info(61'000), after}});
    QueryCatalog catalog;
    Collector collector(source, catalog);
    ASSERT_TRUE(collector.Collect());

    auto c = collector.Collect();
    ASSERT_TRUE(c) << c.error().ToString();
    EXPECT_EQ(source.statements_calls, (std::vector<bool>{true, false}));
    ASSERT_EQ(source.text_requests.size(), 1u);
    EXPECT_EQ(Sorted(source.text_requests[0]), (std::vector<std::int64_t>{kInThree, kUpdate, kJoin}));
    EXPECT_EQ(Sorted(c->new_queryids), (std::vector<std::int64_t>{kInThree, kUpdate, kJoin}));
    EXPECT_EQ(catalog.size(), Queryids(after).size());
    EXPECT_EQ(catalog.Find(kUpdate)->text, "UPDATE t SET a = a + $1 WHERE id = $2");

    // Every delta equals after minus before for its key (or after alone for new keys), and entries
    // without new work are left out.
    ASSERT_TRUE(c->deltas.has_value());
    const auto& deltas = *c->deltas;
    ExpectNoNegativeCounters(deltas);
    std::map<std::int64_t, Counters> expected;
    for (const auto& a : after) {
        Counters d = a.stats.counters;
        for (const auto& b : before) {
            if (b.stats.key == a.stats.key) d = a.stats.counters.Minus(b.stats.counters);
        }
        if (d.calls > 0) expected.emplace(a.stats.key.queryid, d);
    }
    EXPECT_EQ(expected.size(), 8u);
    ASSERT_EQ(deltas.size(), expected.size());
    for (const auto& d : deltas) {
        SCOPED_TRACE(d.key.queryid);
        ASSERT_TRUE(expected.contains(d.key.queryid));
        const Counters& e = expected.at(d.key.queryid);
        EXPECT_EQ(d.counters.calls, e.calls);
        EXPECT_DOUBLE_EQ(d.counters.total_exec_ms, e.total_exec_ms);
        EXPECT_EQ(d.counters.rows, e.rows);
        EXPECT_EQ(d.counters.shared_blks_hit, e.shared_blks_hit);
    }
    EXPECT_EQ(FindDelta(deltas, kInTwo)->counters.calls, 2);
    EXPECT_EQ(FindDelta(deltas, kInThree)->counters.calls, 3);
    EXPECT_EQ(FindDelta(deltas, kOrdersByCustomer)->counters.calls, 3);
    EXPECT_EQ(FindDelta(deltas, kNested)->counters.calls, 2);
    EXPECT_EQ(c->report.new_entries, 3u);
    EXPECT_EQ(c->report.restarted_entries, 0u);
    EXPECT_EQ(c->report.evicted_entries, 0u);
    EXPECT_FALSE(c->report.full_reset);

    // Ranked, the two IN-list queryids are one statement and OptiSchema's own query is left out.
    const auto ranking = Rank(deltas, catalog, RankingOptions{.coverage = 1.0});
    const auto in_list = std::find_if(ranking.top.begin(), ranking.top.end(), [](const model::StatementGroup& g) {
        return std::find(g.queryids.begin(), g.queryids.end(), kInTwo) != g.queryids.end();
    });
    ASSERT_NE(in_list, ranking.top.end());
    EXPECT_EQ(in_list->queryids, (std::vector<std::int64_t>{kInThree, kInTwo}));
    EXPECT_EQ(in_list->counters.calls, 5);
    EXPECT_EQ(in_list->counters.rows, 4 + 9);
    for (const auto& g : ranking.top) {
        EXPECT_EQ(std::find(g.queryids.begin(), g.queryids.end(), kOwn), g.queryids.end());
    }
    EXPECT_EQ(ranking.group_count, 6u);  // 8 entries, IN lists merged, own statement left out
}

TEST(CollectorRecordedTest, EntriesResetForOneDatabaseCountFromZero) {
    // pg_stat_statements_reset(0, <recorder>, 0) between the second and third reading: stats_reset
    // does not change, the two entries that ran again start from zero and the rest are gone.
    const auto before = LoadRecording("pg15_before.csv");
    const auto after = LoadRecording("pg15_after.csv");
    const auto reset = LoadRecording("pg15_after_db_reset.csv");
    ReplayStatsSource source(
        {Reading{Info(1'000), before}, Reading{Info(61'000), after}, Reading{Info(121'000), reset}});
    QueryCatalog catalog;
    Collector collector(source, catalog);
    ASSERT_TRUE(collector.Collect());
    ASSERT_TRUE(collector.Collect());

    auto c = collector.Collect();
    ASSERT_TRUE(c) << c.error().ToString();
    EXPECT_EQ(source.text_requests.size(), 1u);  // both texts are known: no new ReadTexts
    EXPECT_TRUE(c->new_queryids.empty());
    ASSERT_TRUE(c->deltas.has_value());
    const auto& deltas = *c->deltas;
    ExpectNoNegativeCounters(deltas);
    ASSERT_EQ(deltas.size(), 2u);
    for (const auto& r : reset) {
        const StatementStats* d = FindDelta(deltas, r.stats.key.queryid);
        ASSERT_NE(d, nullptr);
        EXPECT_EQ(d->counters.calls, r.stats.counters.calls);
        EXPECT_DOUBLE_EQ(d->counters.total_exec_ms, r.stats.counters.total_exec_ms);
        EXPECT_EQ(d->counters.rows, r.stats.counters.rows);
    }
    EXPECT_EQ(c->report.restarted_entries, 2u);
    EXPECT_EQ(c->report.evicted_entries, after.size() - 2);
    EXPECT_FALSE(c->report.full_reset);
}

// Hand-written edge cases -------------------------------------------------------------------------

TEST(CollectorTest, TheTopLevelTextNamesAStatementEvenWhenOptiSchemaExplainedIt) {
    // track = all: OptiSchema's EXPLAIN of a user's query leaves a nested entry with the same queryid
    // whose text is the tagged EXPLAIN. The user's statement must keep its own text and not count as ours.
    RecordedRow nested = Row(7, 4, 1.0, "/* optischema */ EXPLAIN (FORMAT JSON) SELECT count(*) FROM t WHERE a = $1");
    nested.stats.key.toplevel = false;
    RecordedRow top = Row(7, 40, 400.0, "SELECT count(*) FROM t WHERE a = $1");
    top.stats.key.toplevel = true;
    ReplayStatsSource source({At(1'000, {nested, top})});
    QueryCatalog catalog;
    Collector collector(source, catalog);
    auto collection = collector.Collect();
    ASSERT_TRUE(collection);
    const auto ranking = Rank(collection->cumulative, catalog, {.coverage = 1.0});
    ASSERT_EQ(ranking.top.size(), 1u);
    EXPECT_EQ(ranking.top[0].counters.calls, 40) << "the user's 40 calls, not OptiSchema's 4 EXPLAINs";
    const QueryInfo* info = catalog.Find(7);
    ASSERT_NE(info, nullptr);
    EXPECT_EQ(info->text, "SELECT count(*) FROM t WHERE a = $1");
    EXPECT_FALSE(info->own);
    EXPECT_TRUE(catalog.IsOwn(7, false)) << "the nested entry is OptiSchema's EXPLAIN";
}

TEST(CollectorTest, NestedTextsOfKnownStatementsAreReadOnce) {
    // The user's statement is known; later OptiSchema EXPLAINs it, adding a nested entry.
    RecordedRow top = Row(7, 40, 400.0, "SELECT count(*) FROM t WHERE a = $1");
    RecordedRow nested = Row(7, 4, 1.0, "/* optischema */ EXPLAIN (FORMAT JSON) SELECT count(*) FROM t WHERE a = $1");
    nested.stats.key.toplevel = false;
    ReplayStatsSource source({At(1'000, {top}), At(2'000, {top, nested}), At(3'000, {top, nested})});
    QueryCatalog catalog;
    Collector collector(source, catalog);
    ASSERT_TRUE(collector.Collect());
    auto second = collector.Collect();
    ASSERT_TRUE(second);
    ASSERT_TRUE(collector.Collect());
    ASSERT_EQ(source.text_requests.size(), 1u) << "the nested text is asked for once";
    EXPECT_EQ(source.text_requests[0], (std::vector<std::int64_t>{7}));
    EXPECT_TRUE(catalog.IsOwn(7, false));
    EXPECT_FALSE(catalog.IsOwn(7, true));
    const auto ranking = Rank(second->cumulative, catalog, {.coverage = 1.0});
    ASSERT_EQ(ranking.top.size(), 1u);
    EXPECT_EQ(ranking.top[0].counters.calls, 40) << "OptiSchema's own EXPLAINs are not the user's work";
}

TEST(CollectorTest, AskForEachMissingTextOnceEvenWhenSeveralUsersRunIt) {
    ReplayStatsSource source({
        At(1'000, {Row(1, 1, 1.0, "SELECT 1")}),
        At(2'000, {Row(1, 2, 2.0, "SELECT 1"), Row(2, 1, 1.0, "SELECT 2", 10), Row(2, 1, 1.0, "SELECT 2", 11),
                   Row(3, 1, 1.0, "SELECT 3")}),
        At(3'000, {Row(1, 3, 3.0, "SELECT 1"), Row(2, 2, 2.0, "SELECT 2", 10), Row(2, 2, 2.0, "SELECT 2", 11),
                   Row(3, 1, 1.0, "SELECT 3")}),
    });
    QueryCatalog catalog;
    Collector collector(source, catalog);
    ASSERT_TRUE(collector.Collect());
    ASSERT_TRUE(collector.Collect());
    auto third = collector.Collect();
    ASSERT_TRUE(third);
    EXPECT_EQ(source.statements_calls, (std::vector<bool>{true, false, false}));
    // Cycle 3 needs no text at all, so ReadTexts is not called again.
    ASSERT_EQ(source.text_requests.size(), 1u);
    EXPECT_EQ(Sorted(source.text_requests[0]), (std::vector<std::int64_t>{2, 3}));
    EXPECT_TRUE(third->new_queryids.empty());
    ASSERT_TRUE(third->deltas.has_value());
    EXPECT_EQ(third->deltas->size(), 3u);  // queryid 3 had no new call
    EXPECT_EQ(FindDelta(*third->deltas, 2, 11)->counters.calls, 1);
}

TEST(CollectorTest, FullResetGivesNoNegativeNumbersAndLosesNoWork) {
    // After pg_stat_statements_reset() queryid 1 ran more than before the reset; subtracting the old
    // baseline would hide 5 calls, and queryid 2 would go negative.
    ReplayStatsSource source({
        At(1'000, {Row(1, 10, 100.0, "SELECT 1"), Row(2, 50, 50.0, "SELECT 2")}, 500),
        At(2'000, {Row(1, 15, 120.0, "SELECT 1"), Row(2, 3, 3.0, "SELECT 2")}, 1'500),
        At(3'000, {Row(1, 16, 121.0, "SELECT 1"), Row(2, 3, 3.0, "SELECT 2")}, 1'500),
    });
    QueryCatalog catalog;
    Collector collector(source, catalog);
    ASSERT_TRUE(collector.Collect());

    auto c = collector.Collect();
    ASSERT_TRUE(c);
    EXPECT_TRUE(c->report.full_reset);
    ASSERT_TRUE(c->deltas.has_value());
    ExpectNoNegativeCounters(*c->deltas);
    ASSERT_EQ(c->deltas->size(), 2u);
    EXPECT_EQ(FindDelta(*c->deltas, 1)->counters.calls, 15);
    EXPECT_DOUBLE_EQ(FindDelta(*c->deltas, 1)->counters.total_exec_ms, 120.0);
    EXPECT_EQ(FindDelta(*c->deltas, 2)->counters.calls, 3);

    // The next cycle subtracts again, from the post-reset reading.
    auto next = collector.Collect();
    ASSERT_TRUE(next);
    EXPECT_FALSE(next->report.full_reset);
    ASSERT_EQ(next->deltas->size(), 1u);
    EXPECT_EQ(FindDelta(*next->deltas, 1)->counters.calls, 1);
    EXPECT_DOUBLE_EQ(FindDelta(*next->deltas, 1)->counters.total_exec_ms, 1.0);
}

TEST(CollectorTest, EvictedAndRecreatedEntryCountsFromZero) {
    ReplayStatsSource source({
        At(1'000, {Row(1, 100, 1000.0, "SELECT 1"), Row(2, 5, 5.0, "SELECT 2")}),
        At(2'000, {Row(1, 4, 40.0, "SELECT 1"), Row(2, 6, 6.0, "SELECT 2")}),
    });
    QueryCatalog catalog;
    Collector collector(source, catalog);
    ASSERT_TRUE(collector.Collect());
    auto c = collector.Collect();
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->deltas.has_value());
    ExpectNoNegativeCounters(*c->deltas);
    EXPECT_EQ(FindDelta(*c->deltas, 1)->counters.calls, 4);
    EXPECT_DOUBLE_EQ(FindDelta(*c->deltas, 1)->counters.total_exec_ms, 40.0);
    EXPECT_EQ(FindDelta(*c->deltas, 2)->counters.calls, 1);
    EXPECT_EQ(c->report.restarted_entries, 1u);
    EXPECT_FALSE(c->report.full_reset);
}

TEST(CollectorTest, FailedStatementsReadKeepsBaselineSoTheNextCycleCoversTheGap) {
    std::vector<Reading> readings = {
        At(1'000, {Row(1, 10, 10.0, "SELECT 1")}),
        At(2'000, {Row(1, 15, 15.0, "SELECT 1")}),
        At(3'000, {Row(1, 25, 25.0, "SELECT 1"), Row(2, 1, 1.0, "SELECT 2")}),
    };
    readings[1].fail_statements = true;
    ReplayStatsSource source(std::move(readings));
    QueryCatalog catalog;
    Collector collector(source, catalog);
    ASSERT_TRUE(collector.Collect());

    auto failed = collector.Collect();
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error().code, ErrorCode::kQueryFailed);
    EXPECT_EQ(failed.error().sqlstate, "57014");
    ASSERT_TRUE(collector.baseline().has_value());
    EXPECT_EQ(collector.baseline()->info.taken_at, FromUnixMs(1'000));

    auto c = collector.Collect();
    ASSERT_TRUE(c) << c.error().ToString();
    ASSERT_TRUE(c->deltas.has_value());
    EXPECT_EQ(FindDelta(*c->deltas, 1)->counters.calls, 15);  // 10 -> 25 across the failed cycle
    EXPECT_EQ(FindDelta(*c->deltas, 2)->counters.calls, 1);
    EXPECT_EQ(collector.baseline()->info.taken_at, FromUnixMs(3'000));
}

TEST(CollectorTest, FailedInfoReadKeepsBaseline) {
    std::vector<Reading> readings = {
        At(1'000, {Row(1, 10, 10.0, "SELECT 1")}),
        At(2'000, {Row(1, 15, 15.0, "SELECT 1")}),
        At(3'000, {Row(1, 30, 30.0, "SELECT 1")}),
    };
    readings[1].fail_info = true;
    ReplayStatsSource source(std::move(readings));
    QueryCatalog catalog;
    Collector collector(source, catalog);
    ASSERT_TRUE(collector.Collect());
    auto failed = collector.Collect();
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error().code, ErrorCode::kConnectionFailed);
    auto c = collector.Collect();
    ASSERT_TRUE(c);
    EXPECT_EQ(FindDelta(*c->deltas, 1)->counters.calls, 20);
}

TEST(CollectorTest, FailedTextReadKeepsBaselineAndAsksAgain) {
    std::vector<Reading> readings = {
        At(1'000, {Row(1, 10, 10.0, "SELECT 1")}),
        At(2'000, {Row(1, 15, 15.0, "SELECT 1"), Row(2, 1, 1.0, "SELECT 2")}),
        At(3'000, {Row(1, 20, 20.0, "SELECT 1"), Row(2, 3, 3.0, "SELECT 2")}),
    };
    readings[1].fail_texts = true;
    ReplayStatsSource source(std::move(readings));
    QueryCatalog catalog;
    Collector collector(source, catalog);
    ASSERT_TRUE(collector.Collect());
    auto failed = collector.Collect();
    ASSERT_FALSE(failed);
    EXPECT_EQ(collector.baseline()->info.taken_at, FromUnixMs(1'000));
    EXPECT_FALSE(catalog.Contains(2));

    auto c = collector.Collect();
    ASSERT_TRUE(c) << c.error().ToString();
    ASSERT_EQ(source.text_requests.size(), 2u);
    EXPECT_EQ(source.text_requests[1], (std::vector<std::int64_t>{2}));
    EXPECT_EQ(c->new_queryids, (std::vector<std::int64_t>{2}));
    EXPECT_EQ(catalog.Find(2)->text, "SELECT 2");
    EXPECT_EQ(FindDelta(*c->deltas, 1)->counters.calls, 10);
    EXPECT_EQ(FindDelta(*c->deltas, 2)->counters.calls, 3);
}

TEST(CollectorTest, TextGoneBeforeItWasReadIsAskedForAgain) {
    std::vector<Reading> readings = {
        At(1'000, {Row(1, 1, 1.0, "SELECT 1")}),
        At(2'000, {Row(1, 2, 2.0, "SELECT 1"), Row(2, 1, 1.0, "SELECT 2")}),
        At(3'000, {Row(1, 3, 3.0, "SELECT 1"), Row(2, 2, 2.0, "SELECT 2")}),
    };
    readings[1].texts_gone = {2};
    ReplayStatsSource source(std::move(readings));
    QueryCatalog catalog;
    Collector collector(source, catalog);
    ASSERT_TRUE(collector.Collect());

    auto second = collector.Collect();
    ASSERT_TRUE(second) << second.error().ToString();
    EXPECT_TRUE(second->new_queryids.empty());
    EXPECT_FALSE(catalog.Contains(2));
    ASSERT_TRUE(second->deltas.has_value());
    EXPECT_EQ(FindDelta(*second->deltas, 2)->counters.calls, 1);  // its work still counts

    auto third = collector.Collect();
    ASSERT_TRUE(third);
    ASSERT_EQ(source.text_requests.size(), 2u);
    EXPECT_EQ(source.text_requests[1], (std::vector<std::int64_t>{2}));
    EXPECT_EQ(third->new_queryids, (std::vector<std::int64_t>{2}));
    EXPECT_EQ(catalog.Find(2)->text, "SELECT 2");
}

TEST(CollectorTest, ResumeTakesTheFirstDeltaAgainstAStoredBaseline) {
    // A restart: the baseline and texts come from the store, so the first cycle already yields deltas.
    ReplayStatsSource source({At(10'000, {Row(1, 30, 300.0, "SELECT 1"), Row(2, 7, 7.0, "SELECT 2")})});
    QueryCatalog catalog;
    catalog.Put(1, QueryCatalog::Describe(1, "SELECT 1"));
    Collector collector(source, catalog);
    Baseline stored;
    stored.info = Info(1'000);
    stored.counters.emplace(StatementKey{.userid = 10, .dbid = 5, .queryid = 1},
                            Counters{.calls = 20, .total_exec_ms = 200.0});
    collector.Resume(stored);
    ASSERT_TRUE(collector.baseline().has_value());

    auto c = collector.Collect();
    ASSERT_TRUE(c) << c.error().ToString();
    // The catalog is not empty, so counters are read without texts and only queryid 2 is fetched.
    EXPECT_EQ(source.statements_calls, (std::vector<bool>{false}));
    ASSERT_EQ(source.text_requests.size(), 1u);
    EXPECT_EQ(source.text_requests[0], (std::vector<std::int64_t>{2}));
    ASSERT_TRUE(c->deltas.has_value());
    ASSERT_EQ(c->deltas->size(), 2u);
    EXPECT_EQ(FindDelta(*c->deltas, 1)->counters.calls, 10);
    EXPECT_DOUBLE_EQ(FindDelta(*c->deltas, 1)->counters.total_exec_ms, 100.0);
    EXPECT_EQ(FindDelta(*c->deltas, 2)->counters.calls, 7);
    EXPECT_EQ(c->report.new_entries, 1u);
}

TEST(CollectorTest, ResumeAcrossAServerRestartCountsFromZero) {
    // The server restarted while OptiSchema was down: pg_stat_statements came back with a new
    // stats_reset and lower counters.
    ReplayStatsSource source({At(10'000, {Row(1, 3, 30.0, "SELECT 1")}, 9'000)});
    QueryCatalog catalog;
    Collector collector(source, catalog);
    Baseline stored;
    stored.info = Info(1'000, 500);
    stored.counters.emplace(StatementKey{.userid = 10, .dbid = 5, .queryid = 1},
                            Counters{.calls = 20, .total_exec_ms = 200.0});
    collector.Resume(stored);
    auto c = collector.Collect();
    ASSERT_TRUE(c);
    EXPECT_EQ(source.statements_calls, (std::vector<bool>{true}));  // empty catalog: texts in one read
    EXPECT_TRUE(c->report.full_reset);
    ASSERT_EQ(c->deltas->size(), 1u);
    EXPECT_EQ(c->deltas->at(0).counters.calls, 3);
    ExpectNoNegativeCounters(*c->deltas);
}

}  // namespace
}  // namespace optischema::collector
