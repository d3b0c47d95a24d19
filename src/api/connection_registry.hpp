#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace optischema::api {

/// The live connections of a server, held weakly by id so that a connection removes itself from its
/// destructor and a stopping server can wait until none is left. Thread-safe.
template <typename Connection>
class ConnectionRegistry {
public:
    /// Registers a connection; returns the id that removes it.
    std::uint64_t Add(std::weak_ptr<Connection> connection) {
        std::lock_guard lock(mutex_);
        const auto id = next_id_++;
        connections_.emplace(id, std::move(connection));
        return id;
    }

    /// Removes a connection (an unknown id is ignored) and wakes WaitUntilEmpty.
    void Remove(std::uint64_t id) {
        {
            std::lock_guard lock(mutex_);
            connections_.erase(id);
        }
        empty_cv_.notify_all();
    }

    /// How many connections are registered, those being destroyed included.
    [[nodiscard]] std::size_t size() const {
        std::lock_guard lock(mutex_);
        return connections_.size();
    }

    /// The registered connections that are still alive, kept alive by the returned pointers.
    [[nodiscard]] std::vector<std::shared_ptr<Connection>> Live() const {
        std::vector<std::shared_ptr<Connection>> live;
        std::lock_guard lock(mutex_);
        for (const auto& [id, weak] : connections_) {
            if (auto connection = weak.lock()) live.push_back(std::move(connection));
        }
        return live;
    }

    /// Waits until every connection is removed; false when `timeout` passed first.
    [[nodiscard]] bool WaitUntilEmpty(std::chrono::milliseconds timeout) {
        std::unique_lock lock(mutex_);
        return empty_cv_.wait_for(lock, timeout, [this] { return connections_.empty(); });
    }

private:
    mutable std::mutex mutex_;
    std::condition_variable empty_cv_;
    std::unordered_map<std::uint64_t, std::weak_ptr<Connection>> connections_;
    std::uint64_t next_id_ = 1;
};

}  // namespace optischema::api
