#include "http_test_client.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace optischema::testing {

namespace {

bool IEquals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    }
    return true;
}

std::string Trimmed(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) text.remove_suffix(1);
    return std::string(text);
}

int RemainingMs(std::chrono::steady_clock::time_point deadline) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

enum class Received { kData, kClosed, kTimeout };

// Waits until `deadline` for bytes on `fd` and appends what one recv(2) returns to `buffer`.
Received ReceiveOnce(int fd, std::string& buffer, std::chrono::steady_clock::time_point deadline) {
    pollfd pfd{fd, POLLIN, 0};
    if (::poll(&pfd, 1, RemainingMs(deadline)) <= 0) return Received::kTimeout;
    char chunk[65536];
    const ssize_t got = ::recv(fd, chunk, sizeof(chunk), 0);
    if (got <= 0) return Received::kClosed;
    buffer.append(chunk, static_cast<std::size_t>(got));
    return Received::kData;
}

}  // namespace

std::optional<std::string> HttpTestResponse::Header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
        if (IEquals(key, name)) return value;
    }
    return std::nullopt;
}

HttpTestClient::HttpTestClient(std::uint16_t port, int receive_buffer_bytes, const char* source_address)
    : port_(port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    if (receive_buffer_bytes > 0) {
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer_bytes, sizeof(receive_buffer_bytes));
    }
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (source_address != nullptr) {
        sockaddr_in source{};
        source.sin_family = AF_INET;
        if (::inet_pton(AF_INET, source_address, &source.sin_addr) != 1 ||
            ::bind(fd_, reinterpret_cast<sockaddr*>(&source), sizeof(source)) != 0) {
            ::close(fd_);
            fd_ = -1;
            throw std::runtime_error(std::string("cannot bind to ") + source_address);
        }
    }
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
        const std::string error = std::strerror(errno);
        ::close(fd_);
        fd_ = -1;
        throw std::runtime_error("connect to 127.0.0.1:" + std::to_string(port) + ": " + error);
    }
}

HttpTestClient::~HttpTestClient() {
    if (fd_ >= 0) ::close(fd_);
}

void HttpTestClient::Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

void HttpTestClient::SendRaw(std::string_view bytes) {
    while (!bytes.empty()) {
        const ssize_t sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (sent < 0) {
            if (errno == EINTR) continue;
            throw std::runtime_error(std::string("send: ") + std::strerror(errno));
        }
        bytes.remove_prefix(static_cast<std::size_t>(sent));
    }
}

bool HttpTestClient::TrySend(std::string_view bytes) {
    try {
        SendRaw(bytes);
        return true;
    } catch (const std::runtime_error&) {
        return false;
    }
}

bool HttpTestClient::Fill(std::chrono::steady_clock::time_point deadline) {
    return ReceiveOnce(fd_, buffer_, deadline) == Received::kData;
}

HttpTestResponse HttpTestClient::ReadHead(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::size_t end;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
        if (!Fill(deadline)) throw std::runtime_error("no complete response head; got: " + buffer_.substr(0, 200));
    }
    const std::string head = buffer_.substr(0, end);
    buffer_.erase(0, end + 4);
    HttpTestResponse response;
    std::size_t line_end = head.find("\r\n");
    const std::string status_line = head.substr(0, line_end);
    if (status_line.rfind("HTTP/1.", 0) != 0 || status_line.size() < 12) {
        throw std::runtime_error("bad status line: " + status_line);
    }
    response.status = std::stoi(status_line.substr(9, 3));
    while (line_end != std::string::npos) {
        const std::size_t start = line_end + 2;
        line_end = head.find("\r\n", start);
        const std::string line =
            head.substr(start, line_end == std::string::npos ? std::string::npos : line_end - start);
        const auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        response.headers.emplace_back(line.substr(0, colon), Trimmed(std::string_view(line).substr(colon + 1)));
    }
    return response;
}

HttpTestResponse HttpTestClient::ReadResponse(bool head, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    HttpTestResponse response = ReadHead(timeout);
    if (head || response.status == 204 || response.status == 304 || response.status < 200) return response;
    const auto length_header = response.Header("Content-Length");
    if (!length_header) {
        // Without a length the body runs to the end of the connection.
        while (Fill(deadline)) {
        }
        response.body = std::move(buffer_);
        buffer_.clear();
        return response;
    }
    const std::size_t length = std::stoul(*length_header);
    while (buffer_.size() < length) {
        if (!Fill(deadline)) throw std::runtime_error("response body cut short");
    }
    response.body = buffer_.substr(0, length);
    buffer_.erase(0, length);
    return response;
}

HttpTestResponse HttpTestClient::Request(std::string_view method,
                                         std::string_view target,
                                         std::string_view body,
                                         const HeaderList& headers) {
    std::string request = std::string(method) + " " + std::string(target) + " HTTP/1.1\r\n";
    // A Host among the headers replaces the default one (a request has exactly one).
    const bool own_host = std::any_of(headers.begin(), headers.end(), [](const auto& h) { return h.first == "Host"; });
    if (!own_host) request += "Host: 127.0.0.1:" + std::to_string(port_) + "\r\n";
    for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
    if (!body.empty() || method == "POST" || method == "PUT") {
        request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    }
    request += "\r\n";
    request += body;
    SendRaw(request);
    return ReadResponse(method == "HEAD");
}

bool HttpTestClient::WaitForClose(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string discarded;
    while (true) {
        const Received received = ReceiveOnce(fd_, discarded, deadline);
        if (received != Received::kData) return received == Received::kClosed;
        discarded.clear();
    }
}

WebSocketTestClient::WebSocketTestClient(std::uint16_t port,
                                         std::string_view path,
                                         const HeaderList& headers,
                                         int receive_buffer_bytes)
    : http_(port, receive_buffer_bytes) {
    std::string request = "GET " + std::string(path) + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                          "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";
    for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
    request += "\r\n";
    http_.SendRaw(request);
    const auto response = http_.ReadHead();
    // The accept value for this key is the worked example of RFC 6455 section 1.3.
    if (response.status != 101 || response.Header("Sec-WebSocket-Accept") != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") {
        throw std::runtime_error("WebSocket upgrade refused with status " + std::to_string(response.status));
    }
}

void WebSocketTestClient::SendControl(int opcode, std::string_view payload) {
    std::string frame;
    frame.push_back(static_cast<char>(0x80 | opcode));
    const unsigned char mask[4] = {0x12, 0x34, 0x56, 0x78};
    if (payload.size() < 126) {
        frame.push_back(static_cast<char>(0x80 | payload.size()));
    } else if (payload.size() <= 0xFFFF) {
        frame.push_back(static_cast<char>(0x80 | 126));
        frame.push_back(static_cast<char>((payload.size() >> 8) & 0xFF));
        frame.push_back(static_cast<char>(payload.size() & 0xFF));
    } else {
        frame.push_back(static_cast<char>(0x80 | 127));
        for (int shift = 56; shift >= 0; shift -= 8)
            frame.push_back(static_cast<char>((payload.size() >> shift) & 0xFF));
    }
    frame.append(reinterpret_cast<const char*>(mask), 4);
    for (std::size_t i = 0; i < payload.size(); ++i) frame.push_back(static_cast<char>(payload[i] ^ mask[i % 4]));
    http_.SendRaw(frame);
}

void WebSocketTestClient::SendText(std::string_view text) { SendControl(1, text); }

std::optional<WebSocketTestClient::Frame> WebSocketTestClient::ReadFrame(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    auto& buffer = http_.buffer();
    auto need = [&](std::size_t bytes) {
        while (buffer.size() < bytes) {
            if (!http_.Fill(deadline)) return false;
        }
        return true;
    };
    if (!need(2)) return std::nullopt;
    const auto b0 = static_cast<unsigned char>(buffer[0]);
    const auto b1 = static_cast<unsigned char>(buffer[1]);
    std::size_t header = 2;
    std::uint64_t length = b1 & 0x7F;
    if (length == 126) {
        if (!need(4)) return std::nullopt;
        length = (static_cast<unsigned char>(buffer[2]) << 8) | static_cast<unsigned char>(buffer[3]);
        header = 4;
    } else if (length == 127) {
        if (!need(10)) return std::nullopt;
        length = 0;
        for (int i = 0; i < 8; ++i) length = (length << 8) | static_cast<unsigned char>(buffer[2 + i]);
        header = 10;
    }
    if ((b1 & 0x80) != 0) throw std::runtime_error("the server sent a masked frame");
    if (!need(header + length)) return std::nullopt;
    Frame frame{b0 & 0x0F, (b0 & 0x80) != 0, buffer.substr(header, length)};
    buffer.erase(0, header + length);
    return frame;
}

std::optional<std::string> WebSocketTestClient::ReadText(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string message;
    while (true) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return std::nullopt;
        auto frame = ReadFrame(left);
        if (!frame) return std::nullopt;
        if (frame->opcode == 9) {
            ++pings_received;
            if (auto_pong) SendControl(10, frame->payload);
            continue;
        }
        if (frame->opcode == 8) {
            if (frame->payload.size() >= 2) {
                close_code = (static_cast<unsigned char>(frame->payload[0]) << 8) |
                             static_cast<unsigned char>(frame->payload[1]);
            } else {
                close_code = 1005;
            }
            return std::nullopt;
        }
        if (frame->opcode == 10) continue;
        // A message may come in fragments: continuations (opcode 0) follow until FIN.
        message += frame->payload;
        if (frame->fin) return message;
    }
}

}  // namespace optischema::testing
