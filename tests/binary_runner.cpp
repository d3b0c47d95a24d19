#include "binary_runner.hpp"

#include <filesystem>
#include <fstream>
#include <iterator>

#include <fcntl.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

namespace optischema::testing {
namespace {

std::string ReadAll(const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

BinaryRunner::BinaryRunner() {
    char tmpl[] = "/tmp/optischema-run-XXXXXX";
    data_dir_ = mkdtemp(tmpl);
}

BinaryRunner::~BinaryRunner() { std::filesystem::remove_all(data_dir_); }

pid_t BinaryRunner::Start(std::vector<std::string> args) {
    args.insert(args.begin(), {OPTISCHEMA_BINARY, "--data-dir", data_dir_});
    const std::string stdin_path = data_dir_ + "/stdin";
    if (!std::filesystem::exists(stdin_path)) std::ofstream(stdin_path).flush();
    const pid_t pid = fork();
    if (pid == 0) {
        const int in = open(stdin_path.c_str(), O_RDONLY);
        const int out = open((data_dir_ + "/stdout").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        const int err = open((data_dir_ + "/stderr").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(in, 0);
        dup2(out, 1);
        dup2(err, 2);
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        execv(argv[0], argv.data());
        _exit(127);
    }
    return pid;
}

CommandResult BinaryRunner::Wait(pid_t pid) {
    int status = 0;
    waitpid(pid, &status, 0);
    std::filesystem::remove(data_dir_ + "/stdin");
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, OutSoFar(), ErrSoFar()};
}

std::string BinaryRunner::OutSoFar() const { return ReadAll(data_dir_ + "/stdout"); }

std::string BinaryRunner::ErrSoFar() const { return ReadAll(data_dir_ + "/stderr"); }

CommandResult BinaryRunner::RunWithInput(std::vector<std::string> args, const std::string& input) {
    std::ofstream(data_dir_ + "/stdin") << input;
    return Run(std::move(args));
}

}  // namespace optischema::testing
