#include "store/target_claims.hpp"

#include <array>
#include <random>

#include <fmt/format.h>
#include <unistd.h>

namespace optischema::store {

std::size_t FairShare(std::size_t targets, int live_instances) {
    const auto instances = static_cast<std::size_t>(live_instances < 1 ? 1 : live_instances);
    return (targets + instances - 1) / instances;
}

InstanceInfo NewInstanceInfo() {
    std::random_device random;
    const std::uint64_t id = (static_cast<std::uint64_t>(random()) << 32) ^ random();
    std::array<char, 256> host{};
    if (gethostname(host.data(), host.size() - 1) != 0) host[0] = '\0';
    const std::string host_name = host[0] != '\0' ? host.data() : "unknown-host";
    return InstanceInfo{fmt::format("{:016x}", id), fmt::format("{}:{}", host_name, ::getpid())};
}

LocalClaims::LocalClaims() : instance_(NewInstanceInfo()) {}

Result<bool> LocalClaims::TryClaim(std::int64_t target_id) {
    held_.insert(target_id);
    return true;
}

Result<void> LocalClaims::Release(std::int64_t target_id) {
    held_.erase(target_id);
    return {};
}

Result<std::vector<std::int64_t>> LocalClaims::Heartbeat() { return std::vector<std::int64_t>{}; }

Result<int> LocalClaims::LiveInstances() { return 1; }

std::vector<std::int64_t> LocalClaims::Held() const { return {held_.begin(), held_.end()}; }

}  // namespace optischema::store
