#include "pg_test_env.hpp"

#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>

#include <gtest/gtest.h>
#include <libpq-fe.h>

namespace optischema::testing {

namespace {

// Throws unless the server at `dsn` is PostgreSQL `major`: a test of one major never passes on another.
void CheckMajor(const std::string& dsn, const std::string& major) {
    const std::string version = QueryValue(dsn, "SELECT current_setting('server_version_num')");
    if (version.size() < 5 || version.substr(0, version.size() - 4) != major) {
        throw std::runtime_error("the test cluster runs PostgreSQL " + version + ", not " + major +
                                 " as OPTISCHEMA_TEST_PG_MAJOR says: restart it with scripts/pg_versions.sh start " +
                                 major + " DIR");
    }
}

}  // namespace

std::string ClusterDsn() {
    const char* dir = std::getenv("OPTISCHEMA_TEST_CLUSTER_DIR");
    if (dir == nullptr) throw std::runtime_error("OPTISCHEMA_TEST_CLUSTER_DIR is not set: run pgtests through ctest");
    std::ifstream in(std::string(dir) + "/dsn");
    std::string dsn;
    if (!std::getline(in, dsn) || dsn.empty()) {
        throw std::runtime_error(std::string("no test cluster DSN in ") + dir + "/dsn: did pg_cluster_start fail?");
    }
    if (const char* major = std::getenv("OPTISCHEMA_TEST_PG_MAJOR"); major != nullptr) {
        static const bool checked = (CheckMajor(dsn, major), true);
        (void)checked;
    }
    return dsn;
}

std::optional<int> ExpectedMajor() {
    const char* major = std::getenv("OPTISCHEMA_TEST_PG_MAJOR");
    if (major == nullptr || *major == '\0') return std::nullopt;
    return std::stoi(major);
}

bool ClusterHasHypoPG() { return !ExpectedMajor().has_value(); }

std::string WithParams(const std::string& dsn, const std::string& extra) { return dsn + " " + extra; }

void RunSql(const std::string& dsn, const std::string& sql) {
    PGconn* conn = PQconnectdb(dsn.c_str());
    if (PQstatus(conn) != CONNECTION_OK) {
        std::string msg = PQerrorMessage(conn);
        PQfinish(conn);
        throw std::runtime_error("test setup cannot connect: " + msg);
    }
    PGresult* res = PQexec(conn, sql.c_str());
    const auto status = PQresultStatus(res);
    std::string msg = PQerrorMessage(conn);
    PQclear(res);
    PQfinish(conn);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        throw std::runtime_error("test setup SQL failed: " + msg + " in: " + sql);
    }
}

std::string QueryValue(const std::string& dsn, const std::string& sql) {
    PGconn* conn = PQconnectdb(dsn.c_str());
    PGresult* res = PQexec(conn, sql.c_str());
    const bool ok = PQresultStatus(res) == PGRES_TUPLES_OK;
    std::string out = ok && PQntuples(res) > 0 ? PQgetvalue(res, 0, 0) : "";
    const std::string error = PQerrorMessage(conn);
    PQclear(res);
    PQfinish(conn);
    if (!ok) throw std::runtime_error("test query failed: " + error + " in: " + sql);
    return out;
}

std::string FreshDatabase(const std::string& name) {
    const std::string admin = ClusterDsn();
    RunSql(admin, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    RunSql(admin, "CREATE DATABASE " + name);
    return WithParams(admin, "dbname=" + name);
}

}  // namespace optischema::testing
