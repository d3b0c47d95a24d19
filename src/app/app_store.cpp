#include "app/app_store.hpp"

#include "store/open_store.hpp"

namespace optischema::app {

Result<std::unique_ptr<store::Store>> OpenAppStore(const std::string& data_dir, const std::string& store_dsn) {
    if (store_dsn.empty()) return store::OpenStore({store::StoreLocation::Kind::kSqlite, data_dir});
    return store::OpenStore({store::StoreLocation::Kind::kPostgres, store_dsn});
}

}  // namespace optischema::app
