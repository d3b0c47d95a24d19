#include "sandbox/cluster_host.hpp"

namespace optischema::sandbox {

ClusterHost::ClusterHost(std::filesystem::path base_dir, Options options)
    : base_dir_(std::move(base_dir)), options_(std::move(options)) {}

Result<ClusterLease> ClusterHost::Lease(int major_version) {
    std::lock_guard lock(mutex_);
    if (ClusterLease running = leased_[major_version].lock()) return running;
    auto started = ManagedCluster::Start(base_dir_, major_version, options_.settings);
    if (!started) return tl::unexpected(started.error());
    ClusterLease lease(std::move(*started));
    leased_[major_version] = lease;
    if (options_.keep_running) kept_[major_version] = lease;
    return lease;
}

}  // namespace optischema::sandbox
