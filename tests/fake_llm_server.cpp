#include "fake_llm_server.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace optischema::testing {
namespace {

std::string Lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

std::string Trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return {};
    const auto e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
}

const char* Reason(int status) {
    switch (status) {
        case 200:
            return "OK";
        case 400:
            return "Bad Request";
        case 401:
            return "Unauthorized";
        case 403:
            return "Forbidden";
        case 404:
            return "Not Found";
        case 429:
            return "Too Many Requests";
        case 500:
            return "Internal Server Error";
        case 503:
            return "Service Unavailable";
        default:
            return "Status";
    }
}

// Reads until `pred` holds or the peer closes or 5 s pass without data.
template <typename Pred>
bool ReadUntil(int fd, std::string& buffer, Pred pred) {
    char chunk[8192];
    while (!pred()) {
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, 5000) <= 0) return false;
        const ssize_t n = recv(fd, chunk, sizeof chunk, 0);
        if (n <= 0) return false;
        buffer.append(chunk, static_cast<std::size_t>(n));
    }
    return true;
}

void SendAll(int fd, const std::string& data) {
    std::size_t sent = 0;
    while (sent < data.size()) {
        const ssize_t n = send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) return;  // the client gave up (timeout): nothing to do
        sent += static_cast<std::size_t>(n);
    }
}

}  // namespace

std::string RecordedRequest::Header(const std::string& name) const {
    for (const auto& [k, v] : headers) {
        if (k == name) return v;
    }
    return {};
}

FakeLlmServer::FakeLlmServer() {
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    if (listen_fd_ < 0) {
        std::perror("fake_llm_server: socket");
        std::abort();
    }
    const int one = 1;
    setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(listen_fd_, 16) != 0) {
        std::perror("fake_llm_server: bind/listen");
        std::abort();
    }
    socklen_t len = sizeof addr;
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
}

FakeLlmServer::~FakeLlmServer() {
    {
        const std::lock_guard lock(mutex_);
        stop_ = true;
    }
    stop_cv_.notify_all();
    thread_.join();
    close(listen_fd_);
}

std::string FakeLlmServer::BaseUrl() const { return "http://127.0.0.1:" + std::to_string(port_); }

void FakeLlmServer::Enqueue(ScriptedResponse response) {
    const std::lock_guard lock(mutex_);
    script_.push_back(std::move(response));
}

void FakeLlmServer::EnqueueJson(std::string body) { Enqueue(ScriptedResponse{200, std::move(body), {}, {}}); }

std::vector<RecordedRequest> FakeLlmServer::Requests() const {
    const std::lock_guard lock(mutex_);
    return requests_;
}

std::size_t FakeLlmServer::RequestCount() const {
    const std::lock_guard lock(mutex_);
    return requests_.size();
}

void FakeLlmServer::Serve() {
    for (;;) {
        {
            const std::lock_guard lock(mutex_);
            if (stop_) return;
        }
        pollfd p{listen_fd_, POLLIN, 0};
        if (poll(&p, 1, 20) <= 0) continue;
        const int fd = accept(listen_fd_, nullptr, nullptr);
        if (fd < 0) continue;
        HandleConnection(fd);
        close(fd);
    }
}

void FakeLlmServer::HandleConnection(int fd) {
    std::string buffer;
    if (!ReadUntil(fd, buffer, [&] { return buffer.find("\r\n\r\n") != std::string::npos; })) return;
    const std::size_t header_end = buffer.find("\r\n\r\n");
    RecordedRequest request;
    std::size_t content_length = 0;
    {
        const std::string head = buffer.substr(0, header_end);
        std::size_t line_end = head.find("\r\n");
        const std::string request_line = head.substr(0, line_end);
        const auto sp1 = request_line.find(' ');
        const auto sp2 = request_line.find(' ', sp1 + 1);
        request.method = request_line.substr(0, sp1);
        request.path = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
        std::size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
        while (pos < head.size()) {
            line_end = head.find("\r\n", pos);
            if (line_end == std::string::npos) line_end = head.size();
            const std::string line = head.substr(pos, line_end - pos);
            const auto colon = line.find(':');
            if (colon != std::string::npos) {
                std::string name = Lower(Trim(line.substr(0, colon)));
                std::string value = Trim(line.substr(colon + 1));
                if (name == "content-length") content_length = std::stoul(value);
                request.headers.emplace_back(std::move(name), std::move(value));
            }
            pos = line_end + 2;
        }
    }
    const std::size_t body_start = header_end + 4;
    if (!ReadUntil(fd, buffer, [&] { return buffer.size() >= body_start + content_length; })) return;
    request.body = buffer.substr(body_start, content_length);

    ScriptedResponse response{500, R"({"error":{"message":"the fake server has no scripted response left"}})", {}, {}};
    {
        std::unique_lock lock(mutex_);
        requests_.push_back(std::move(request));
        if (!script_.empty()) {
            response = std::move(script_.front());
            script_.pop_front();
        }
        if (response.delay.count() > 0 && stop_cv_.wait_for(lock, response.delay, [this] { return stop_; })) return;
    }
    std::string out = "HTTP/1.1 " + std::to_string(response.status) + " " + Reason(response.status) + "\r\n";
    out += "Content-Type: application/json\r\n";
    out += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
    out += "Connection: close\r\n";
    for (const auto& [name, value] : response.headers) {
        out += name;
        out += ": ";
        out += value;
        out += "\r\n";
    }
    out += "\r\n" + response.body;
    SendAll(fd, out);
}

std::string OpenAiCompletionBody(const std::string& content,
                                 int prompt_tokens,
                                 int completion_tokens,
                                 const std::string& model) {
    return nlohmann::json{{"id", "chatcmpl-AI8a7b6c5d4e3f2"},
                          {"object", "chat.completion"},
                          {"created", 1741570283},
                          {"model", model},
                          {"choices",
                           {{{"index", 0},
                             {"message", {{"role", "assistant"}, {"content", content}, {"refusal", nullptr}}},
                             {"logprobs", nullptr},
                             {"finish_reason", "stop"}}}},
                          {"usage",
                           {{"prompt_tokens", prompt_tokens},
                            {"completion_tokens", completion_tokens},
                            {"total_tokens", prompt_tokens + completion_tokens}}},
                          {"system_fingerprint", "fp_06737a9306"}}
        .dump();
}

}  // namespace optischema::testing
