#pragma once

#include <string>
#include <vector>

#include "common/error.hpp"
#include "model/audit.hpp"

namespace optischema::app {

/// Who runs the CLI: "cli:" and the operating-system user.
[[nodiscard]] std::string CliActor();

/// The audit log as text (a table), JSON (an array of events) or CSV (RFC 4180, a header row).
[[nodiscard]] std::string FormatAuditText(const std::vector<model::AuditEvent>& events);
[[nodiscard]] std::string FormatAuditJson(const std::vector<model::AuditEvent>& events);
[[nodiscard]] std::string FormatAuditCsv(const std::vector<model::AuditEvent>& events);

struct AuditOptions {
    std::string data_dir;
    std::string store_dsn;  // a shared PostgreSQL store (--store); empty: SQLite in data_dir
    std::size_t limit = 0;  // 0: all
    std::string format = "text";
};

/// `optischema audit`.
[[nodiscard]] Result<std::string> RunAudit(const AuditOptions& options);

}  // namespace optischema::app
