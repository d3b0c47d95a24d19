#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "common/error.hpp"
#include "service/context.hpp"
#include "store/store.hpp"

namespace optischema::cli {

/// The store the verbs read and write: the PostgreSQL store at `store_dsn` when one is given (a fleet's
/// shared store, `--store`), else the SQLite store in `data_dir`.
[[nodiscard]] Result<std::unique_ptr<store::Store>> OpenCliStore(const std::string& data_dir,
                                                                 const std::string& store_dsn);

/// The target of a verb: its DSN (checked) and the name the store knows it by, the DSN without its password.
[[nodiscard]] Result<service::TargetRef> CliTarget(const std::string& dsn);

/// Who runs the CLI: "cli:" and the operating-system user.
[[nodiscard]] std::string CliActor();

/// What a verb asks before it changes a database.
struct Confirmation {
    std::string what;      // shown first: what will run, and where
    std::string question;  // "Apply it?"
    std::string action;    // "apply": the error without a terminal says to pass --yes to do it
    std::string not_done;  // "not applied": the error when the answer is not yes
};
/// Asks on the terminal (stderr, stdin); fails when there is no terminal to ask on or the answer is not yes.
[[nodiscard]] Result<void> Confirm(const Confirmation& c);

/// While it lives, Ctrl-C sets `flag` instead of ending the process; restores the previous handler.
/// One at a time.
class InterruptGuard {
public:
    explicit InterruptGuard(service::CancelFlag& flag);
    ~InterruptGuard();
    InterruptGuard(const InterruptGuard&) = delete;
    InterruptGuard& operator=(const InterruptGuard&) = delete;

private:
    void (*previous_)(int);
};

}  // namespace optischema::cli
