#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "common/error.hpp"
#include "store/store.hpp"
#include "store/target_claims.hpp"

namespace optischema::store {

/// Where the store lives: a data directory (the embedded SQLite store, the default) or a PostgreSQL
/// DSN (the store a fleet of `optischema serve` instances shares).
struct StoreLocation {
    enum class Kind { kSqlite, kPostgres };

    Kind kind = Kind::kSqlite;
    std::string value;  // the data directory, or the DSN (with its password: never print it, see Display)

    /// A DSN when `spec` starts with postgresql:// or postgres://, or is a key=value string with one of
    /// the keywords host, hostaddr, dbname or service; a data directory otherwise.
    [[nodiscard]] static StoreLocation Parse(const std::string& spec);
    /// For messages and logs: the directory, or the DSN without its password.
    [[nodiscard]] std::string Display() const;
};

/// Opens (creating and migrating as needed) the store at `location`.
[[nodiscard]] Result<std::unique_ptr<Store>> OpenStore(const StoreLocation& location);

/// The target claims that go with the store at `location`: LocalClaims for a data directory, PgClaims
/// (its own connection) for a PostgreSQL store, which must have been opened with OpenStore first.
[[nodiscard]] Result<std::unique_ptr<TargetClaims>> OpenClaims(const StoreLocation& location,
                                                               std::chrono::milliseconds heartbeat_interval);

}  // namespace optischema::store
