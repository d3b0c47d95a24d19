#include "server/periodic_task.hpp"

#include <exception>

#include <spdlog/spdlog.h>

namespace optischema::server {

PeriodicTask::PeriodicTask(std::chrono::milliseconds every, std::function<void()> task)
    : every_(every), task_(std::move(task)), thread_([this] { Loop(); }) {}

PeriodicTask::~PeriodicTask() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

void PeriodicTask::Loop() {
    std::unique_lock lock(mutex_);
    do {
        lock.unlock();
        try {
            task_();
        } catch (const std::exception& e) {
            spdlog::error("a periodic task failed: {}", e.what());
        }
        lock.lock();
    } while (!wake_.wait_for(lock, every_, [this] { return stopping_; }));
}

}  // namespace optischema::server
