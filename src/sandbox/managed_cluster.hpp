#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/error.hpp"

namespace optischema::sandbox {

/// A private PostgreSQL cluster OptiSchema runs for itself: initdb once under the data directory,
/// reached only through a unix socket in a directory only its owner can open, no TCP port. Holds no
/// user data between validations: each validation copies what it needs into a database of its own.
/// How a managed cluster is set up beyond OptiSchema's defaults.
struct ClusterSettings {
    std::string name = "pg";              // directory name under the base directory, with the major version
    std::vector<std::string> extra_conf;  // postgresql.conf lines, e.g. shared_preload_libraries
    bool keep_temporary_home = false;     // keep a home under /tmp when stopped, to reuse its data
};

class ManagedCluster {
public:
    /// Starts the cluster of the given major version under `base_dir`, creating it on first use.
    /// As root the server runs as the `postgres` user (initdb refuses root), in a directory it can
    /// reach. Errors say which package to install or which log to read.
    [[nodiscard]] static Result<std::unique_ptr<ManagedCluster>> Start(const std::filesystem::path& base_dir,
                                                                       int major_version,
                                                                       const ClusterSettings& settings = {});

    ManagedCluster(const ManagedCluster&) = delete;
    ManagedCluster& operator=(const ManagedCluster&) = delete;
    /// Stops the server if this object started it.
    ~ManagedCluster();

    /// A key=value DSN for a database of the cluster.
    [[nodiscard]] std::string Dsn(const std::string& dbname) const;
    /// Stops the server (fast shutdown) if this object started it. A cluster that had to live in a
    /// temporary directory (outside the data directory) is deleted too.
    [[nodiscard]] Result<void> Stop();
    /// Where the cluster's files live.
    [[nodiscard]] const std::filesystem::path& home() const { return home_; }

private:
    ManagedCluster(std::filesystem::path home,
                   std::filesystem::path bindir,
                   bool started,
                   std::filesystem::path pointer);

    std::filesystem::path home_;
    std::filesystem::path pointer_;  // the file in the data directory naming a temporary home; empty otherwise
    std::filesystem::path bindir_;
    bool started_ = false;
};

}  // namespace optischema::sandbox
