#include "server/periodic_task.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

#include <gtest/gtest.h>

namespace optischema::server {
namespace {

using namespace std::chrono_literals;

TEST(PeriodicTaskTest, RunsAtOnceThenRepeatedlyUntilDestroyed) {
    std::mutex mutex;
    std::condition_variable ran;
    int runs = 0;
    {
        PeriodicTask task(10ms, [&] {
            std::lock_guard lock(mutex);
            ++runs;
            ran.notify_all();
        });
        std::unique_lock lock(mutex);
        ASSERT_TRUE(ran.wait_for(lock, 30s, [&] { return runs >= 3; })) << "it repeats";
    }
    int runs_at_stop = 0;
    {
        std::lock_guard lock(mutex);
        runs_at_stop = runs;
    }
    std::this_thread::sleep_for(50ms);
    std::lock_guard lock(mutex);
    EXPECT_EQ(runs, runs_at_stop) << "no run after the destructor returned";
}

TEST(PeriodicTaskTest, RunsFirstWithoutWaitingAPeriodAndStopsWithoutWaitingOne) {
    std::atomic<int> runs = 0;
    const auto start = std::chrono::steady_clock::now();
    {
        PeriodicTask task(std::chrono::hours(1), [&] { ++runs; });
        while (runs.load() == 0 && std::chrono::steady_clock::now() - start < 30s) std::this_thread::sleep_for(1ms);
    }
    EXPECT_EQ(runs.load(), 1) << "one run at once, the next an hour later, which the destructor did not wait for";
}

TEST(PeriodicTaskTest, AThrowingRunDoesNotEndTheLoop) {
    std::atomic<int> runs = 0;
    {
        PeriodicTask task(1ms, [&] {
            if (++runs == 1) throw std::runtime_error("first run fails");
        });
        const auto start = std::chrono::steady_clock::now();
        while (runs.load() < 3 && std::chrono::steady_clock::now() - start < 30s) std::this_thread::sleep_for(1ms);
    }
    EXPECT_GE(runs.load(), 3);
}

}  // namespace
}  // namespace optischema::server
