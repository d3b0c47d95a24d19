#pragma once

#include "store/account_store.hpp"
#include "store/audit_log.hpp"
#include "store/recommendation_store.hpp"
#include "store/settings_store.hpp"
#include "store/snapshot_store.hpp"

namespace optischema::store {

/// Everything OptiSchema keeps, in one database: the union of the focused interfaces, which both
/// backends (SqliteStore, PgStore) implement. A caller that needs one concern takes only that
/// interface (a Store& converts to each). Implementations are thread-compatible: one thread at a time
/// per instance (StorePool shares them between threads).
class Store : public SnapshotStore,
              public RecommendationStore,
              public AuditLog,
              public AccountStore,
              public SettingsStore {
public:
    ~Store() override = default;
};

}  // namespace optischema::store
