#include "server/view_cache.hpp"

namespace optischema::server {

std::optional<std::string> ViewCache::Current(std::int64_t target_id, const std::string& key) {
    auto it = entries_.find({target_id, key});
    if (it == entries_.end()) return std::nullopt;
    if (it->second.generation != generations_[target_id] ||
        std::chrono::steady_clock::now() - it->second.at > max_age_) {
        return std::nullopt;
    }
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
        if (it != entries_.end() && it->second.generation == generations_[target_id]) return it->second.body;
        rendered_.wait(lock);
    }
    rendering_.insert(id);
    const std::uint64_t generation = generations_[target_id];
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
    const std::uint64_t generation = generations_[target_id];
    lock.unlock();
    auto body = render();
    if (!body) return;
    lock.lock();
    Keep({target_id, key}, Entry{generation, std::chrono::steady_clock::now(), std::move(*body)});
}

void ViewCache::Keep(std::pair<std::int64_t, std::string> id, Entry entry) {
    if (auto it = entries_.find(id); it != entries_.end()) {
        it->second = std::move(entry);
    } else if (entries_.size() < max_entries_) {
        entries_.emplace(std::move(id), std::move(entry));
    }
}

void ViewCache::Invalidate(std::int64_t target_id) {
    std::lock_guard lock(mutex_);
    ++generations_[target_id];
    // Views of an older snapshot are never served again (not even as the aged copy).
    std::erase_if(entries_, [&](const auto& e) { return e.first.first == target_id; });
}

std::size_t ViewCache::Size() {
    std::lock_guard lock(mutex_);
    return entries_.size();
}

}  // namespace optischema::server
