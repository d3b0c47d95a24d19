#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "common/error.hpp"

namespace optischema::server {

/// Rendered responses of the default views (the last hour of a target's statements, its overview),
/// kept until the target's next snapshot changes what they show, or max_age passes. Dashboards poll
/// these views; this turns each poll into a map lookup. Thread-safe.
class ViewCache {
public:
    /// At most `max_entries` views of at most `max_bytes` in all (bodies and keys) are kept (each search
    /// a dashboard sends is a view of its own); past that, a new view takes the place of stale ones, else
    /// of the least recently used ones, and a view larger than max_bytes is not kept. Views rendered
    /// ahead by Refresh (the default views after a snapshot) are never displaced that way, so a flood of
    /// searches cannot turn every dashboard poll into a rendering.
    explicit ViewCache(std::chrono::milliseconds max_age = std::chrono::seconds(30),
                       std::size_t max_entries = 256,
                       std::size_t max_bytes = std::size_t{64} << 20)
        : max_age_(max_age), max_entries_(max_entries), max_bytes_(max_bytes) {}

    /// The cached body for `key` of `target_id` if still current, else `render()`'s, cached. While one
    /// thread renders a key, the others get the aged copy when it shows the same snapshot, else wait for
    /// that one rendering instead of rendering it again.
    [[nodiscard]] Result<std::string> GetOrRender(std::int64_t target_id,
                                                  const std::string& key,
                                                  const std::function<Result<std::string>()>& render);
    /// Renders and stores a view ahead of the requests for it (after a snapshot).
    void Refresh(std::int64_t target_id, const std::string& key, const std::function<Result<std::string>()>& render);
    /// A new snapshot of the target: its views are stale, and forgotten.
    void Invalidate(std::int64_t target_id);
    /// Views kept now.
    [[nodiscard]] std::size_t Size();
    /// Bytes the views kept now take (bodies and keys).
    [[nodiscard]] std::size_t Bytes();

private:
    struct Entry {
        std::uint64_t generation = 0;
        std::chrono::steady_clock::time_point at;  // rendered
        std::string body;
        bool pinned = false;  // rendered ahead by Refresh
        std::chrono::steady_clock::time_point used{};
    };
    std::chrono::milliseconds max_age_;
    std::size_t max_entries_;
    std::size_t max_bytes_;
    std::size_t bytes_ = 0;  // of the entries kept, as Cost counts them
    [[nodiscard]] static std::size_t Cost(const std::pair<std::int64_t, std::string>& id, const Entry& entry) {
        return id.second.size() + entry.body.size();
    }
    [[nodiscard]] std::optional<std::string> Current(std::int64_t target_id, const std::string& key);
    /// Keeps a rendered view, displacing another when full (a view already kept is always replaced).
    void Keep(std::pair<std::int64_t, std::string> id, Entry entry);
    /// Frees one place: a stale view if any, else the least recently used; false when all are pinned.
    bool Displace();
    [[nodiscard]] std::uint64_t Generation(std::int64_t target_id) const;
    [[nodiscard]] bool Fresh(std::int64_t target_id, const Entry& entry) const;

    std::mutex mutex_;
    std::condition_variable rendered_;
    std::set<std::pair<std::int64_t, std::string>> rendering_;
    std::map<std::int64_t, std::uint64_t> generations_;
    std::map<std::pair<std::int64_t, std::string>, Entry> entries_;
};

}  // namespace optischema::server
