#include "app/audit_log.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <pwd.h>
#include <unistd.h>

#include "app/app_store.hpp"
#include "common/format.hpp"
#include "common/strings.hpp"

namespace optischema::app {
namespace {}  // namespace

std::string CliActor() {
    const passwd* pw = ::getpwuid(::geteuid());
    return "cli:" + (pw != nullptr ? std::string(pw->pw_name) : std::to_string(::geteuid()));
}

std::string FormatAuditText(const std::vector<model::AuditEvent>& events) {
    if (events.empty()) return "The audit log is empty.\n";
    std::string out = fmt::format("{:>5}  {:<24}  {:<14}  {:<9}  {:<9}  {:>10}  {}\n", "id", "time (UTC)", "actor",
                                  "action", "outcome", "ms", "target / SQL");
    for (const auto& e : events) {
        out += fmt::format("{:>5}  {:<24}  {:<14}  {:<9}  {:<9}  {:>10.1f}  {}\n", e.id, IsoTime(e.at), e.actor,
                           e.action, e.outcome, e.duration_ms, e.target);
        if (!e.sql.empty()) out += fmt::format("{:>80}{}\n", "", Ellipsize(CollapseWhitespace(e.sql), 160));
        if (!e.error.empty()) out += fmt::format("{:>80}error: {}\n", "", e.error);
        if (e.related_id) out += fmt::format("{:>80}undoes action {}\n", "", *e.related_id);
    }
    return out;
}

std::string FormatAuditJson(const std::vector<model::AuditEvent>& events) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& e : events) {
        auto detail = nlohmann::ordered_json::parse(e.detail_json.empty() ? "{}" : e.detail_json, nullptr, false);
        out.push_back({{"id", e.id},
                       {"at", IsoTime(e.at)},
                       {"actor", e.actor},
                       {"target", e.target},
                       {"action", e.action},
                       {"sql", e.sql},
                       {"outcome", e.outcome},
                       {"error", e.error.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(e.error)},
                       {"duration_ms", e.duration_ms},
                       {"related_id", e.related_id ? nlohmann::ordered_json(*e.related_id) : nullptr},
                       {"detail", detail.is_discarded() ? nlohmann::ordered_json(e.detail_json) : detail}});
    }
    return out.dump(2) + "\n";
}

std::string FormatAuditCsv(const std::vector<model::AuditEvent>& events) {
    std::string out = "id,at,actor,target,action,outcome,duration_ms,related_id,sql,error,detail\r\n";
    for (const auto& e : events) {
        out += fmt::format("{},{},{},{},{},{},{:.3f},{},{},{},{}\r\n", e.id, IsoTime(e.at), CsvField(e.actor),
                           CsvField(e.target), CsvField(e.action), CsvField(e.outcome), e.duration_ms,
                           e.related_id ? std::to_string(*e.related_id) : "", CsvField(e.sql), CsvField(e.error),
                           CsvField(e.detail_json));
    }
    return out;
}

Result<std::string> RunAudit(const AuditOptions& options) {
    auto store = OpenAppStore(options.data_dir, options.store_dsn);
    if (!store) return tl::unexpected(store.error());
    auto events = (*store)->ListAudit(options.limit);
    if (!events) return tl::unexpected(events.error());
    if (options.format == "json") return FormatAuditJson(*events);
    if (options.format == "csv") return FormatAuditCsv(*events);
    return FormatAuditText(*events);
}

}  // namespace optischema::app
