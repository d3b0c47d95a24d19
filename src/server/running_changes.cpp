#include "server/running_changes.hpp"

namespace optischema::server {

RunningChanges::Handle RunningChanges::Start(const std::string& key) {
    std::lock_guard lock(mutex_);
    auto [it, inserted] = running_.try_emplace(key, nullptr);
    if (!inserted) return {};
    it->second = std::make_shared<service::CancelFlag>(false);
    return Handle(this, key, it->second);
}

bool RunningChanges::Cancel(const std::string& key) {
    std::lock_guard lock(mutex_);
    const auto it = running_.find(key);
    if (it == running_.end()) return false;
    it->second->store(true);
    return true;
}

void RunningChanges::Finish(const std::string& key) {
    std::lock_guard lock(mutex_);
    running_.erase(key);
}

}  // namespace optischema::server
