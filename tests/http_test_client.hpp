#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace optischema::testing {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

/// One HTTP response as received.
struct HttpTestResponse {
    int status = 0;
    HeaderList headers;
    std::string body;

    /// The first header of that name (case-insensitive).
    [[nodiscard]] std::optional<std::string> Header(std::string_view name) const;
};

/// A blocking HTTP/1.1 client on one keep-alive TCP connection to 127.0.0.1, with plain sockets (no
/// Beast, so tests compile fast). Failures throw std::runtime_error, which fails the test.
class HttpTestClient {
public:
    /// Connects; a positive receive_buffer_bytes shrinks SO_RCVBUF (to play a slow reader); a
    /// source_address (another loopback address, "127.0.0.2") plays a second client machine.
    explicit HttpTestClient(std::uint16_t port, int receive_buffer_bytes = 0, const char* source_address = nullptr);
    ~HttpTestClient();
    HttpTestClient(const HttpTestClient&) = delete;
    HttpTestClient& operator=(const HttpTestClient&) = delete;

    /// Sends a request (Host and Content-Length added) and reads the response.
    HttpTestResponse Request(std::string_view method,
                             std::string_view target,
                             std::string_view body = {},
                             const HeaderList& headers = {});
    HttpTestResponse Get(std::string_view target, const HeaderList& headers = {}) {
        return Request("GET", target, {}, headers);
    }

    /// Sends bytes as they are.
    void SendRaw(std::string_view bytes);
    /// Reads one response; `head` for responses to HEAD (no body despite Content-Length).
    HttpTestResponse ReadResponse(bool head = false, std::chrono::milliseconds timeout = std::chrono::seconds(10));
    /// Reads the head of a response only (status and headers), e.g. a 101.
    HttpTestResponse ReadHead(std::chrono::milliseconds timeout = std::chrono::seconds(10));
    /// True when the server closes the connection (EOF or reset) within `timeout`; data is discarded.
    bool WaitForClose(std::chrono::milliseconds timeout);
    /// Closes the socket now (as a browser does after a WebSocket close handshake).
    void Close();
    /// Like send(2) once: false when the peer has closed (EPIPE/ECONNRESET).
    bool TrySend(std::string_view bytes);

    [[nodiscard]] int fd() const { return fd_; }
    [[nodiscard]] std::uint16_t port() const { return port_; }
    /// Bytes received but not yet consumed.
    std::string& buffer() { return buffer_; }
    /// Reads more into buffer(); false on EOF, error or timeout.
    bool Fill(std::chrono::steady_clock::time_point deadline);

private:
    int fd_ = -1;
    std::uint16_t port_ = 0;
    std::string buffer_;
};

/// A minimal WebSocket client (RFC 6455) on top of HttpTestClient: text messages, ping/pong, close.
class WebSocketTestClient {
public:
    struct Frame {
        int opcode = 0;   // 0 continuation, 1 text, 2 binary, 8 close, 9 ping, 10 pong
        bool fin = true;  // the last frame of a message
        std::string payload;
    };

    /// Connects and upgrades; throws unless the server answers 101 with the right Sec-WebSocket-Accept.
    WebSocketTestClient(std::uint16_t port,
                        std::string_view path,
                        const HeaderList& headers = {},
                        int receive_buffer_bytes = 0);

    /// Sends a masked text message.
    void SendText(std::string_view text);
    /// Sends a masked control frame.
    void SendControl(int opcode, std::string_view payload);
    /// The next frame as it comes; nullopt on timeout or EOF.
    std::optional<Frame> ReadFrame(std::chrono::milliseconds timeout);
    /// The next text message, answering pings when auto_pong; nullopt on timeout, close or EOF.
    std::optional<std::string> ReadText(std::chrono::milliseconds timeout);

    bool auto_pong = true;
    int pings_received = 0;
    std::optional<int> close_code;  // set when a close frame arrived

    HttpTestClient& connection() { return http_; }

private:
    HttpTestClient http_;
};

}  // namespace optischema::testing
