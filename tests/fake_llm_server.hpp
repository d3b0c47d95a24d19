#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace optischema::testing {

/// One request as the fake server received it.
struct RecordedRequest {
    std::string method;
    std::string path;                                          // request target, e.g. "/v1/chat/completions"
    std::vector<std::pair<std::string, std::string>> headers;  // names lowercased, in order
    std::string body;

    /// The value of header `name` (lowercase); empty when absent.
    [[nodiscard]] std::string Header(const std::string& name) const;
};

/// One scripted answer.
struct ScriptedResponse {
    int status = 200;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;  // extra headers, e.g. {"Retry-After", "1"}
    std::chrono::milliseconds delay{0};                        // wait before answering (provokes timeouts)
};

/// A chat.completion body as OpenAI documents it: one choice answering `content`, with the given usage.
[[nodiscard]] std::string OpenAiCompletionBody(const std::string& content,
                                               int prompt_tokens,
                                               int completion_tokens,
                                               const std::string& model = "gpt-4o-mini-2024-07-18");

/// A tiny HTTP/1.1 server on 127.0.0.1 (an ephemeral port) for the LLM client tests: one thread,
/// one request per connection (Connection: close), bodies by Content-Length. Answers each request
/// with the next scripted response (500 when the script is empty) and records every request.
/// Thread-safe.
class FakeLlmServer {
public:
    /// Binds and starts serving; aborts the test binary if the socket cannot be created.
    FakeLlmServer();
    ~FakeLlmServer();
    FakeLlmServer(const FakeLlmServer&) = delete;
    FakeLlmServer& operator=(const FakeLlmServer&) = delete;

    /// "http://127.0.0.1:<port>".
    [[nodiscard]] std::string BaseUrl() const;
    /// Appends a response to the script.
    void Enqueue(ScriptedResponse response);
    /// Appends a 200 response with a JSON body.
    void EnqueueJson(std::string body);
    /// Every request received so far.
    [[nodiscard]] std::vector<RecordedRequest> Requests() const;
    /// How many requests were received.
    [[nodiscard]] std::size_t RequestCount() const;

private:
    void Serve();
    void HandleConnection(int fd);

    int listen_fd_ = -1;
    int port_ = 0;
    mutable std::mutex mutex_;
    std::condition_variable stop_cv_;
    bool stop_ = false;
    std::deque<ScriptedResponse> script_;
    std::vector<RecordedRequest> requests_;
    std::thread thread_;
};

}  // namespace optischema::testing
