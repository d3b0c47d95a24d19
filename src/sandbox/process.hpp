#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/error.hpp"

namespace optischema::sandbox {

/// Runs a program (no shell) with stdout and stderr appended to `log`, waits for it, and returns its
/// exit status (128 + signal when killed). Fails only when it cannot be started.
[[nodiscard]] Result<int> RunProcess(const std::vector<std::string>& argv, const std::filesystem::path& log);

/// Starts a program (no shell) in the background with stdout and stderr appended to `log`; returns its
/// pid. The caller stops it (kill) and reaps it (WaitProcess).
[[nodiscard]] Result<int> StartProcess(const std::vector<std::string>& argv, const std::filesystem::path& log);
/// Waits for a started process and returns its exit status (128 + signal when killed).
int WaitProcess(int pid);

/// The last lines of a log file, for an error message.
[[nodiscard]] std::string LogTail(const std::filesystem::path& log, std::size_t lines = 5);

}  // namespace optischema::sandbox
