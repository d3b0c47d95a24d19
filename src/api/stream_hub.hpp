#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "api/principal.hpp"

namespace optischema::api {

class Counter;
class Gauge;
class MetricsRegistry;

/// The transport side of one stream client (a WebSocket session in the server, a fake in tests).
class StreamSink {
public:
    virtual ~StreamSink() = default;
    /// Queues one text message without blocking; false when the client's bounded queue is full.
    /// Called from any thread.
    virtual bool TrySend(std::shared_ptr<const std::string> message) = 0;
    /// Disconnects a client that fell behind. Must not block; called from any thread.
    virtual void Drop() = 0;
};

/// Fans events out to stream clients. A client receives every topic until it sends
/// `{"subscribe": ["target:1", ...]}` (`["*"]` for all again). Events are
/// `{"type": "event", "topic": ..., "data": ...}`. Thread-safe: Broadcast may be called from any thread,
/// never waits for a client, and drops clients whose queue is full instead of blocking the others.
class StreamHub {
public:
    using ClientId = std::uint64_t;

    /// `metrics`, when given, must outlive the hub; it gets client, message and drop counts.
    explicit StreamHub(MetricsRegistry* metrics = nullptr);

    /// Sends an event to every client subscribed to `topic`.
    void Broadcast(std::string_view topic, const nlohmann::json& data);

    /// Clients currently connected.
    [[nodiscard]] std::size_t ClientCount() const;

    /// Asks whether a client may still receive events (its session not ended by a logout, a password
    /// change or expiry). Called from the broadcasting thread.
    using StillAllowed = std::function<bool()>;

    /// Registers a client that receives everything until it subscribes. The hub keeps only a weak reference.
    /// `still_allowed`, when given, is asked again before an event reaches the client once `recheck_every`
    /// has passed since the last answer; false disconnects the client.
    ClientId Connect(std::weak_ptr<StreamSink> sink,
                     std::optional<Principal> principal,
                     StillAllowed still_allowed = {},
                     std::chrono::milliseconds recheck_every = std::chrono::seconds(5));
    /// Forgets a client; unknown ids are ignored.
    void Disconnect(ClientId id);
    /// Applies a message a client sent and returns the reply to send it (an acknowledgement or an error).
    [[nodiscard]] std::string HandleClientMessage(ClientId id, std::string_view text);

private:
    struct Client {
        std::weak_ptr<StreamSink> sink;
        std::optional<Principal> principal;
        bool all_topics = true;
        std::set<std::string, std::less<>> topics;
        StillAllowed still_allowed;
        std::chrono::milliseconds recheck_every{0};
        std::chrono::steady_clock::time_point allowed_at;  // when still_allowed last said yes
    };
    /// True when the client may receive an event now; asks still_allowed when its answer is old.
    bool Allowed(ClientId id);
    void DropClient(ClientId id, StreamSink& sink);

    mutable std::mutex mutex_;
    std::map<ClientId, Client> clients_;
    ClientId next_id_ = 1;
    Gauge* clients_gauge_ = nullptr;
    Counter* messages_counter_ = nullptr;
    Counter* dropped_counter_ = nullptr;
};

}  // namespace optischema::api
