#include "service/check.hpp"

#include <cmath>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "advisor/index_health.hpp"
#include "common/format.hpp"
#include "pg/connection.hpp"
#include "pg/dsn.hpp"
#include "pg/schema_catalog.hpp"

namespace optischema::service {

Result<IndexHealthReport> CheckIndexHealth(pg::Connection& conn) {
    // Only catalog reads follow; a read-only transaction makes that a guarantee, not a promise.
    if (auto ok = conn.Execute("SET default_transaction_read_only = on"); !ok) return tl::unexpected(ok.error());
    auto schema = pg::ReadSchema(conn);
    if (!schema) return tl::unexpected(schema.error());
    IndexHealthReport report;
    report.findings = advisor::CheckIndexHealth(*schema);
    report.schema = std::move(*schema);
    return report;
}

std::string FormatIndexHealthJson(const IndexHealthReport& report) {
    const auto& schema = report.schema;
    const auto& findings = report.findings;
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

}  // namespace optischema::service
