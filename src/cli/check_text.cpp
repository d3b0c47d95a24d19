#include <map>

#include <fmt/format.h>

#include "cli/text.hpp"
#include "common/format.hpp"

namespace optischema::cli {

std::string FormatIndexHealthText(const service::IndexHealthReport& report) {
    const auto& schema = report.schema;
    const auto& findings = report.findings;
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

}  // namespace optischema::cli
