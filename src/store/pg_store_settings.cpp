// SettingsStore on PostgreSQL.
#include "store/internal/pg_util.hpp"
#include "store/internal/unix_ms.hpp"
#include "store/pg_store.hpp"

namespace optischema::store {

using detail::Params;
using detail::PgRow;

Result<std::optional<std::string>> PgStore::GetSetting(const std::string& key) {
    return detail::ReadFirst(
        Fetch("read setting", Mode::kIdempotent, "SELECT value FROM optischema.settings WHERE key = $1", Params(key)),
        [](const PgRow& r) { return r.Text(0); });
}

Result<void> PgStore::PutSetting(const std::string& key, const std::string& value) {
    return Exec("save setting", Mode::kIdempotent,
                "INSERT INTO optischema.settings (key, value, updated_at_ms) VALUES ($1, $2, $3) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at_ms = excluded.updated_at_ms",
                Params(key, value, detail::NowMs()));
}

Result<void> PgStore::DeleteSetting(const std::string& key) {
    return Exec("delete setting", Mode::kIdempotent, "DELETE FROM optischema.settings WHERE key = $1", Params(key));
}

}  // namespace optischema::store
