// The attacks of issue 17, planted by a role without privileges in a real cluster, against the gate
// that stands before every EXPLAIN, benchmark and comparison of a text OptiSchema did not write.
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "guard/gate.hpp"
#include "pg/connection.hpp"
#include "pg_test_env.hpp"

namespace optischema::guard {
namespace {

using optischema::testing::FreshDatabase;
using optischema::testing::QueryValue;
using optischema::testing::RunSql;

class GateTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dsn_ = new std::string(FreshDatabase("guard_attacks"));
        RunSql(*dsn_, R"SQL(
            DO $$ BEGIN
                IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'planter') THEN CREATE ROLE planter LOGIN; END IF;
            END $$;
            CREATE SCHEMA p AUTHORIZATION planter;
            GRANT CREATE ON DATABASE guard_attacks TO planter;
            CREATE TABLE public.t (id int PRIMARY KEY, v text);
            INSERT INTO public.t SELECT g, 'v' || g FROM generate_series(1, 100) g;
            GRANT SELECT ON public.t TO planter;
            SET ROLE planter;
            CREATE SEQUENCE p.bumps;
            -- Harmless for the planter, whose search_path puts these look-alikes first.
            CREATE FUNCTION p.lo_export(oid, text) RETURNS int LANGUAGE sql AS 'SELECT 1';
            CREATE TABLE p.cfg (o oid, path text);
            -- An IMMUTABLE function with an effect: planning alone would run it.
            CREATE FUNCTION p.bump(int) RETURNS int IMMUTABLE LANGUAGE plpgsql
                AS 'BEGIN PERFORM nextval(''p.bumps''); RETURN $1; END';
            CREATE VIEW p.sessions AS SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity
                WHERE usename = current_user AND pid <> pg_backend_pid();
            CREATE TABLE p.indexed (id int);
            CREATE INDEX ON p.indexed (p.bump(id));
            CREATE SCHEMA evil;
            CREATE FUNCTION evil.now() RETURNS timestamptz LANGUAGE sql STABLE AS 'SELECT pg_catalog.now() + pg_catalog.make_interval(secs => pg_catalog.nextval(''p.bumps''))';
            RESET ROLE;
        )SQL");
        RunSql(*dsn_, "INSERT INTO p.cfg VALUES (lo_from_bytea(0, 'owned'), '" + File() + "')");
    }
    static void TearDownTestSuite() {
        delete dsn_;
        dsn_ = nullptr;
    }
    static std::string File() { return (std::filesystem::temp_directory_path() / "optischema_guard_owned").string(); }
    static std::int64_t Bumps() { return std::stoll(QueryValue(*dsn_, "SELECT last_value FROM p.bumps")); }

    static pg::Connection Open() {
        auto conn = pg::Connection::Open(*dsn_);
        EXPECT_TRUE(conn) << conn.error().ToString();
        return std::move(*conn);
    }

    static std::string* dsn_;
};
std::string* GateTest::dsn_ = nullptr;

void ExpectRefused(const Result<Cleared>& r, const std::string& names) {
    ASSERT_FALSE(r) << "cleared: " << r->sql();
    EXPECT_NE(r.error().message.find(names), std::string::npos) << r.error().ToString();
}

TEST_F(GateTest, ATerminateBackendIsRefusedToRunAndNoSessionEnds) {
    auto victim = Open();
    auto conn = Open();
    const std::string planted =
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = current_user AND pid <> "
        "pg_backend_pid()";
    ExpectRefused(Clear(conn, planted, {.use = Use::kRun}), "pg_catalog.pg_terminate_backend(");
    // Planning it runs nothing, so a plain EXPLAIN stays possible.
    auto plan_only = Clear(conn, planted, {.use = Use::kPlan});
    ASSERT_TRUE(plan_only) << plan_only.error().ToString();
    auto plan = ExplainJson(conn, "", *plan_only);
    ASSERT_TRUE(plan) << plan.error().ToString();
    EXPECT_FALSE(ExplainJson(conn, "ANALYZE", *plan_only)) << "ANALYZE needs a statement cleared to run";
    EXPECT_TRUE(victim.Query("SELECT 1")) << "the other session was ended";
}

TEST_F(GateTest, AViewHidingATerminateBackendIsRefused) {
    auto conn = Open();
    ExpectRefused(Clear(conn, "SELECT * FROM p.sessions", {.use = Use::kRun}), "view p.sessions");
}

TEST_F(GateTest, LoExportBehindALookAlikeIsRefusedAndWritesNoFile) {
    std::filesystem::remove(File());
    auto conn = Open();
    const std::string planted = "SELECT lo_export(c.o, c.path) FROM p.cfg c";
    ExpectRefused(Clear(conn, planted, {.use = Use::kRun}), "pg_catalog.lo_export");
    ExpectRefused(Clear(conn, "SELECT p.lo_export(c.o, c.path) FROM p.cfg c", {.use = Use::kPlan}), "p.lo_export(oid, text)");
    EXPECT_FALSE(std::filesystem::exists(File()));
}

TEST_F(GateTest, AnImmutableFunctionWithAnEffectIsRefusedEvenToPlan) {
    auto conn = Open();
    const auto before = Bumps();
    ExpectRefused(Clear(conn, "SELECT * FROM public.t WHERE id = p.bump(1)", {.use = Use::kPlan}), "p.bump(integer)");
    ExpectRefused(Clear(conn, "SELECT * FROM p.indexed WHERE id = 1", {.use = Use::kPlan}), "an index on p.indexed");
    EXPECT_EQ(Bumps(), before);
    // An administrator may allow it.
    auto allowed = Clear(conn, "SELECT * FROM public.t WHERE id = p.bump(1)",
                         {.use = Use::kPlan, .allow = {{"p.bump"}}});
    EXPECT_TRUE(allowed) << allowed.error().ToString();
}

TEST_F(GateTest, TheDatabasesSearchPathCannotSubstituteFunctions) {
    RunSql(*dsn_, "ALTER DATABASE guard_attacks SET search_path = evil, pg_catalog, public");
    auto conn = Open();
    RunSql(*dsn_, "ALTER DATABASE guard_attacks RESET search_path");
    // OptiSchema's own statements run under its pinned path.
    auto own = conn.Query("SELECT current_setting('search_path'), now() IS NOT NULL");
    ASSERT_TRUE(own) << own.error().ToString();
    EXPECT_EQ((*own)[0][0].value_or(""), "pg_catalog, pg_temp");
    const auto before = Bumps();
    ExpectRefused(Clear(conn, "SELECT now()", {.use = Use::kPlan}), "evil.now()");
    EXPECT_EQ(Bumps(), before);
    // A statement that reaches nothing of evil's runs under the database's own path.
    auto cleared = Clear(conn, "SELECT count(*) FROM t WHERE id BETWEEN 1 AND 5", {.use = Use::kRun});
    ASSERT_TRUE(cleared) << cleared.error().ToString();
    EXPECT_EQ(cleared->search_path(), "evil, pg_catalog, public");
    auto plan = ExplainJson(conn, "ANALYZE", *cleared);
    ASSERT_TRUE(plan) << plan.error().ToString();
    auto after = conn.Query("SELECT current_setting('search_path')");
    ASSERT_TRUE(after);
    EXPECT_EQ((*after)[0][0].value_or(""), "pg_catalog, pg_temp") << "the statement's path leaked out";
}

TEST_F(GateTest, AnOperatorOutsidePgCatalogIsRefused) {
    RunSql(*dsn_, R"SQL(
        SET ROLE planter;
        CREATE FUNCTION p.int_eq(int, int) RETURNS bool IMMUTABLE LANGUAGE sql AS 'SELECT $1 = $2';
        CREATE OPERATOR p.= (LEFTARG = int, RIGHTARG = int, FUNCTION = p.int_eq);
        RESET ROLE;
    )SQL");
    auto conn = Open();
    ExpectRefused(Clear(conn, "SELECT * FROM t WHERE id OPERATOR(p.=) 1", {.use = Use::kPlan}), "operator p.=");
    RunSql(*dsn_, "DROP OPERATOR p.= (int, int); DROP FUNCTION p.int_eq(int, int)");
}

TEST_F(GateTest, OnlyOneQueryAndWritesOnlyWhenAllowed) {
    auto conn = Open();
    ExpectRefused(Clear(conn, "SELECT 1; SELECT 2", {.use = Use::kPlan}), "2 statements");
    ExpectRefused(Clear(conn, "DO $$ BEGIN PERFORM 1; END $$", {.use = Use::kPlan}), "DO");
    ExpectRefused(Clear(conn, "COPY t TO STDOUT", {.use = Use::kPlan}), "COPY");
    ExpectRefused(Clear(conn, "SELECT * INTO t2 FROM public.t", {.use = Use::kRun}), "creates a table");
    ExpectRefused(Clear(conn, "WITH d AS (DELETE FROM public.t RETURNING id) SELECT count(*) FROM d", {.use = Use::kRun}),
                  "--allow-writes");
    auto write = Clear(conn, "DELETE FROM public.t WHERE id < 10", {.use = Use::kRun, .allow_writes = true});
    ASSERT_TRUE(write) << write.error().ToString();
    ASSERT_TRUE(ExplainJson(conn, "ANALYZE", *write));
    EXPECT_EQ(QueryValue(*dsn_, "SELECT count(*) FROM public.t"), "100") << "the write was not rolled back";
}

TEST_F(GateTest, AReadRunsReadOnly) {
    auto conn = Open();
    // nextval is refused by name; the READ ONLY transaction is the second wall behind the gate.
    auto cleared = Clear(conn, "SELECT currval('p.bumps')", {.use = Use::kRun});
    ASSERT_TRUE(cleared) << cleared.error().ToString();
    bool read_only = false;
    ASSERT_TRUE(InStatementTransaction(conn, *cleared, [&]() -> Result<void> {
        auto r = conn.Query("SHOW transaction_read_only");
        if (!r) return tl::unexpected(r.error());
        read_only = (*r)[0][0].value_or("") == "on";
        return {};
    }));
    EXPECT_TRUE(read_only);
}

}  // namespace
}  // namespace optischema::guard
