#pragma once

#include <optional>
#include <string>

#include "common/error.hpp"

namespace optischema::store {

/// Server settings changed in the dashboard (e.g. "llm"), each a JSON document by key; secrets in them
/// are encrypted by the caller. Implementations are thread-compatible: one thread at a time per instance.
class SettingsStore {
public:
    virtual ~SettingsStore() = default;

    /// The value stored under `key`; nullopt when there is none.
    [[nodiscard]] virtual Result<std::optional<std::string>> GetSetting(const std::string& key) = 0;
    /// Stores `value` under `key`, replacing what was there.
    [[nodiscard]] virtual Result<void> PutSetting(const std::string& key, const std::string& value) = 0;
    /// Removes `key`; an unknown key is not an error.
    [[nodiscard]] virtual Result<void> DeleteSetting(const std::string& key) = 0;
};

}  // namespace optischema::store
