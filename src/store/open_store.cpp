#include "store/open_store.hpp"

#include <array>
#include <cctype>
#include <string_view>

#include "pg/dsn.hpp"
#include "store/pg_claims.hpp"
#include "store/pg_store.hpp"
#include "store/sqlite_store.hpp"

namespace optischema::store {
namespace {

// True when `keyword`, then optional spaces and '=', starts a whitespace-separated token of `spec`.
bool HasKeyword(std::string_view spec, std::string_view keyword) {
    for (std::size_t at = spec.find(keyword); at != std::string_view::npos; at = spec.find(keyword, at + 1)) {
        if (at > 0 && std::isspace(static_cast<unsigned char>(spec[at - 1])) == 0) continue;
        std::size_t i = at + keyword.size();
        while (i < spec.size() && spec[i] == ' ') ++i;
        if (i < spec.size() && spec[i] == '=') return true;
    }
    return false;
}

}  // namespace

StoreLocation StoreLocation::Parse(const std::string& spec) {
    const std::string_view s(spec);
    bool dsn = s.starts_with("postgresql://") || s.starts_with("postgres://");
    for (std::string_view keyword : std::array<std::string_view, 4>{"host", "hostaddr", "dbname", "service"}) {
        dsn = dsn || HasKeyword(s, keyword);
    }
    return StoreLocation{dsn ? Kind::kPostgres : Kind::kSqlite, spec};
}

std::string StoreLocation::Display() const { return kind == Kind::kPostgres ? pg::RedactDsn(value) : value; }

Result<std::unique_ptr<Store>> OpenStore(const StoreLocation& location) {
    if (location.kind == StoreLocation::Kind::kPostgres) {
        auto store = PgStore::Open(location.value);
        if (!store) return tl::unexpected(store.error());
        return std::unique_ptr<Store>(std::move(*store));
    }
    auto store = SqliteStore::Open(location.value);
    if (!store) return tl::unexpected(store.error());
    return std::unique_ptr<Store>(std::move(*store));
}

Result<std::unique_ptr<TargetClaims>> OpenClaims(const StoreLocation& location,
                                                 std::chrono::milliseconds heartbeat_interval) {
    if (location.kind == StoreLocation::Kind::kSqlite) return std::unique_ptr<TargetClaims>(new LocalClaims());
    auto claims = PgClaims::Open(location.value, heartbeat_interval);
    if (!claims) return tl::unexpected(claims.error());
    return std::unique_ptr<TargetClaims>(std::move(*claims));
}

}  // namespace optischema::store
