#pragma once

#include <string>
#include <vector>

#include "common/error.hpp"
#include "model/audit.hpp"

namespace optischema::service {

/// The audit log as JSON (an array of events); its CSV is service/exports.hpp's AuditCsv.
[[nodiscard]] std::string FormatAuditJson(const std::vector<model::AuditEvent>& events);

}  // namespace optischema::service
