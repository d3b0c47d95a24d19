#include "server/connection_check.hpp"

#include <fmt/format.h>

#include "common/quote.hpp"
#include "pg/connection.hpp"

namespace optischema::server {

std::vector<Check> CapabilityChecks(const pg::Capabilities& caps) {
    std::vector<Check> checks;
    if (!caps.pg_stat_statements_loaded) {
        checks.push_back({"pg_stat_statements loaded", CheckStatus::kFail,
                          "pg_stat_statements is not in shared_preload_libraries",
                          "shared_preload_libraries = 'pg_stat_statements'  # postgresql.conf, keep existing "
                          "entries, then restart PostgreSQL"});
    } else {
        checks.push_back({"pg_stat_statements loaded", CheckStatus::kPass, "in shared_preload_libraries", ""});
    }
    if (!caps.pg_stat_statements_version) {
        checks.push_back({"pg_stat_statements created", CheckStatus::kFail,
                          fmt::format("the extension is not created in database \"{}\"", caps.database),
                          "CREATE EXTENSION pg_stat_statements;"});
    } else {
        checks.push_back(
            {"pg_stat_statements created", CheckStatus::kPass,
             fmt::format("version {} in schema {}", *caps.pg_stat_statements_version, caps.pg_stat_statements_schema),
             ""});
    }
    if (!caps.can_read_all_stats) {
        checks.push_back({"read all statements", CheckStatus::kFail,
                          fmt::format("role \"{}\" sees only its own statements", caps.user),
                          fmt::format("GRANT pg_read_all_stats TO {};", QuoteIdent(caps.user))});
    } else {
        checks.push_back({"read all statements", CheckStatus::kPass,
                          caps.is_superuser ? "superuser" : "member of pg_read_all_stats", ""});
    }
    if (caps.hypopg_version) {
        checks.push_back(
            {"hypopg", CheckStatus::kPass, fmt::format("version {} (what-if indexes)", *caps.hypopg_version), ""});
    } else if (caps.hypopg_available) {
        checks.push_back({"hypopg", CheckStatus::kWarn, "installed on the server but not created in this database",
                          "CREATE EXTENSION hypopg;"});
    } else {
        checks.push_back({"hypopg", CheckStatus::kWarn,
                          "not installed: index recommendations need it for what-if costing (monitoring works without)",
                          fmt::format("apt install postgresql-{}-hypopg  # then CREATE EXTENSION hypopg;",
                                      caps.server_version_num / 10000)});
    }
    if (caps.pg_stat_statements_track == "none") {
        checks.push_back({"pg_stat_statements.track", CheckStatus::kFail, "track = none: nothing is recorded",
                          "pg_stat_statements.track = top  # postgresql.conf, then reload"});
    }
    return checks;
}

ConnectionReport TestConnection(const std::string& dsn) {
    ConnectionReport report;
    auto conn = pg::Connection::Open(dsn);
    if (!conn) {
        report.checks.push_back({"connect", CheckStatus::kFail, conn.error().message, ""});
        return report;
    }
    report.server_version = conn->ServerVersion();
    report.checks.push_back(
        {"connect", CheckStatus::kPass,
         fmt::format("PostgreSQL {} as {} to {}", report.server_version, conn->User(), conn->Database()), ""});
    if (conn->ServerVersionNum() < 130000) {
        report.checks.push_back(
            {"version", CheckStatus::kFail,
             fmt::format("PostgreSQL {} is older than 13, which OptiSchema supports", report.server_version), ""});
    }
    auto caps = pg::DetectCapabilities(*conn);
    if (!caps) {
        report.checks.push_back({"capabilities", CheckStatus::kFail, caps.error().message, ""});
        return report;
    }
    for (auto& c : CapabilityChecks(*caps)) report.checks.push_back(std::move(c));
    report.ok = std::none_of(report.checks.begin(), report.checks.end(),
                             [](const Check& c) { return c.status == CheckStatus::kFail; });
    return report;
}

}  // namespace optischema::server
