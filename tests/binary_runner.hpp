#pragma once

#include <string>
#include <vector>

#include <sys/types.h>

namespace optischema::testing {

/// What a finished `optischema` process printed and returned.
struct CommandResult {
    int exit_code = -1;  // -1 when killed by a signal
    std::string out;
    std::string err;
};

/// Runs the real `optischema` binary in a scratch directory of its own (its --data-dir), as a user would.
class BinaryRunner {
public:
    /// Creates the scratch directory; removes it on destruction.
    BinaryRunner();
    ~BinaryRunner();
    BinaryRunner(const BinaryRunner&) = delete;
    BinaryRunner& operator=(const BinaryRunner&) = delete;

    /// Starts `optischema --data-dir DIR args...`; Wait() collects it.
    pid_t Start(std::vector<std::string> args);
    CommandResult Wait(pid_t pid);
    /// Start and Wait.
    CommandResult Run(std::vector<std::string> args) { return Wait(Start(std::move(args))); }
    /// Runs with `input` on standard input.
    CommandResult RunWithInput(std::vector<std::string> args, const std::string& input);

    /// What the process started last has written to standard output so far (it may still be running).
    [[nodiscard]] std::string OutSoFar() const;
    /// What the process started last has written to standard error so far.
    [[nodiscard]] std::string ErrSoFar() const;

    [[nodiscard]] const std::string& data_dir() const { return data_dir_; }

private:
    std::string data_dir_;
};

}  // namespace optischema::testing
