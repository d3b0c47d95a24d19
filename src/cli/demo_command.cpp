#include "cli/demo_command.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <fmt/format.h>
#include <signal.h>
#include <sys/stat.h>

#include "api/auth.hpp"
#include "cli/demo_sql.hpp"
#include "common/quote.hpp"
#include "pg/connection.hpp"
#include "sandbox/managed_cluster.hpp"
#include "sandbox/process.hpp"
#include "server/serve.hpp"
#include "sqlparse/sqlparse.hpp"

namespace optischema::cli {
namespace {

namespace fs = std::filesystem;

constexpr int kMajorVersion = 15;

// The demo's admin password: made once, kept (mode 0600) so every run can print it.
Result<std::string> DemoPassword(const fs::path& file) {
    if (std::ifstream in(file); in) {
        std::string password;
        std::getline(in, password);
        if (!password.empty()) return password;
    }
    const std::string password = api::NewToken().substr(0, 16);
    {
        std::ofstream out(file);
        out << password << "\n";
        if (!out) return MakeError(ErrorCode::kStorage, fmt::format("cannot write {}", file.string()));
    }
    ::chmod(file.c_str(), 0600);
    return password;
}

Result<void> LoadShop(pg::Connection& admin, const sandbox::ManagedCluster& cluster) {
    auto exists = admin.Query("SELECT 1 FROM pg_database WHERE datname = 'shop'");
    if (!exists) return tl::unexpected(exists.error());
    if (!exists->empty()) return {};
    std::cout << "demo: loading the shop database (200k customers, 1M orders, 1.5M order items)..." << std::flush;
    const auto start = std::chrono::steady_clock::now();
    // Loaded under another name and renamed at the end: an interrupted load is never taken for a finished one.
    if (auto ok = admin.Execute("DROP DATABASE IF EXISTS shop_loading"); !ok) return tl::unexpected(ok.error());
    if (auto ok = admin.Execute("CREATE DATABASE shop_loading"); !ok) return tl::unexpected(ok.error());
    {
        auto loading = pg::Connection::Open(cluster.Dsn("shop_loading"),
                                            pg::SessionLimits{.statement_timeout = std::chrono::minutes(10)});
        if (!loading) return tl::unexpected(loading.error());
        // The demo's own schema script, in a database made for it: its tables go to public.
        if (auto ok = loading->Execute("SET search_path = public"); !ok) return tl::unexpected(ok.error());
        // One statement at a time: the script ends with VACUUM, which cannot run in a multi-statement string.
        auto statements = sqlparse::SplitStatements(kDemoSchemaSql);
        if (!statements) return tl::unexpected(statements.error());
        for (const auto& sql : *statements) {
            if (auto ok = loading->ExecuteScript(sql); !ok) return tl::unexpected(ok.error());
        }
    }
    if (auto ok = admin.Execute("ALTER DATABASE shop_loading RENAME TO shop"); !ok) return tl::unexpected(ok.error());
    std::cout << fmt::format(" {:.0f} s\n",
                             std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    return {};
}

}  // namespace

Result<int> RunDemo(const DemoOptions& options) {
    const fs::path data_dir = options.data_dir;
    std::error_code ec;
    fs::create_directories(data_dir, ec);
    sandbox::ClusterSettings settings;
    settings.name = "demo-pg";
    settings.keep_temporary_home = true;
    settings.extra_conf = {"shared_preload_libraries = 'pg_stat_statements'", "pg_stat_statements.track = all",
                           "pg_stat_statements.max = 10000", "track_io_timing = on", "max_connections = 40"};
    std::cout << "demo: starting PostgreSQL " << kMajorVersion << " in " << (data_dir / "demo").string() << "\n";
    auto cluster = sandbox::ManagedCluster::Start(data_dir / "demo", kMajorVersion, settings);
    if (!cluster) return tl::unexpected(cluster.error());
    {
        auto admin = pg::Connection::Open((*cluster)->Dsn("postgres"));
        if (!admin) return tl::unexpected(admin.error());
        if (auto ok = LoadShop(*admin, **cluster); !ok) return tl::unexpected(ok.error());
    }
    const std::string dsn = (*cluster)->Dsn("shop");
    {
        auto shop = pg::Connection::Open(dsn);
        if (!shop) return tl::unexpected(shop.error());
        // OptiSchema's sessions pin search_path to pg_catalog: name the extensions' schema.
        for (const char* sql : {"CREATE EXTENSION IF NOT EXISTS pg_stat_statements WITH SCHEMA public",
                                "CREATE EXTENSION IF NOT EXISTS hypopg WITH SCHEMA public",
                                "SELECT public.pg_stat_statements_reset()"}) {
            if (auto ok = shop->Execute(sql); !ok) return tl::unexpected(ok.error());
        }
    }

    const fs::path workload = data_dir / "demo" / "workload.sql";
    std::ofstream(workload) << kDemoWorkloadSql;
    const std::string pgbench = fmt::format("/usr/lib/postgresql/{}/bin/pgbench", kMajorVersion);
    auto bench = sandbox::StartProcess({pgbench, "-n", "-c", "4", "-j", "2", "-R", std::to_string(options.rate_tps),
                                        "-T", "31536000", "-f", workload.string(), dsn},
                                       data_dir / "demo" / "workload.log");
    if (!bench) return tl::unexpected(bench.error());

    // The demo's server keeps its own store (users, history) under demo/, apart from real targets.
    auto password = DemoPassword(data_dir / "demo" / "admin-password");
    if (!password) return tl::unexpected(password.error());
    server::ServeConfig config;
    config.listen = options.listen;
    config.data_dir = (data_dir / "demo").string();
    config.admin_password_file = data_dir / "demo" / "admin-password";
    config.targets.push_back({"shop", dsn, options.interval_s, false});
    std::cout << fmt::format(
        "demo: the shop workload runs ({} transactions/s: lookups, slow queries that need indexes, anti-patterns, "
        "writes)\ndemo: log in as admin with the password {}\ndemo: Ctrl-C stops everything; the next run reuses "
        "the data\n",
        options.rate_tps, *password);
    auto served = server::RunServe(std::move(config));
    ::kill(*bench, SIGTERM);
    (void)sandbox::WaitProcess(*bench);
    if (auto ok = (*cluster)->Stop(); !ok) std::cerr << "demo: " << ok.error().message << "\n";
    return served;
}

}  // namespace optischema::cli
