#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "pg/capabilities.hpp"
#include "pg/connection.hpp"
#include "pg_test_env.hpp"

namespace optischema::pg {
namespace {

using optischema::testing::ClusterDsn;
using optischema::testing::FreshDatabase;
using optischema::testing::RunSql;
using optischema::testing::WithParams;

std::string Scalar(Connection& conn, const std::string& sql) {
    auto rows = conn.Query(sql);
    EXPECT_TRUE(rows) << (rows ? "" : rows.error().ToString());
    if (!rows || rows->empty()) return "";
    return (*rows)[0][0].value_or("NULL");
}

TEST(ConnectionPgTest, SessionCarriesNameAndLimits) {
    auto conn = Connection::Open(ClusterDsn(), SessionLimits{.statement_timeout = std::chrono::milliseconds(1234),
                                                             .lock_timeout = std::chrono::milliseconds(567)});
    ASSERT_TRUE(conn) << conn.error().ToString();
    EXPECT_EQ(Scalar(*conn, "SHOW application_name"), "optischema");
    EXPECT_EQ(Scalar(*conn, "SHOW statement_timeout"), "1234ms");
    EXPECT_EQ(Scalar(*conn, "SHOW lock_timeout"), "567ms");
    EXPECT_EQ(Scalar(*conn, "SHOW idle_in_transaction_session_timeout"), "1min");
    EXPECT_GE(conn->ServerVersionNum(), 130000);
    EXPECT_FALSE(conn->ServerVersion().empty());
    EXPECT_EQ(conn->ServerVersion().find(' '), std::string::npos);
}

TEST(ConnectionPgTest, ApplicationNameWinsOverTheDsn) {
    auto conn = Connection::Open(WithParams(ClusterDsn(), "application_name=someone_else"));
    ASSERT_TRUE(conn);
    EXPECT_EQ(Scalar(*conn, "SHOW application_name"), "optischema");
}

TEST(ConnectionPgTest, ParametersAndNulls) {
    auto conn = Connection::Open(ClusterDsn());
    ASSERT_TRUE(conn);
    const std::optional<std::string> params[] = {std::string("41"), std::nullopt};
    auto rows = conn->Query("SELECT $1::int + 1 AS answer, $2::text IS NULL AS missing", params);
    ASSERT_TRUE(rows) << rows.error().ToString();
    ASSERT_EQ(rows->size(), 1u);
    EXPECT_EQ(rows->columns()[0], "answer");
    EXPECT_EQ(rows->ColumnIndex("missing"), 1);
    EXPECT_EQ((*rows)[0][0], "42");
    EXPECT_EQ((*rows)[0][1], "t");
    auto null_row = conn->Query("SELECT NULL::text");
    ASSERT_TRUE(null_row);
    EXPECT_FALSE((*null_row)[0][0].has_value());
}

TEST(ConnectionPgTest, ErrorsCarrySqlstate) {
    auto conn = Connection::Open(ClusterDsn());
    ASSERT_TRUE(conn);
    auto missing = conn->Query("SELECT * FROM no_such_table_xyz");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, ErrorCode::kQueryFailed);
    EXPECT_EQ(missing.error().sqlstate, "42P01");
    EXPECT_NE(missing.error().message.find("no_such_table_xyz"), std::string::npos);
}

TEST(ConnectionPgTest, ExecuteRefusesASecondStatement) {
    const std::string dsn = FreshDatabase("conn_single");
    RunSql(dsn, "CREATE TABLE keep (id int)");
    auto conn = Connection::Open(dsn);
    ASSERT_TRUE(conn);
    auto smuggled = conn->Execute("SELECT 1; DROP TABLE keep");
    ASSERT_FALSE(smuggled);
    EXPECT_EQ(smuggled.error().sqlstate, "42601");
    EXPECT_TRUE(conn->Query("SELECT count(*) FROM public.keep")) << "the second statement must not have run";
}

TEST(ConnectionPgTest, StatementTimeoutIsEnforced) {
    auto conn = Connection::Open(ClusterDsn(), SessionLimits{.statement_timeout = std::chrono::milliseconds(100)});
    ASSERT_TRUE(conn);
    auto slow = conn->Query("SELECT pg_sleep(5)");
    ASSERT_FALSE(slow);
    EXPECT_EQ(slow.error().sqlstate, "57014");
    EXPECT_NE(slow.error().message.find("statement_timeout"), std::string::npos);
}

TEST(ConnectionPgTest, LockTimeoutIsEnforced) {
    const std::string dsn = FreshDatabase("conn_lock");
    RunSql(dsn, "CREATE TABLE locked (id int)");
    auto holder = Connection::Open(dsn);
    auto waiter = Connection::Open(dsn, SessionLimits{.lock_timeout = std::chrono::milliseconds(100)});
    ASSERT_TRUE(holder && waiter);
    ASSERT_TRUE(holder->ExecuteAll({"BEGIN", "LOCK TABLE public.locked IN ACCESS EXCLUSIVE MODE"}));
    auto blocked = waiter->Query("SELECT count(*) FROM public.locked");
    ASSERT_FALSE(blocked);
    EXPECT_EQ(blocked.error().sqlstate, "55P03");
    ASSERT_TRUE(holder->Execute("ROLLBACK"));
}

TEST(ConnectionPgTest, ConnectionErrorsSayWhatToDo) {
    auto missing_db = Connection::Open(WithParams(ClusterDsn(), "dbname=no_such_database"));
    ASSERT_FALSE(missing_db);
    EXPECT_EQ(missing_db.error().code, ErrorCode::kConnectionFailed);
    EXPECT_NE(missing_db.error().message.find("does not exist"), std::string::npos);
    EXPECT_NE(missing_db.error().message.find("check the database name"), std::string::npos);

    auto no_server = Connection::Open("host=/nonexistent-socket-dir port=5999 dbname=x");
    ASSERT_FALSE(no_server);
    EXPECT_NE(no_server.error().message.find("PostgreSQL is running"), std::string::npos);

    auto refused = Connection::Open("host=127.0.0.1 port=1 dbname=x connect_timeout=2");
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message.find("check host and port"), std::string::npos);

    auto malformed = Connection::Open("host=localhost dbname");
    ASSERT_FALSE(malformed);
    EXPECT_EQ(malformed.error().code, ErrorCode::kInvalidArgument);
}

TEST(ConnectionPgTest, WrongPasswordIsReported) {
    // The test cluster's pg_hba.conf requires a SCRAM password for this one role (scripts/pg_cluster.sh).
    const std::string admin = ClusterDsn();
    RunSql(admin, "DROP ROLE IF EXISTS optischema_pw");
    RunSql(admin, "CREATE ROLE optischema_pw LOGIN PASSWORD 'right'");
    auto good = Connection::Open(WithParams(admin, "user=optischema_pw password=right"));
    ASSERT_TRUE(good) << good.error().ToString();
    auto bad = Connection::Open(WithParams(admin, "user=optischema_pw password=wrong"));
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, ErrorCode::kConnectionFailed);
    EXPECT_NE(bad.error().message.find("password authentication failed"), std::string::npos);
    EXPECT_NE(bad.error().message.find("check the user name and password"), std::string::npos);
    EXPECT_EQ(bad.error().message.find("wrong"), std::string::npos) << "the password must not be echoed";
}

// libpq's own ways of finding a server and a password work unchanged: environment variables,
// the password file and the service file.
TEST(ConnectionPgTest, HonoursPgpassServiceFileAndEnvironment) {
    const std::string admin = ClusterDsn();
    RunSql(admin, "DROP ROLE IF EXISTS optischema_pw");
    RunSql(admin, "CREATE ROLE optischema_pw LOGIN PASSWORD 'from-pgpass'");
    auto field = [&](const std::string& key) {
        const auto start = admin.find(key + "=") + key.size() + 1;
        return admin.substr(start, admin.find(' ', start) - start);
    };
    const std::string host = field("host");
    const std::string port = field("port");
    char dir_template[] = "/tmp/optischema-libpq-XXXXXX";
    const std::string dir = mkdtemp(dir_template);
    const std::string pgpass = dir + "/pgpass";
    const std::string services = dir + "/services";
    {
        std::ofstream(pgpass) << "*:*:*:optischema_pw:from-pgpass\n";
        std::ofstream(services) << "[reporting]\nhost=" << host << "\nport=" << port
                                << "\ndbname=postgres\nuser=optischema_pw\n";
    }
    chmod(pgpass.c_str(), 0600);  // libpq ignores a password file others can read
    setenv("PGPASSFILE", pgpass.c_str(), 1);
    setenv("PGSERVICEFILE", services.c_str(), 1);

    auto via_service = Connection::Open("service=reporting");
    EXPECT_TRUE(via_service) << (via_service ? "" : via_service.error().ToString());
    if (via_service) {
        EXPECT_EQ(via_service->User(), "optischema_pw");
    }

    setenv("PGHOST", host.c_str(), 1);
    setenv("PGPORT", port.c_str(), 1);
    setenv("PGUSER", "optischema_pw", 1);
    setenv("PGDATABASE", "postgres", 1);
    auto via_env = Connection::Open("");
    EXPECT_TRUE(via_env) << (via_env ? "" : via_env.error().ToString());

    for (const char* var : {"PGPASSFILE", "PGSERVICEFILE", "PGHOST", "PGPORT", "PGUSER", "PGDATABASE"}) unsetenv(var);
    std::filesystem::remove_all(dir);
}

TEST(CapabilitiesPgTest, DetectsExtensionsAndPrivileges) {
    const std::string dsn = FreshDatabase("caps_full");
    auto conn = Connection::Open(dsn);
    ASSERT_TRUE(conn);
    auto caps = DetectCapabilities(*conn);
    ASSERT_TRUE(caps) << caps.error().ToString();
    EXPECT_TRUE(caps->pg_stat_statements_loaded);
    ASSERT_TRUE(caps->pg_stat_statements_version.has_value());
    EXPECT_EQ(caps->pg_stat_statements_schema, "public");
    EXPECT_TRUE(caps->HasColumn("queryid"));
    EXPECT_TRUE(caps->HasColumn("total_exec_time"));
    EXPECT_EQ(caps->HasColumn("toplevel"), caps->server_version_num >= 140000);
    EXPECT_EQ(caps->pg_stat_statements_info, caps->server_version_num >= 140000);
    // The packaged servers of the other majors have no HypoPG: detected as missing, not as an error.
    EXPECT_EQ(caps->hypopg_available, optischema::testing::ClusterHasHypoPG());
    EXPECT_EQ(caps->hypopg_version.has_value(), optischema::testing::ClusterHasHypoPG());
    EXPECT_TRUE(caps->is_superuser);
    EXPECT_TRUE(caps->can_read_all_stats);
    EXPECT_EQ(caps->database, "caps_full");
    EXPECT_TRUE(caps->RequireStatStatements());
    EXPECT_TRUE(caps->RequireReadAllStats());
}

TEST(CapabilitiesPgTest, MissingExtensionAndPrivilegeGiveTheFix) {
    const std::string dsn = FreshDatabase("caps_bare");
    RunSql(dsn, "DROP EXTENSION pg_stat_statements");
    RunSql(ClusterDsn(), "DROP ROLE IF EXISTS caps_reader");
    RunSql(ClusterDsn(), "CREATE ROLE caps_reader LOGIN");
    auto conn = Connection::Open(WithParams(dsn, "user=caps_reader"));
    ASSERT_TRUE(conn) << conn.error().ToString();
    auto caps = DetectCapabilities(*conn);
    ASSERT_TRUE(caps) << caps.error().ToString();
    EXPECT_FALSE(caps->is_superuser);
    auto pgss = caps->RequireStatStatements();
    ASSERT_FALSE(pgss);
    EXPECT_EQ(pgss.error().code, ErrorCode::kPrerequisiteMissing);
    EXPECT_NE(pgss.error().message.find("CREATE EXTENSION pg_stat_statements"), std::string::npos);
    auto stats = caps->RequireReadAllStats();
    ASSERT_FALSE(stats);
    EXPECT_NE(stats.error().message.find("GRANT pg_read_all_stats TO caps_reader"), std::string::npos);

    RunSql(ClusterDsn(), "GRANT pg_read_all_stats TO caps_reader");
    auto again = Connection::Open(WithParams(dsn, "user=caps_reader"));
    ASSERT_TRUE(again);
    auto caps2 = DetectCapabilities(*again);
    ASSERT_TRUE(caps2);
    EXPECT_TRUE(caps2->can_read_all_stats);
}

}  // namespace
}  // namespace optischema::pg
