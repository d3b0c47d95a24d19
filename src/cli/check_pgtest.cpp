// `optischema check` against the throwaway cluster: what ReadSchema reads from a real catalog, and what
// the real binary finds in a schema with a duplicate, a redundant, an unused and an invalid index and an
// unindexed foreign key, without changing anything; then its fixes, run, leave nothing to find.
#include <chrono>
#include <map>
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <nlohmann/json.hpp>

#include "binary_runner.hpp"
#include "cli/verbs.hpp"
#include "pg/connection.hpp"
#include "pg/schema_catalog.hpp"
#include "pg_test_env.hpp"

namespace optischema::cli {
namespace {

using optischema::testing::BinaryRunner;
using optischema::testing::CommandResult;
using optischema::testing::FreshDatabase;
using optischema::testing::RunSql;

// The first column of every row, read through libpq directly.
std::vector<std::string> Column(const std::string& dsn, const std::string& sql) {
    std::vector<std::string> out;
    PGconn* conn = PQconnectdb(dsn.c_str());
    PGresult* res = PQexec(conn, sql.c_str());
    out.reserve(static_cast<std::size_t>(PQntuples(res)));
    for (int i = 0; i < PQntuples(res); ++i) out.emplace_back(PQgetvalue(res, i, 0));
    PQclear(res);
    PQfinish(conn);
    return out;
}

// Every index of the database with its validity and definition: what `check` must leave as it found.
constexpr const char* kIndexListSql =
    "SELECT format('%s %s %s', indexrelid::regclass, indisvalid, pg_get_indexdef(indexrelid)) FROM pg_index "
    "ORDER BY indexrelid";

// A shop with one of each problem. orders_code_key is left INVALID by a failed CREATE UNIQUE INDEX
// CONCURRENTLY (the codes repeat).
void CreateShop(const std::string& dsn) {
    RunSql(dsn,
           "CREATE SCHEMA shop;"
           "CREATE TABLE shop.customers (id int PRIMARY KEY, email text NOT NULL, country text);"
           "INSERT INTO shop.customers SELECT g, 'u' || g || '@example.org', (ARRAY['DE', 'FR', NULL])[1 + g % 3]"
           " FROM generate_series(1, 5000) g;"
           "CREATE TABLE shop.orders (id bigint PRIMARY KEY, customer_id int NOT NULL REFERENCES shop.customers,"
           " status text NOT NULL, code text, note text, created_at timestamptz NOT NULL,"
           " CONSTRAINT orders_created_id_key UNIQUE (created_at, id));"
           "INSERT INTO shop.orders SELECT g, 1 + g % 5000, (ARRAY['open', 'paid', 'shipped'])[1 + g % 3],"
           " 'C' || (g % 1000), 'note ' || g, timestamptz '2024-01-01' + g * interval '1 minute'"
           " FROM generate_series(1, 20000) g;"
           "CREATE TABLE shop.\"Line Items\" (order_id bigint REFERENCES shop.orders, qty int);"
           "CREATE INDEX orders_status_idx ON shop.orders (status);"
           "CREATE INDEX orders_status_dup ON shop.orders (status);"
           "CREATE INDEX orders_created_idx ON shop.orders (created_at);"
           "CREATE INDEX orders_note_idx ON shop.orders (note);"
           "CREATE INDEX customers_fancy ON shop.customers"
           " (country COLLATE \"C\" text_pattern_ops DESC, lower(email)) INCLUDE (id) WHERE country IS NOT NULL;"
           "CREATE TABLE shop.events (id int NOT NULL, kind text) PARTITION BY RANGE (id);"
           "CREATE TABLE shop.events_1 PARTITION OF shop.events FOR VALUES FROM (0) TO (1000);"
           "CREATE TABLE shop.events_2 PARTITION OF shop.events FOR VALUES FROM (1000) TO (2000);"
           "INSERT INTO shop.events SELECT g, 'k' || (g % 7) FROM generate_series(0, 1999) g;"
           "CREATE INDEX events_kind_idx ON shop.events (kind);"
           "ANALYZE");
    EXPECT_THROW(RunSql(dsn, "CREATE UNIQUE INDEX CONCURRENTLY orders_code_key ON shop.orders (code)"),
                 std::runtime_error);
}

const model::IndexInfo* FindIndex(const model::SchemaSnapshot& s, const std::string& name) {
    for (const auto& ix : s.indexes) {
        if (ix.name == name) return &ix;
    }
    return nullptr;
}

class CheckTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dsn_ = FreshDatabase("check_shop");
        CreateShop(dsn_);
    }

    static Result<model::SchemaSnapshot> Read() {
        auto conn = pg::Connection::Open(dsn_);
        if (!conn) return tl::unexpected(conn.error());
        return pg::ReadSchema(*conn);
    }

    CommandResult Check(std::vector<std::string> args) {
        args.insert(args.begin(), {"check", "--dsn", dsn_});
        return runner_.Run(std::move(args));
    }

    static std::string dsn_;
    BinaryRunner runner_;
};

std::string CheckTest::dsn_;

// PostgreSQL 14 and earlier set pg_stat_database.stats_reset when a database's statistics start (its
// first activity since the cluster's statistics were created), not only on a reset; 15 leaves it NULL
// until a reset.
bool StatsStartCountsAsReset(const std::string& dsn) {
    return std::stoi(optischema::testing::QueryValue(dsn, "SHOW server_version_num")) < 150000;
}

TEST_F(CheckTest, ReadSchemaReadsIndexColumnsIncludeDirectionOpclassPredicateAndSizes) {
    auto s = Read();
    ASSERT_TRUE(s) << s.error().ToString();

    const auto* fancy = FindIndex(*s, "customers_fancy");
    ASSERT_NE(fancy, nullptr);
    EXPECT_EQ(fancy->schema, "shop");
    EXPECT_EQ(fancy->table, "customers");
    EXPECT_EQ(fancy->method, "btree");
    EXPECT_EQ(fancy->columns, (std::vector<std::string>{"country", "lower(email)"}));
    EXPECT_EQ(fancy->include, (std::vector<std::string>{"id"}));
    EXPECT_EQ(fancy->descending, (std::vector<bool>{true, false}));
    EXPECT_EQ(fancy->opclasses, (std::vector<std::string>{"COLLATE \"C\" text_pattern_ops", ""}));
    EXPECT_EQ(fancy->predicate, "(country IS NOT NULL)");
    EXPECT_NE(fancy->definition.find("USING btree (country COLLATE \"C\" text_pattern_ops DESC, lower(email))"),
              std::string::npos)
        << fancy->definition;
    EXPECT_FALSE(fancy->unique);
    EXPECT_FALSE(fancy->constraint_backed);
    EXPECT_TRUE(fancy->valid);
    EXPECT_GT(fancy->size_bytes, 0);

    const auto* pk = FindIndex(*s, "orders_pkey");
    ASSERT_NE(pk, nullptr);
    EXPECT_TRUE(pk->primary && pk->unique && pk->constraint_backed && pk->valid);
    EXPECT_EQ(pk->columns, (std::vector<std::string>{"id"}));
    EXPECT_TRUE(pk->predicate.empty());
    EXPECT_GT(pk->size_bytes, 8192 * 10);

    const auto* key = FindIndex(*s, "orders_created_id_key");
    ASSERT_NE(key, nullptr);
    EXPECT_TRUE(key->unique && key->constraint_backed && !key->primary);
    EXPECT_EQ(key->columns, (std::vector<std::string>{"created_at", "id"}));

    const auto* invalid = FindIndex(*s, "orders_code_key");
    ASSERT_NE(invalid, nullptr);
    EXPECT_FALSE(invalid->valid);
    EXPECT_TRUE(invalid->unique);
    EXPECT_FALSE(invalid->constraint_backed);

    EXPECT_EQ(FindIndex(*s, "pg_class_oid_index"), nullptr) << "catalog indexes are not user indexes";
}

TEST_F(CheckTest, ReadSchemaReadsTablesForeignKeysAndPartitions) {
    auto s = Read();
    ASSERT_TRUE(s) << s.error().ToString();
    const model::TableInfo* orders = nullptr;
    const model::TableInfo* events = nullptr;
    for (const auto& t : s->tables) {
        if (t.schema == "shop" && t.name == "orders") orders = &t;
        if (t.schema == "shop" && t.name == "events") events = &t;
        EXPECT_NE(t.schema, "pg_catalog");
        EXPECT_NE(t.schema, "information_schema");
    }
    ASSERT_NE(orders, nullptr);
    EXPECT_NEAR(orders->rows, 20000, 1);
    EXPECT_GT(orders->size_bytes, 20000 * 40);
    ASSERT_NE(events, nullptr);
    EXPECT_NEAR(events->rows, 2000, 1) << "a partitioned table counts its partitions' rows";
    EXPECT_GT(events->size_bytes, 0);

    const auto* events_kind = FindIndex(*s, "events_kind_idx");
    ASSERT_NE(events_kind, nullptr);
    EXPECT_GT(events_kind->size_bytes, 2 * 8192) << "a partitioned index counts its partitions' indexes";
    for (const auto& ix : s->indexes) {
        EXPECT_NE(ix.table, "events_1") << ix.name << " is attached to events_kind_idx";
    }

    ASSERT_EQ(s->foreign_keys.size(), 2u);
    for (const auto& fk : s->foreign_keys) {
        EXPECT_EQ(fk.schema, "shop");
        if (fk.table == "orders") {
            EXPECT_EQ(fk.columns, (std::vector<std::string>{"customer_id"}));
            EXPECT_EQ(fk.referenced_table, "customers");
        } else {
            EXPECT_EQ(fk.table, "Line Items");
            EXPECT_EQ(fk.columns, (std::vector<std::string>{"order_id"}));
            EXPECT_EQ(fk.referenced_table, "orders");
        }
    }
}

TEST_F(CheckTest, ReadSchemaCountsIndexScans) {
    RunSql(dsn_, "SET enable_seqscan = off; SELECT * FROM shop.orders WHERE id = 42");
    // A backend's counters reach the shared statistics as it exits, just after the client has gone.
    std::int64_t scans = 0;
    for (int i = 0; i < 50 && scans == 0; ++i) {
        auto s = Read();
        ASSERT_TRUE(s) << s.error().ToString();
        scans = FindIndex(*s, "orders_pkey")->scans;
        if (scans == 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_GE(scans, 1);
}

TEST_F(CheckTest, JsonFindsEachProblemAndChangesNothing) {
    const auto before = Column(dsn_, kIndexListSql);
    CommandResult run = Check({"--format", "json"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    EXPECT_EQ(Column(dsn_, kIndexListSql), before) << "check must not change the database";

    const auto j = nlohmann::json::parse(run.out);
    std::map<std::string, std::vector<nlohmann::json>> by_check;
    for (const auto& f : j["findings"]) {
        by_check[f["check"]].push_back(f);
        for (const char* key : {"check", "severity", "object", "table", "message", "fix_sql"}) {
            EXPECT_TRUE(f[key].is_string()) << key;
        }
        EXPECT_TRUE(f["wasted_bytes"].is_number());
        const std::string fix = f["fix_sql"];
        EXPECT_EQ(fix.find("orders_pkey"), std::string::npos) << "the primary key is never dropped: " << fix;
        EXPECT_EQ(fix.find("orders_created_id_key"), std::string::npos) << fix;
        EXPECT_EQ(fix.find("customers_pkey"), std::string::npos) << fix;
    }

    ASSERT_EQ(by_check["duplicate_index"].size(), 1u) << run.out;
    const auto& dup = by_check["duplicate_index"][0];
    const std::string dup_name = dup["object"];
    EXPECT_TRUE(dup_name == "shop.orders_status_idx" || dup_name == "shop.orders_status_dup") << dup_name;
    EXPECT_EQ(dup["fix_sql"], "DROP INDEX CONCURRENTLY " + dup_name + ";");
    EXPECT_EQ(dup["table"], "shop.orders");

    ASSERT_EQ(by_check["redundant_index"].size(), 1u) << run.out;
    EXPECT_EQ(by_check["redundant_index"][0]["object"], "shop.orders_created_idx");
    EXPECT_NE(by_check["redundant_index"][0]["message"].get<std::string>().find("shop.orders_created_id_key"),
              std::string::npos);

    ASSERT_EQ(by_check["invalid_index"].size(), 1u) << run.out;
    EXPECT_EQ(by_check["invalid_index"][0]["fix_sql"],
              "DROP INDEX CONCURRENTLY shop.orders_code_key;\n"
              "CREATE UNIQUE INDEX CONCURRENTLY orders_code_key ON shop.orders USING btree (code);");

    std::set<std::string> unused;
    for (const auto& f : by_check["unused_index"]) unused.insert(f["object"]);
    EXPECT_TRUE(unused.contains("shop.orders_note_idx"));
    EXPECT_TRUE(unused.contains("shop.customers_fancy"));
    const bool started_is_reset = StatsStartCountsAsReset(dsn_);
    for (const auto& f : by_check["unused_index"]) {
        const std::string message = f["message"];
        if (started_is_reset) {
            // A short time since the statistics started: short evidence, so low whatever the size.
            EXPECT_NE(message.find("short evidence"), std::string::npos) << message;
            EXPECT_EQ(f["severity"], "low") << message;
        } else {
            EXPECT_NE(message.find("no reset"), std::string::npos) << "stats never reset: " << message;
        }
    }

    std::set<std::string> fk_fixes;
    for (const auto& f : by_check["unindexed_foreign_key"]) fk_fixes.insert(f["fix_sql"]);
    EXPECT_EQ(fk_fixes, (std::set<std::string>{"CREATE INDEX CONCURRENTLY ON shop.orders (customer_id);",
                                               "CREATE INDEX CONCURRENTLY ON shop.\"Line Items\" (order_id);"}));

    EXPECT_TRUE(by_check["index_bloat"].empty()) << "fresh indexes are not bloated";
    EXPECT_EQ(j["summary"]["tables"], 6);
    EXPECT_GE(j["summary"]["indexes"].get<int>(), 10);
    EXPECT_EQ(j["summary"]["stats_age_s"].is_null(), !started_is_reset) << run.out;
}

TEST_F(CheckTest, TextShowsSeverityObjectAndFix) {
    CommandResult run = Check({});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    EXPECT_NE(run.out.find("[medium] invalid_index — shop.orders_code_key\n"), std::string::npos) << run.out;
    EXPECT_NE(run.out.find("  Fix: DROP INDEX CONCURRENTLY shop.orders_code_key;\n"
                           "       CREATE UNIQUE INDEX CONCURRENTLY orders_code_key"),
              std::string::npos)
        << run.out;
    EXPECT_NE(run.out.find("findings ("), std::string::npos) << run.out;
    const char* reset = StatsStartCountsAsReset(dsn_) ? "statistics reset " : "statistics never reset";
    EXPECT_NE(run.out.find(reset), std::string::npos) << run.out;
}

TEST(CheckErrorsTest, BadDsnIsAUsageError) {
    BinaryRunner runner;
    CommandResult run = runner.Run({"check", "--dsn", "postgresql://[bad"});
    EXPECT_EQ(run.exit_code, 2);
    EXPECT_TRUE(run.out.empty());
    EXPECT_FALSE(run.err.empty());
}

TEST(CheckCleanTest, CleanDatabaseHasNoFindingsAndAKnownResetAge) {
    const std::string dsn = FreshDatabase("check_clean");
    RunSql(dsn,
           "CREATE TABLE accounts (id int PRIMARY KEY, owner text);"
           "CREATE TABLE ledger (id int PRIMARY KEY, account_id int REFERENCES accounts);"
           "CREATE INDEX ledger_account_id_idx ON ledger (account_id);"
           "SELECT pg_stat_reset()");
    auto out = RunCheck({.dsn = dsn, .format = "text"});
    ASSERT_TRUE(out) << out.error().ToString();
    EXPECT_TRUE(out->starts_with("No index problems found.\n")) << *out;

    auto json = RunCheck({.dsn = dsn, .format = "json"});
    ASSERT_TRUE(json) << json.error().ToString();
    auto j = nlohmann::json::parse(*json);
    // Up to PostgreSQL 14 a statistics collector process applies the reset a moment later.
    for (int i = 0; i < 50 && StatsStartCountsAsReset(dsn) && !j["summary"]["stats_age_s"].is_number(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        json = RunCheck({.dsn = dsn, .format = "json"});
        ASSERT_TRUE(json) << json.error().ToString();
        j = nlohmann::json::parse(*json);
    }
    EXPECT_TRUE(j["findings"].empty());
    ASSERT_TRUE(j["summary"]["stats_age_s"].is_number()) << *json;
    EXPECT_LT(j["summary"]["stats_age_s"].get<double>(), 600);
    EXPECT_EQ(j["summary"]["tables"], 2);
    EXPECT_EQ(j["summary"]["indexes"], 3);
}

// Running every proposed fix, one statement at a time as a user would paste them, leaves nothing to find.
TEST(CheckFixTest, ProposedFixesRunAndResolveEveryFinding) {
    const std::string dsn = FreshDatabase("check_fixes");
    CreateShop(dsn);
    auto first = RunCheck({.dsn = dsn, .format = "json"});
    ASSERT_TRUE(first) << first.error().ToString();
    const auto j = nlohmann::json::parse(*first);
    ASSERT_GE(j["findings"].size(), 6u);
    // The invalid unique index failed on repeated codes: the message says to remove them first.
    RunSql(dsn, "UPDATE shop.orders SET code = 'C' || id");
    for (const auto& f : j["findings"]) {
        std::string fix = f["fix_sql"];
        std::size_t start = 0;
        while (start < fix.size()) {
            const auto end = fix.find('\n', start);
            const std::string statement = fix.substr(start, end == std::string::npos ? std::string::npos : end - start);
            EXPECT_NO_THROW(RunSql(dsn, statement)) << statement;
            start = end == std::string::npos ? fix.size() : end + 1;
        }
    }
    auto second = RunCheck({.dsn = dsn, .format = "text"});
    ASSERT_TRUE(second) << second.error().ToString();
    EXPECT_TRUE(second->starts_with("No index problems found.\n")) << *second;
    EXPECT_EQ(Column(dsn, "SELECT count(*) FROM pg_index WHERE NOT indisvalid"), std::vector<std::string>{"0"});
    EXPECT_EQ(Column(dsn, "SELECT count(*) FROM pg_index WHERE indexrelid = 'shop.orders_pkey'::regclass"),
              std::vector<std::string>{"1"});
}

}  // namespace
}  // namespace optischema::cli
