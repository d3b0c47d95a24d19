#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/clock.hpp"

namespace optischema::model {

/// One action that touched a database or the configuration, as the audit log keeps it.
struct AuditEvent {
    std::int64_t id = 0;  // assigned by the store
    TimePoint at;
    std::string actor;    // who: "cli:alice" (OS user), "user:admin" (dashboard login)
    std::string target;   // the database acted on, as its redacted DSN or target name
    std::string action;   // "validate", "apply", "rollback", "connect", "settings"
    std::string sql;      // the exact SQL run on the database, statements separated by ";\n"
    std::string outcome;  // "ok", "failed", "cancelled"
    std::string error;    // why it failed; empty when ok
    double duration_ms = 0;
    std::string detail_json;                 // action-specific facts (recommendation id, build report, baseline)
    std::optional<std::int64_t> related_id;  // e.g. the apply a rollback undoes
};

}  // namespace optischema::model
