#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "common/error.hpp"
#include "model/audit.hpp"

namespace optischema::store {

/// The append-only record of what OptiSchema changed or tried (validate, apply, rollback, settings).
/// Implementations are thread-compatible: one thread at a time per instance.
class AuditLog {
public:
    virtual ~AuditLog() = default;

    /// Appends to the audit log and returns the event's id. The log cannot be changed or deleted.
    [[nodiscard]] virtual Result<std::int64_t> AppendAudit(const model::AuditEvent& event) = 0;
    /// Newest first; `limit` 0 for all.
    [[nodiscard]] virtual Result<std::vector<model::AuditEvent>> ListAudit(std::size_t limit) = 0;
    /// The event with this id; nullopt when there is none.
    [[nodiscard]] virtual Result<std::optional<model::AuditEvent>> GetAudit(std::int64_t id) = 0;
};

}  // namespace optischema::store
