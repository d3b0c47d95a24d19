#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "service/context.hpp"

namespace optischema::server {

/// The index builds running on this instance, by recommendation id, so that an operator can cancel one
/// from the API and a second apply of the same recommendation is refused while the first runs.
/// Thread-safe.
class RunningChanges {
public:
    /// Marks `key` as running until the returned handle goes; an empty handle when it already runs.
    class Handle {
    public:
        Handle() = default;
        Handle(RunningChanges* owner, std::string key, std::shared_ptr<service::CancelFlag> flag)
            : owner_(owner), key_(std::move(key)), flag_(std::move(flag)) {}
        Handle(Handle&& other) noexcept = default;
        Handle& operator=(Handle&&) = delete;
        Handle(const Handle&) = delete;
        ~Handle() {
            if (owner_ != nullptr && flag_) owner_->Finish(key_);
        }
        explicit operator bool() const { return flag_ != nullptr; }
        /// Set when an operator cancels.
        [[nodiscard]] const service::CancelFlag* cancel() const { return flag_.get(); }

    private:
        RunningChanges* owner_ = nullptr;
        std::string key_;
        std::shared_ptr<service::CancelFlag> flag_;
    };

    [[nodiscard]] Handle Start(const std::string& key);
    /// Asks the change of `key` to stop; false when none runs here.
    bool Cancel(const std::string& key);

private:
    void Finish(const std::string& key);

    std::mutex mutex_;
    std::map<std::string, std::shared_ptr<service::CancelFlag>> running_;
};

}  // namespace optischema::server
