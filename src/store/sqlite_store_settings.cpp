// SettingsStore on SQLite.
#include "store/internal/sqlite_util.hpp"
#include "store/internal/unix_ms.hpp"
#include "store/sqlite_store.hpp"

namespace optischema::store {

using detail::SqliteRow;

Result<std::optional<std::string>> SqliteStore::GetSetting(const std::string& key) {
    return detail::SelectOne(
        db(), "SELECT value FROM settings WHERE key = ?1", "read setting", [](const SqliteRow& r) { return r.Text(0); },
        key);
}

Result<void> SqliteStore::PutSetting(const std::string& key, const std::string& value) {
    return detail::Execute(db(), "INSERT OR REPLACE INTO settings (key, value, updated_at_ms) VALUES (?1, ?2, ?3)",
                           "save setting", key, value, detail::NowMs());
}

Result<void> SqliteStore::DeleteSetting(const std::string& key) {
    return detail::Execute(db(), "DELETE FROM settings WHERE key = ?1", "delete setting", key);
}

}  // namespace optischema::store
