// End-to-end tests of `optischema top`: the real binary against the throwaway clusters, compared
// with what pg_stat_statements itself says.
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <thread>

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <nlohmann/json.hpp>

#include "binary_runner.hpp"
#include "pg_test_env.hpp"
#include "store/sqlite_store.hpp"

namespace optischema::cli {
namespace {

using optischema::testing::BinaryRunner;
using optischema::testing::ClusterDsn;
using optischema::testing::CommandResult;
using optischema::testing::FreshDatabase;
using optischema::testing::RunSql;
using optischema::testing::WithParams;

class TopE2eTest : public ::testing::Test {
protected:
    CommandResult Top(std::vector<std::string> args) {
        args.insert(args.begin(), "top");
        return runner_.Run(std::move(args));
    }

    BinaryRunner runner_;
    const std::string& data_dir_ = runner_.data_dir();
};

// calls and total time per normalized text, straight from pg_stat_statements.
std::map<std::string, std::pair<long long, double>> PgssByText(const std::string& dsn) {
    std::map<std::string, std::pair<long long, double>> out;
    PGconn* conn = PQconnectdb(dsn.c_str());
    PGresult* res = PQexec(conn,
                           "SELECT query, sum(calls), sum(total_exec_time + total_plan_time) FROM pg_stat_statements "
                           "WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                           "GROUP BY query");
    for (int i = 0; i < PQntuples(res); ++i) {
        out[PQgetvalue(res, i, 0)] = {std::atoll(PQgetvalue(res, i, 1)), std::atof(PQgetvalue(res, i, 2))};
    }
    PQclear(res);
    PQfinish(conn);
    return out;
}

TEST_F(TopE2eTest, JsonRanksLikePgStatStatements) {
    const std::string dsn = FreshDatabase("top_json");
    RunSql(dsn,
           "CREATE TABLE accounts (id int PRIMARY KEY, owner text, balance int); "
           "INSERT INTO accounts SELECT g, 'o' || (g % 100), g FROM generate_series(1, 20000) g");
    for (int i = 0; i < 20; ++i) RunSql(dsn, "SELECT * FROM accounts WHERE owner = 'o" + std::to_string(i) + "'");
    for (int i = 0; i < 50; ++i) RunSql(dsn, "SELECT balance FROM accounts WHERE id = " + std::to_string(i));
    RunSql(dsn, "SELECT * FROM accounts WHERE id IN (1, 2)");
    RunSql(dsn, "SELECT * FROM accounts WHERE id IN (1, 2, 3)");
    RunSql(dsn, "SELECT * FROM accounts WHERE id IN (4, 5, 6, 7)");

    CommandResult run = Top({"--dsn", dsn, "--format", "json", "--limit", "50"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const auto j = nlohmann::json::parse(run.out);
    EXPECT_FALSE(j["server_version"].get<std::string>().empty());
    const auto& statements = j["statements"];
    ASSERT_GE(statements.size(), 3u);

    const auto pgss = PgssByText(dsn);
    double previous = 1e300;
    bool saw_owner = false, saw_in_list = false;
    for (const auto& s : statements) {
        const std::string query = s["query"];
        EXPECT_TRUE(std::regex_match(s["fingerprint"].get<std::string>(), std::regex("[0-9a-f]{16}")));
        EXPECT_LE(s["total_ms"].get<double>(), previous + 1e-9) << "not ranked by total_ms";
        previous = s["total_ms"].get<double>();
        EXPECT_EQ(query.find("optischema"), std::string::npos) << "own statement listed: " << query;
        if (query == "SELECT * FROM accounts WHERE owner = $1") {
            saw_owner = true;
            EXPECT_EQ(s["calls"], 20);
            EXPECT_EQ(s["rows"], 20 * 200);
            EXPECT_NEAR(s["total_ms"].get<double>(), pgss.at(query).second, 0.01);
            EXPECT_NEAR(s["mean_ms"].get<double>(), pgss.at(query).second / 20, 0.01);
        }
        if (query.starts_with("SELECT * FROM accounts WHERE id IN")) {
            saw_in_list = true;
            EXPECT_EQ(s["calls"], 3);
            // PostgreSQL 18 gives lists of two or more constants one queryid ("IN ($1 /*, ... */)").
            const auto major = std::stoi(j["server_version"].get<std::string>());
            EXPECT_EQ(s["queryids"].size(), major >= 18 ? 1u : 3u)
                << "IN lists of 2, 3 and 4 items: one fingerprint, and three queryids before PostgreSQL 18";
        }
    }
    EXPECT_TRUE(saw_owner);
    EXPECT_TRUE(saw_in_list);
    double share = 0;
    for (const auto& s : statements) share += s["share_pct"].get<double>();
    if (!j["other"].is_null()) share += j["other"]["share_pct"].get<double>();
    EXPECT_NEAR(share, 100.0, 0.1);
}

TEST_F(TopE2eTest, IntervalCountsOnlyWorkDuringIt) {
    const std::string dsn = FreshDatabase("top_interval");
    RunSql(dsn, "CREATE TABLE ticks (id int)");
    for (int i = 0; i < 10; ++i) RunSql(dsn, "SELECT count(*) FROM ticks WHERE id > " + std::to_string(i));
    const pid_t pid = runner_.Start({"top", "--dsn", dsn, "--format", "json", "--interval", "2"});
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    for (int i = 0; i < 7; ++i) RunSql(dsn, "SELECT count(*) FROM ticks WHERE id > " + std::to_string(i));
    CommandResult run = runner_.Wait(pid);
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const auto j = nlohmann::json::parse(run.out);
    EXPECT_EQ(j["window"], "interval");
    bool found = false;
    for (const auto& s : j["statements"]) {
        if (s["query"] == "SELECT count(*) FROM ticks WHERE id > $1") {
            found = true;
            EXPECT_EQ(s["calls"], 7);
        }
    }
    EXPECT_TRUE(found) << run.out;
}

TEST_F(TopE2eTest, TableFitsA100ColumnTerminal) {
    const std::string dsn = FreshDatabase("top_table");
    RunSql(dsn, "CREATE TABLE wide (a_rather_long_column_name int, another_quite_long_column_name text)");
    RunSql(dsn,
           "SELECT a_rather_long_column_name, another_quite_long_column_name FROM wide WHERE "
           "a_rather_long_column_name > 5 AND another_quite_long_column_name LIKE 'x%' ORDER BY 1");
    CommandResult run = Top({"--dsn", dsn});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    std::istringstream lines(run.out);
    std::string line;
    int count = 0;
    while (std::getline(lines, line)) {
        std::size_t chars = 0;
        for (unsigned char c : line) chars += (c & 0xC0) != 0x80;
        EXPECT_LE(chars, 100u) << line;
        ++count;
    }
    EXPECT_GE(count, 3);
    EXPECT_NE(run.out.find("a_rather_long_column_name"), std::string::npos);
}

TEST_F(TopE2eTest, ErrorsAreOneLineWithAFixAndExit2) {
    struct Case {
        std::string name;
        std::vector<std::string> args;
        std::string expect;
    };
    const std::string admin = ClusterDsn();
    RunSql(admin, "DROP ROLE IF EXISTS optischema_pw");
    RunSql(admin, "CREATE ROLE optischema_pw LOGIN PASSWORD 'right'");
    RunSql(admin, "DROP ROLE IF EXISTS top_limited");
    RunSql(admin, "CREATE ROLE top_limited LOGIN");
    const std::string no_ext = FreshDatabase("top_no_ext");
    RunSql(no_ext, "DROP EXTENSION pg_stat_statements");
    const char* bare_dir = std::getenv("OPTISCHEMA_TEST_BARE_CLUSTER_DIR");
    ASSERT_NE(bare_dir, nullptr);
    std::string bare_dsn;
    std::getline(std::ifstream(std::string(bare_dir) + "/dsn"), bare_dsn);
    ASSERT_FALSE(bare_dsn.empty());

    const std::vector<Case> cases = {
        {"malformed DSN", {"--dsn", "host=localhost dbname"}, "malformed DSN"},
        {"unreachable host", {"--dsn", "host=127.0.0.1 port=1 dbname=x connect_timeout=3"}, "check host and port"},
        {"unknown host", {"--dsn", "host=no-such-host.invalid dbname=x connect_timeout=3"}, "check the host name"},
        {"wrong password", {"--dsn", WithParams(admin, "user=optischema_pw password=wrong")}, "password"},
        {"missing database", {"--dsn", WithParams(admin, "dbname=no_such_db")}, "check the database name"},
        {"not preloaded", {"--dsn", bare_dsn}, "shared_preload_libraries"},
        {"extension missing", {"--dsn", no_ext}, "CREATE EXTENSION pg_stat_statements"},
        {"no pg_read_all_stats", {"--dsn", WithParams(admin, "user=top_limited")}, "GRANT pg_read_all_stats"},
        {"bad flag", {"--dsn", admin, "--format", "xml"}, "format"},
    };
    for (const auto& c : cases) {
        CommandResult run = Top(c.args);
        EXPECT_EQ(run.exit_code, 2) << c.name << ": " << run.err;
        EXPECT_NE(run.err.find(c.expect), std::string::npos) << c.name << ": " << run.err;
        EXPECT_TRUE(run.out.empty()) << c.name;
        if (c.name != "bad flag") {
            EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << c.name << ": not one line: " << run.err;
        }
        EXPECT_EQ(run.err.find("wrong"), std::string::npos) << c.name << ": password echoed";
    }

    // The limited role can still look at its own statements when it says so.
    CommandResult own = Top({"--dsn", WithParams(admin, "user=top_limited"), "--own-statements-only"});
    EXPECT_EQ(own.exit_code, 0) << own.err;
}

TEST_F(TopE2eTest, EachRunIsStoredAsASnapshot) {
    const std::string dsn = FreshDatabase("top_store");
    RunSql(dsn, "CREATE TABLE notes (id int); SELECT count(*) FROM notes");
    ASSERT_EQ(Top({"--dsn", dsn}).exit_code, 0);
    ASSERT_EQ(Top({"--dsn", dsn, "--interval", "0.2"}).exit_code, 0);

    auto store = store::SqliteStore::Open(data_dir_);
    ASSERT_TRUE(store) << store.error().ToString();
    auto targets = (*store)->ListTargets();
    ASSERT_TRUE(targets);
    ASSERT_EQ(targets->size(), 1u);
    EXPECT_EQ(targets->front().dsn_display.find("password"), std::string::npos);
    auto snapshots = (*store)->ListSnapshots(targets->front().id, 10);
    ASSERT_TRUE(snapshots);
    ASSERT_EQ(snapshots->size(), 3u) << "one snapshot for the plain run, two for the interval run";
    EXPECT_TRUE(snapshots->at(0).interval_ms.has_value());
    EXPECT_FALSE(snapshots->at(1).interval_ms.has_value());
    auto groups = (*store)->SnapshotGroups(snapshots->at(1).id);
    ASSERT_TRUE(groups);
    EXPECT_TRUE(std::any_of(groups->begin(), groups->end(),
                            [](const auto& g) { return g.query == "SELECT count(*) FROM notes"; }));
    auto queries = (*store)->LoadQueries(targets->front().id);
    ASSERT_TRUE(queries);
    EXPECT_FALSE(queries->empty());
}

}  // namespace
}  // namespace optischema::cli
