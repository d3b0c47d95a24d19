#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>

#include "common/error.hpp"
#include "sandbox/managed_cluster.hpp"

namespace optischema::sandbox {

/// A lease on a managed cluster: the cluster runs at least as long as a lease on it lives.
using ClusterLease = std::shared_ptr<ManagedCluster>;

/// The managed clusters under one data directory, one per PostgreSQL major version, shared by the
/// validations that run at once: the first lease starts a cluster and the others join it, so no
/// validation stops a cluster under another. Each validation works in a database of its own. A host
/// that keeps its clusters running (the server) stops them when it goes; one that does not (the CLI)
/// stops a cluster when its last lease ends. Thread-safe.
class ClusterHost {
public:
    struct Options {
        bool keep_running = false;  // keep a started cluster until the host goes, not only while leased
        ClusterSettings settings;
    };

    explicit ClusterHost(std::filesystem::path base_dir) : ClusterHost(std::move(base_dir), Options{}) {}
    ClusterHost(std::filesystem::path base_dir, Options options);
    ClusterHost(const ClusterHost&) = delete;
    ClusterHost& operator=(const ClusterHost&) = delete;

    /// The running cluster of `major_version`, started (and created on first use) if no lease holds it.
    [[nodiscard]] Result<ClusterLease> Lease(int major_version);

private:
    std::filesystem::path base_dir_;
    Options options_;
    std::mutex mutex_;  // held while a cluster starts: a second lease waits for it rather than starting another
    std::map<int, std::weak_ptr<ManagedCluster>> leased_;
    std::map<int, ClusterLease> kept_;  // keep_running only
};

}  // namespace optischema::sandbox
