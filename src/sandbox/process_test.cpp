#include "sandbox/process.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <unistd.h>

namespace optischema::sandbox {
namespace {

std::string Read(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// A server OptiSchema starts (a managed cluster) must not keep OptiSchema's sockets open: the API's
// listening socket would stay bound after OptiSchema stops.
TEST(ProcessTest, AStartedProgramInheritsOnlyStandardStreams) {
    int inherited[2];
    ASSERT_EQ(::pipe(inherited), 0);  // not close-on-exec, like a socket a library opened
    const auto log = std::filesystem::temp_directory_path() / ("optischema-process-test-" + std::to_string(::getpid()));
    auto rc = RunProcess({"sh", "-c", "ls /proc/$$/fd"}, log);
    ::close(inherited[0]);
    ::close(inherited[1]);
    ASSERT_TRUE(rc) << rc.error().message;
    EXPECT_EQ(*rc, 0);
    std::istringstream fds(Read(log));
    std::vector<std::string> seen;
    for (std::string fd; fds >> fd;) seen.push_back(fd);
    std::filesystem::remove(log);
    EXPECT_EQ(seen, (std::vector<std::string>{"0", "1", "2"})) << "open descriptors of the started program";
}

}  // namespace
}  // namespace optischema::sandbox
