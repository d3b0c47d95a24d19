#include "service/audit.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/format.hpp"
#include "common/strings.hpp"

namespace optischema::service {

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
