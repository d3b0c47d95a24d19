#pragma once

// Internal to store/: what the SqliteStore's source files share.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <sqlite3.h>

#include "common/error.hpp"
#include "sqlite/statement.hpp"

namespace optischema::store::detail {

inline Error StorageError(sqlite3* db, std::string_view what) {
    return Error{ErrorCode::kStorage, fmt::format("store: {}: {}", what, sqlite3_errmsg(db)), {}};
}

using sqlite::Statement;
using sqlite::Transaction;

}  // namespace optischema::store::detail
