#pragma once

#include <memory>
#include <mutex>

#include "store/store.hpp"

namespace optischema::server {

/// One Store shared by the server's request threads: one call at a time. Background collectors use
/// stores of their own (SQLite serialises writers itself; WAL lets readers go on).
class LockedStore {
public:
    explicit LockedStore(std::unique_ptr<store::Store> store) : store_(std::move(store)) {}

    /// Runs `f(store)` under the lock and returns what it returns.
    template <typename F>
    auto With(F&& f) {
        std::lock_guard lock(mutex_);
        return f(*store_);
    }

private:
    std::mutex mutex_;
    std::unique_ptr<store::Store> store_;
};

}  // namespace optischema::server
