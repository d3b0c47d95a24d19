#include "service/audit.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/format.hpp"
#include "common/strings.hpp"

namespace optischema::service {

model::AuditEvent ActionEvent(const Context& context,
                              std::string action,
                              std::string sql,
                              std::chrono::steady_clock::time_point started,
                              const std::optional<Error>& error,
                              std::string failed_outcome) {
    model::AuditEvent event;
    event.at = std::chrono::system_clock::now();
    event.actor = context.actor;
    event.target = context.target.name;
    event.action = std::move(action);
    event.sql = std::move(sql);
    event.outcome = error ? std::move(failed_outcome) : "ok";
    event.error = error ? error->message : "";
    event.duration_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    return event;
}

Result<std::int64_t> Record(const Context& context, const model::AuditEvent& event) {
    return context.store.With([&](store::Store& st) { return st.AppendAudit(event); });
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

}  // namespace optischema::service
