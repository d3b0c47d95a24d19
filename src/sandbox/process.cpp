#include "sandbox/process.hpp"

#include <cerrno>
#include <cstring>
#include <deque>
#include <fstream>

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

namespace optischema::sandbox {

Result<int> RunProcess(const std::vector<std::string>& argv, const std::filesystem::path& log) {
    auto pid = StartProcess(argv, log);
    if (!pid) return tl::unexpected(pid.error());
    return WaitProcess(*pid);
}

int WaitProcess(int pid) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return 128;
    }
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    return 128 + WTERMSIG(status);
}

Result<int> StartProcess(const std::vector<std::string>& argv, const std::filesystem::path& log) {
    if (argv.empty()) return MakeError(ErrorCode::kInternal, "RunProcess: no program");
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) {
        return MakeError(ErrorCode::kStorage, fmt::format("cannot write {}: {}", log.string(), std::strerror(errno)));
    }
    const pid_t pid = ::fork();
    if (pid < 0) {
        ::close(fd);
        return MakeError(ErrorCode::kInternal, fmt::format("cannot start {}: {}", argv[0], std::strerror(errno)));
    }
    if (pid == 0) {
        const int devnull = ::open("/dev/null", O_RDONLY);
        if (devnull >= 0) ::dup2(devnull, STDIN_FILENO);
        ::dup2(fd, STDOUT_FILENO);
        ::dup2(fd, STDERR_FILENO);
        // Nothing else of OptiSchema's goes to the program: a server it starts must not hold the API's
        // listening socket (or a connection) open after OptiSchema stops.
        ::close_range(3, ~0U, 0);
        ::execvp(args[0], args.data());
        const std::string msg = fmt::format("cannot run {}: {}\n", argv[0], std::strerror(errno));
        (void)!::write(STDERR_FILENO, msg.data(), msg.size());
        ::_exit(127);
    }
    ::close(fd);
    return static_cast<int>(pid);
}

std::string LogTail(const std::filesystem::path& log, std::size_t lines) {
    std::ifstream in(log);
    std::deque<std::string> tail;
    for (std::string line; std::getline(in, line);) {
        if (line.empty()) continue;
        tail.push_back(line);
        if (tail.size() > lines) tail.pop_front();
    }
    std::string out;
    for (const auto& l : tail) out += (out.empty() ? "" : " | ") + l;
    return out;
}

}  // namespace optischema::sandbox
