#pragma once

#include <string>
#include <vector>

#include "common/error.hpp"
#include "model/audit.hpp"

namespace optischema::service {

/// The audit log as JSON (an array of events) or CSV (RFC 4180, a header row).
[[nodiscard]] std::string FormatAuditJson(const std::vector<model::AuditEvent>& events);
[[nodiscard]] std::string FormatAuditCsv(const std::vector<model::AuditEvent>& events);

}  // namespace optischema::service
