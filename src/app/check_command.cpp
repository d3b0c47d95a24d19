#include "app/check_command.hpp"

#include <cmath>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "advisor/index_health.hpp"
#include "common/format.hpp"
#include "pg/connection.hpp"
#include "pg/dsn.hpp"
#include "pg/schema_catalog.hpp"

namespace optischema::app {
namespace {

std::string FormatText(const model::SchemaSnapshot& schema, const std::vector<advisor::HealthFinding>& findings) {
    std::string out;
    std::map<std::string, int> by_severity;
    for (const auto& f : findings) {
        ++by_severity[f.severity];
        out += fmt::format("[{}] {} — {}\n", f.severity, f.check, f.object);
        out += fmt::format("  {}\n", f.message);
        if (!f.fix_sql.empty()) {
            std::string indented;
            for (char c : f.fix_sql) indented += c == '\n' ? std::string("\n       ") : std::string(1, c);
            out += fmt::format("  Fix: {}\n", indented);
        }
        out += "\n";
    }
    const std::string scope = fmt::format(
        "{} indexes on {} tables; statistics {}", schema.indexes.size(), schema.tables.size(),
        schema.stats_age_s ? "reset " + HumanAge(*schema.stats_age_s) + " ago" : std::string("never reset"));
    if (findings.empty()) return fmt::format("No index problems found.\n{}.\n", scope);
    out += fmt::format("{} finding{} ({} high, {} medium, {} low) over {}.\n", findings.size(),
                       findings.size() == 1 ? "" : "s", by_severity["high"], by_severity["medium"], by_severity["low"],
                       scope);
    return out;
}

std::string FormatJson(const model::SchemaSnapshot& schema, const std::vector<advisor::HealthFinding>& findings) {
    nlohmann::ordered_json j;
    j["findings"] = nlohmann::ordered_json::array();
    for (const auto& f : findings) {
        j["findings"].push_back({{"check", f.check},
                                 {"severity", f.severity},
                                 {"object", f.object},
                                 {"table", f.table},
                                 {"message", f.message},
                                 {"fix_sql", f.fix_sql},
                                 {"wasted_bytes", std::llround(f.wasted_bytes)}});
    }
    j["summary"] = {{"indexes", schema.indexes.size()},
                    {"tables", schema.tables.size()},
                    {"stats_age_s", schema.stats_age_s ? nlohmann::ordered_json(*schema.stats_age_s) : nullptr}};
    return j.dump(2) + "\n";
}

}  // namespace

Result<std::string> RunCheck(const CheckOptions& options) {
    if (auto ok = pg::ValidateDsn(options.dsn); !ok) return tl::unexpected(ok.error());
    auto conn = pg::Connection::Open(options.dsn);
    if (!conn) return tl::unexpected(conn.error());
    // Only catalog reads follow; a read-only transaction makes that a guarantee, not a promise.
    if (auto ok = conn->Execute("SET default_transaction_read_only = on"); !ok) return tl::unexpected(ok.error());
    auto schema = pg::ReadSchema(*conn);
    if (!schema) return tl::unexpected(schema.error());
    const auto findings = advisor::CheckIndexHealth(*schema);
    return options.format == "json" ? FormatJson(*schema, findings) : FormatText(*schema, findings);
}

}  // namespace optischema::app
