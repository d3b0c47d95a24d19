#pragma once

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "common/error.hpp"

namespace optischema::store {

/// Who an instance is, as its peers see it.
struct InstanceInfo {
    std::string id;    // random, fixed for the life of the process
    std::string name;  // "host:pid", for people
};

/// Which `optischema serve` instance collects which target. With one instance (SQLite) it holds every
/// target; in a fleet sharing a PostgreSQL store each target is held by at most one live instance.
///
/// The balancing rule the server follows: each heartbeat interval it calls Heartbeat(), re-claims what
/// it lost, and claims an unclaimed target only while it holds fewer than
/// FairShare(targets, LiveInstances()); when more instances join, it releases what it holds above that
/// share, so that the newcomers find unclaimed targets. Thread-compatible: one thread at a time.
class TargetClaims {
public:
    virtual ~TargetClaims() = default;

    /// This instance.
    [[nodiscard]] virtual const InstanceInfo& Instance() const = 0;
    /// True when this instance now holds the target (also when it already did); false when another does.
    [[nodiscard]] virtual Result<bool> TryClaim(std::int64_t target_id) = 0;
    /// Gives the target up; releasing one not held is not an error.
    [[nodiscard]] virtual Result<void> Release(std::int64_t target_id) = 0;
    /// Tells the peers this instance is alive and checks the claims are still held: returns the ids lost
    /// since the last heartbeat (ascending), e.g. because the session holding them died; the caller stops
    /// collecting those and may claim them again. An error with Held() empty means the store is
    /// unreachable and nothing is claimed any more.
    [[nodiscard]] virtual Result<std::vector<std::int64_t>> Heartbeat() = 0;
    /// Instances whose heartbeat is fresh, this one included (so at least 1).
    [[nodiscard]] virtual Result<int> LiveInstances() = 0;
    /// The targets this instance believes it holds (as of the last call).
    [[nodiscard]] virtual std::vector<std::int64_t> Held() const = 0;
};

/// How many targets one instance may hold: ceil(targets / live_instances); a count below 1 counts as 1.
[[nodiscard]] std::size_t FairShare(std::size_t targets, int live_instances);

/// The claims of a single instance (SQLite store): every claim succeeds and there is no one else.
class LocalClaims final : public TargetClaims {
public:
    LocalClaims();

    [[nodiscard]] const InstanceInfo& Instance() const override { return instance_; }
    [[nodiscard]] Result<bool> TryClaim(std::int64_t target_id) override;
    [[nodiscard]] Result<void> Release(std::int64_t target_id) override;
    [[nodiscard]] Result<std::vector<std::int64_t>> Heartbeat() override;
    [[nodiscard]] Result<int> LiveInstances() override;
    [[nodiscard]] std::vector<std::int64_t> Held() const override;

private:
    InstanceInfo instance_;
    std::set<std::int64_t> held_;
};

/// A new instance identity: 16 random hex digits and "host:pid".
[[nodiscard]] InstanceInfo NewInstanceInfo();

}  // namespace optischema::store
