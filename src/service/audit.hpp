#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "model/audit.hpp"
#include "service/context.hpp"

namespace optischema::service {

/// An action a use case took on `context`'s target, ended now after starting at `started`: who, where,
/// what ran, how long, and the outcome ("ok" when `error` is empty, else `failed_outcome` with the error).
[[nodiscard]] model::AuditEvent ActionEvent(const Context& context,
                                            std::string action,
                                            std::string sql,
                                            std::chrono::steady_clock::time_point started,
                                            const std::optional<Error>& error,
                                            std::string failed_outcome = "failed");

/// Appends `event` to the audit log in the context's store; its id.
[[nodiscard]] Result<std::int64_t> Record(const Context& context, const model::AuditEvent& event);

/// The audit log as JSON (an array of events); its CSV is service/exports.hpp's AuditCsv.
[[nodiscard]] std::string FormatAuditJson(const std::vector<model::AuditEvent>& events);

}  // namespace optischema::service
