// A DSN from an untrusted source, confined, against a real cluster whose pg_hba.conf requires a SCRAM
// password for the role optischema_pw (scripts/pg_cluster.sh): the password the server's own password
// file and environment hold is never used for it.
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pg/connection.hpp"
#include "pg/dsn.hpp"
#include "pg_test_env.hpp"

namespace optischema::pg {
namespace {

using optischema::testing::ClusterDsn;
using optischema::testing::RunSql;
using optischema::testing::WithParams;

TEST(UntrustedDsnPgTest, TheServersPasswordFileAndPgpasswordAreNotUsed) {
    const std::string admin = ClusterDsn();
    RunSql(admin, "DROP ROLE IF EXISTS optischema_pw");
    RunSql(admin, "CREATE ROLE optischema_pw LOGIN PASSWORD 'from-pgpass'");
    char dir_template[] = "/tmp/optischema-untrusted-XXXXXX";
    const std::string dir = mkdtemp(dir_template);
    const std::string pgpass = dir + "/pgpass";
    std::ofstream(pgpass) << "*:*:*:optischema_pw:from-pgpass\n";
    chmod(pgpass.c_str(), 0600);
    const std::string dsn = WithParams(admin, "user=optischema_pw dbname=postgres");

    setenv("PGPASSFILE", pgpass.c_str(), 1);
    EXPECT_TRUE(Connection::Open(dsn)) << "the password file works for a trusted DSN";
    auto confined = ConfineUntrustedDsn(dsn);
    ASSERT_TRUE(confined) << confined.error().message;
    auto refused = Connection::Open(*confined);
    ASSERT_FALSE(refused) << "a confined DSN used the server's password file";
    EXPECT_NE(refused.error().message.find("password"), std::string::npos) << refused.error().message;
    unsetenv("PGPASSFILE");

    setenv("PGPASSWORD", "from-pgpass", 1);
    EXPECT_TRUE(Connection::Open(dsn)) << "PGPASSWORD works for a trusted DSN";
    EXPECT_FALSE(Connection::Open(*confined)) << "a confined DSN used PGPASSWORD";
    unsetenv("PGPASSWORD");

    // Its own password is the one a confined DSN connects with.
    auto own = ConfineUntrustedDsn(WithParams(dsn, "password=from-pgpass"));
    ASSERT_TRUE(own);
    EXPECT_TRUE(Connection::Open(*own)) << *own;

    // A service named in the environment cannot be switched off from a DSN: refused.
    setenv("PGSERVICE", "reporting", 1);
    auto with_service = ConfineUntrustedDsn(dsn);
    unsetenv("PGSERVICE");
    ASSERT_FALSE(with_service);
    EXPECT_NE(with_service.error().message.find("PGSERVICE"), std::string::npos);
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace optischema::pg
