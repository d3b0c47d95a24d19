#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include "store/store.hpp"

namespace optischema::store {

/// Store instances shared by threads: each is used by one call at a time, and a call takes a free
/// one, so a long read (a week of history) does not hold up the others. SQLite in WAL mode lets the
/// readers run side by side and serialises writers itself. The server keeps a few for its request
/// threads (its background collectors use stores of their own); the CLI has one. The use cases take
/// a pool and reach the store once per read or write, so a long validation never holds a store.
class StorePool {
public:
    explicit StorePool(std::vector<std::unique_ptr<Store>> stores) : slots_(stores.size()) {
        for (std::size_t i = 0; i < stores.size(); ++i) slots_[i].store = std::move(stores[i]);
    }
    explicit StorePool(std::unique_ptr<Store> store) : slots_(1) { slots_[0].store = std::move(store); }

    /// Runs `f(store)` with a store no other call is using, and returns what it returns.
    template <typename F>
    auto With(F&& f) {
        const std::size_t first = next_++ % slots_.size();
        for (std::size_t i = 0; i < slots_.size(); ++i) {
            Slot& slot = slots_[(first + i) % slots_.size()];
            std::unique_lock lock(slot.mutex, std::try_to_lock);
            if (lock.owns_lock()) return f(*slot.store);
        }
        Slot& slot = slots_[first];
        std::lock_guard lock(slot.mutex);
        return f(*slot.store);
    }

private:
    struct Slot {
        std::mutex mutex;
        std::unique_ptr<Store> store;
    };
    std::vector<Slot> slots_;
    std::atomic<std::size_t> next_{0};
};

}  // namespace optischema::store
