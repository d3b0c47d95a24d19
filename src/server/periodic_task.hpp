#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace optischema::server {

/// Runs `task` at once and then every `every` on a thread of its own, until destroyed (the destructor
/// waits for a run in progress). For the server's housekeeping: deleting expired sessions and tokens.
class PeriodicTask {
public:
    PeriodicTask(std::chrono::milliseconds every, std::function<void()> task);
    ~PeriodicTask();
    PeriodicTask(const PeriodicTask&) = delete;
    PeriodicTask& operator=(const PeriodicTask&) = delete;

private:
    void Loop();

    std::chrono::milliseconds every_;
    std::function<void()> task_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace optischema::server
