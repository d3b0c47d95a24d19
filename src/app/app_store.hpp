#pragma once

#include <memory>
#include <string>

#include "common/error.hpp"
#include "store/store.hpp"

namespace optischema::app {

/// The store the verbs read and write: the PostgreSQL store at `store_dsn` when one is given (a fleet's
/// shared store, `--store`), else the SQLite store in `data_dir`.
[[nodiscard]] Result<std::unique_ptr<store::Store>> OpenAppStore(const std::string& data_dir,
                                                                 const std::string& store_dsn);

}  // namespace optischema::app
