#include "server/view_cache.hpp"

namespace optischema::server {

std::uint64_t ViewCache::Generation(std::int64_t target_id) const {
    auto it = generations_.find(target_id);
    return it == generations_.end() ? 0 : it->second;
}

bool ViewCache::Fresh(std::int64_t target_id, const Entry& entry) const {
    return entry.generation == Generation(target_id) && std::chrono::steady_clock::now() - entry.at <= max_age_;
}

std::optional<std::string> ViewCache::Current(std::int64_t target_id, const std::string& key) {
    auto it = entries_.find({target_id, key});
    if (it == entries_.end() || !Fresh(target_id, it->second)) return std::nullopt;
    it->second.used = std::chrono::steady_clock::now();
    return it->second.body;
}

Result<std::string> ViewCache::GetOrRender(std::int64_t target_id,
                                           const std::string& key,
                                           const std::function<Result<std::string>()>& render) {
    const std::pair<std::int64_t, std::string> id{target_id, key};
    std::unique_lock lock(mutex_);
    for (;;) {
        if (auto body = Current(target_id, key)) return *body;
        if (!rendering_.contains(id)) break;
        // Someone is rendering it already: an aged copy of the same snapshot's data will do meanwhile.
        auto it = entries_.find(id);
        if (it != entries_.end() && it->second.generation == Generation(target_id)) return it->second.body;
        rendered_.wait(lock);
    }
    rendering_.insert(id);
    const std::uint64_t generation = Generation(target_id);
    lock.unlock();
    Result<std::string> body = render();
    lock.lock();
    rendering_.erase(id);
    if (body) Keep(id, Entry{generation, std::chrono::steady_clock::now(), *body});
    rendered_.notify_all();
    return body;
}

void ViewCache::Refresh(std::int64_t target_id,
                        const std::string& key,
                        const std::function<Result<std::string>()>& render) {
    std::unique_lock lock(mutex_);
    const std::uint64_t generation = Generation(target_id);
    lock.unlock();
    auto body = render();
    if (!body) return;
    lock.lock();
    Keep({target_id, key}, Entry{generation, std::chrono::steady_clock::now(), std::move(*body), /*pinned=*/true});
}

void ViewCache::Keep(std::pair<std::int64_t, std::string> id, Entry entry) {
    entry.used = entry.at;
    const std::size_t cost = Cost(id, entry);
    if (auto it = entries_.find(id); it != entries_.end()) {
        // The view kept is replaced (or, when the new one no longer fits, dropped).
        entry.pinned = entry.pinned || it->second.pinned;
        bytes_ -= Cost(it->first, it->second);
        entries_.erase(it);
    }
    if (cost > max_bytes_) return;
    while (entries_.size() >= max_entries_ || bytes_ + cost > max_bytes_) {
        if (!Displace()) return;
    }
    bytes_ += cost;
    entries_.emplace(std::move(id), std::move(entry));
}

bool ViewCache::Displace() {
    auto victim = entries_.end();
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
        if (it->second.pinned) continue;
        if (!Fresh(it->first.first, it->second)) {
            victim = it;
            break;
        }
        if (victim == entries_.end() || it->second.used < victim->second.used) victim = it;
    }
    if (victim == entries_.end()) return false;
    bytes_ -= Cost(victim->first, victim->second);
    entries_.erase(victim);
    return true;
}

void ViewCache::Invalidate(std::int64_t target_id) {
    std::lock_guard lock(mutex_);
    ++generations_[target_id];
    // Views of an older snapshot are never served again (not even as the aged copy).
    std::erase_if(entries_, [&](const auto& e) {
        if (e.first.first != target_id) return false;
        bytes_ -= Cost(e.first, e.second);
        return true;
    });
}

std::size_t ViewCache::Bytes() {
    std::lock_guard lock(mutex_);
    return bytes_;
}

std::size_t ViewCache::Size() {
    std::lock_guard lock(mutex_);
    return entries_.size();
}

}  // namespace optischema::server
