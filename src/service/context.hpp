#pragma once

#include <atomic>
#include <string>

#include "guard/gate.hpp"
#include "sandbox/cluster_host.hpp"
#include "store/store_pool.hpp"

namespace optischema::service {

/// The database a use case works on: how to reach it, and the name the store and the audit log know it
/// by (a server target's name; for the CLI, the DSN with its password hidden).
struct TargetRef {
    std::string dsn;
    std::string name;
};

/// What the use cases that prove or change something share, owned by the caller: the store (reached
/// once per read or write, never held across a benchmark or an index build), the target, who asked
/// (for the audit log), and where managed sandboxes run. The server owns these for its lifetime;
/// the CLI for one command.
struct Context {
    store::StorePool& store;
    TargetRef target;
    std::string actor;                         // "cli:NAME", "user:NAME"
    sandbox::ClusterHost* clusters = nullptr;  // needed by validations in a managed sandbox
    guard::Allowlist allow;                    // functions outside pg_catalog that statements and indexes may run
};

/// Set from another thread to cancel a long operation (Ctrl-C in the CLI, a cancel request in the server).
using CancelFlag = std::atomic<bool>;

}  // namespace optischema::service
