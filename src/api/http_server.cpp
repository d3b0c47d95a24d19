// The only file that includes Boost.Beast: sockets, HTTP parsing and writing, WebSocket sessions.
// Everything else about a request lives in RequestPipeline.
// Beast's string_view is boost::string_view unless told otherwise; ours is std::string_view.
#define BOOST_BEAST_USE_STD_STRING_VIEW

#include "api/http_server.hpp"

#include <atomic>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "api/connection_registry.hpp"
#include "api/request_pipeline.hpp"
#include "api/stream_hub.hpp"

namespace optischema::api {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

// How long a closing connection keeps reading (and discarding) what the client still sends, so the
// client reads our response (a 413, say) instead of a connection reset.
constexpr std::chrono::milliseconds kLingerTimeout{1000};

bool IsHttpParseError(const beast::error_code& ec) {
    return ec.category() == http::make_error_code(http::error::bad_method).category();
}

}  // namespace

class ServerConnection;

/// One connection's place in the per-address count: taken when a connection is accepted, given back
/// when the last owner (the HTTP session, then its WebSocket) is destroyed. Empty for exempt peers.
class AddressSlot {
public:
    AddressSlot() = default;
    AddressSlot(HttpServer::Impl* server, std::string group) : server_(server), group_(std::move(group)) {}
    AddressSlot(AddressSlot&& other) noexcept
        : server_(std::exchange(other.server_, nullptr)), group_(std::move(other.group_)) {}
    AddressSlot& operator=(AddressSlot&&) = delete;
    AddressSlot(const AddressSlot&) = delete;
    AddressSlot& operator=(const AddressSlot&) = delete;
    ~AddressSlot();

private:
    HttpServer::Impl* server_ = nullptr;
    std::string group_;
};

class HttpServer::Impl {
public:
    Impl(const Router& router, HttpServerOptions options) : options_(std::move(options)), pipeline_(router, options_) {}
    ~Impl() { Stop(); }

    Result<std::uint16_t> Start(std::string_view listen, int io_threads);
    void Stop();
    [[nodiscard]] std::uint16_t port() const { return port_.load(); }

    [[nodiscard]] const HttpServerOptions& options() const { return options_; }
    [[nodiscard]] RequestPipeline& pipeline() { return pipeline_; }
    /// The pool that runs `request`'s handler.
    [[nodiscard]] net::thread_pool& workers(const HttpRequest& request) {
        return pipeline_.IsSlow(request) ? *slow_workers_ : *workers_;
    }
    [[nodiscard]] net::thread_pool& workers() { return *workers_; }
    [[nodiscard]] bool stopping() const { return stopping_.load(); }
    [[nodiscard]] ConnectionRegistry<ServerConnection>& connections() { return connections_; }

    /// A slot for a connection from `peer` (normalised), or nullopt when its address group holds
    /// max_connections_per_address already. Trusted proxies get an empty slot: they carry many clients.
    [[nodiscard]] std::optional<AddressSlot> TakeSlot(const std::string& peer) {
        const auto& proxies = options_.trusted_proxies;
        if (std::find(proxies.begin(), proxies.end(), peer) != proxies.end()) return AddressSlot();
        std::string group = AddressGroup(peer);
        std::lock_guard lock(per_address_mutex_);
        auto& count = per_address_[group];
        if (count >= options_.max_connections_per_address) {
            if (count == 0) per_address_.erase(group);
            return std::nullopt;
        }
        ++count;
        return AddressSlot(this, std::move(group));
    }
    void ReleaseSlot(const std::string& group) {
        std::lock_guard lock(per_address_mutex_);
        auto it = per_address_.find(group);
        if (it != per_address_.end() && --it->second == 0) per_address_.erase(it);
    }

private:
    void DoAccept();
    void OnAccept(beast::error_code ec, tcp::socket socket);

    HttpServerOptions options_;
    RequestPipeline pipeline_;
    ConnectionRegistry<ServerConnection> connections_;
    std::mutex per_address_mutex_;
    std::unordered_map<std::string, std::size_t> per_address_;  // live connections per AddressGroup
    std::atomic<bool> stopping_{false};
    std::atomic<std::uint16_t> port_{0};
    std::mutex lifecycle_mutex_;
    bool started_ = false;
    bool stopped_ = false;
    // Destroyed before the registry above, since pending handlers own sessions that unregister.
    net::io_context ioc_;
    // Keeps the I/O threads running while the only outstanding work is a handler on a worker thread.
    std::optional<net::executor_work_guard<net::io_context::executor_type>> work_guard_;
    std::optional<tcp::acceptor> acceptor_;
    std::optional<net::steady_timer> accept_retry_;
    std::optional<net::thread_pool> workers_;
    std::optional<net::thread_pool> slow_workers_;
    std::vector<std::thread> threads_;
};

AddressSlot::~AddressSlot() {
    if (server_ != nullptr) server_->ReleaseSlot(group_);
}

/// A live connection the server can ask to wind down. Methods are thread-safe (they post to the
/// connection's strand).
class ServerConnection : public std::enable_shared_from_this<ServerConnection> {
public:
    explicit ServerConnection(HttpServer::Impl& server) : server_(server) {}
    virtual ~ServerConnection() { server_.connections().Remove(id_); }
    ServerConnection(const ServerConnection&) = delete;
    ServerConnection& operator=(const ServerConnection&) = delete;

    /// Finish what is in flight, then close.
    virtual void BeginShutdown() = 0;
    /// Close now.
    virtual void ForceClose() = 0;

protected:
    void Register() { id_ = server_.connections().Add(weak_from_this()); }

    HttpServer::Impl& server_;
    std::uint64_t id_ = 0;
};

namespace {

/// One WebSocket stream client: a read loop for subscriptions and a bounded write queue fed by the hub.
class WebSocketSession final : public ServerConnection, public StreamSink {
public:
    WebSocketSession(tcp::socket&& socket,
                     HttpServer::Impl& server,
                     AddressSlot slot,
                     std::optional<Principal> principal,
                     StreamHub::StillAllowed still_allowed)
        : ServerConnection(server),
          slot_(std::move(slot)),
          ws_(std::move(socket)),
          principal_(std::move(principal)),
          still_allowed_(std::move(still_allowed)) {}
    ~WebSocketSession() override {
        if (client_id_ != 0) server_.options().stream_hub->Disconnect(client_id_);
    }

    void Run(http::request<http::string_body> request) {
        Register();
        net::dispatch(ws_.get_executor(),
                      [self = Self(), request = std::move(request)]() mutable { self->Accept(std::move(request)); });
    }

    bool TrySend(std::shared_ptr<const std::string> message) override {
        if (pending_.fetch_add(1) >= server_.options().stream_queue_messages) {
            pending_.fetch_sub(1);
            return false;
        }
        net::post(ws_.get_executor(),
                  [self = Self(), message = std::move(message)]() mutable { self->Enqueue(std::move(message)); });
        return true;
    }

    void Drop() override {
        net::post(ws_.get_executor(), [self = Self()] {
            spdlog::info("stream client {} fell behind and was disconnected", self->client_id_);
            self->CloseSocket();
        });
    }

    void BeginShutdown() override {
        net::post(ws_.get_executor(), [self = Self()] {
            if (self->closed_ || self->closing_ || !self->accepted_) return self->CloseSocket();
            self->closing_ = true;
            self->ws_.async_close(websocket::close_code::going_away, [self](beast::error_code) {});
        });
    }

    void ForceClose() override {
        net::post(ws_.get_executor(), [self = Self()] { self->CloseSocket(); });
    }

private:
    std::shared_ptr<WebSocketSession> Self() { return std::static_pointer_cast<WebSocketSession>(shared_from_this()); }

    void Accept(http::request<http::string_body> request) {
        const auto& options = server_.options();
        beast::get_lowest_layer(ws_).expires_never();
        websocket::stream_base::timeout timeout{};
        timeout.handshake_timeout = options.header_timeout;
        timeout.idle_timeout = options.stream_idle_timeout;
        timeout.keep_alive_pings = true;
        ws_.set_option(timeout);
        ws_.set_option(
            websocket::stream_base::decorator([csp = options.content_security_policy](websocket::response_type& res) {
                res.set("X-Content-Type-Options", "nosniff");
                res.set("X-Frame-Options", "DENY");
                res.set("Referrer-Policy", "no-referrer");
                res.set("Content-Security-Policy", csp);
            }));
        ws_.read_message_max(options.stream_max_incoming_bytes);
        ws_.async_accept(request, beast::bind_front_handler(&WebSocketSession::OnAccept, Self()));
    }

    void OnAccept(beast::error_code ec) {
        if (ec) return CloseSocket();
        accepted_ = true;
        if (server_.stopping()) {
            closing_ = true;
            ws_.async_close(websocket::close_code::going_away, [self = Self()](beast::error_code) {});
        } else {
            client_id_ = server_.options().stream_hub->Connect(std::weak_ptr<StreamSink>(Self()), principal_,
                                                               std::move(still_allowed_),
                                                               server_.options().stream_recheck_every);
        }
        DoRead();
    }

    void DoRead() { ws_.async_read(buffer_, beast::bind_front_handler(&WebSocketSession::OnRead, Self())); }

    void OnRead(beast::error_code ec, std::size_t) {
        if (ec) {
            // Closed by the client, by our close handshake, by a missed pong, or dropped.
            closed_ = true;
            if (client_id_ != 0) server_.options().stream_hub->Disconnect(client_id_);
            return CloseSocket();
        }
        std::string reply = ws_.got_text() ? server_.options().stream_hub->HandleClientMessage(
                                                 client_id_, beast::buffers_to_string(buffer_.data()))
                                           : std::string(R"({"type":"error","message":"send text messages"})");
        buffer_.consume(buffer_.size());
        if (!TrySend(std::make_shared<const std::string>(std::move(reply)))) return CloseSocket();
        DoRead();
    }

    void Enqueue(std::shared_ptr<const std::string> message) {
        if (closed_ || closing_) {
            pending_.fetch_sub(1);
            return;
        }
        queue_.push_back(std::move(message));
        if (!writing_) DoWrite();
    }

    void DoWrite() {
        writing_ = true;
        ws_.text(true);
        ws_.async_write(net::buffer(*queue_.front()), beast::bind_front_handler(&WebSocketSession::OnWrite, Self()));
    }

    void OnWrite(beast::error_code ec, std::size_t) {
        writing_ = false;
        queue_.pop_front();
        pending_.fetch_sub(1);
        if (ec) return CloseSocket();
        if (!queue_.empty() && !closed_ && !closing_) DoWrite();
    }

    // A pending write then fails and pops its message; later TrySend calls are discarded by Enqueue.
    void CloseSocket() {
        closed_ = true;
        beast::get_lowest_layer(ws_).close();
    }

    AddressSlot slot_;
    websocket::stream<beast::tcp_stream> ws_;
    beast::flat_buffer buffer_;
    std::optional<Principal> principal_;
    StreamHub::StillAllowed still_allowed_;
    std::deque<std::shared_ptr<const std::string>> queue_;
    std::atomic<std::size_t> pending_{0};  // queued or posted, not yet written
    StreamHub::ClientId client_id_ = 0;
    bool accepted_ = false;
    bool writing_ = false;
    bool closing_ = false;
    bool closed_ = false;
};

/// One HTTP/1.1 connection: reads a request, hands it to a worker, writes the response, repeats.
class HttpSession final : public ServerConnection {
public:
    HttpSession(tcp::socket&& socket, HttpServer::Impl& server, std::string remote, AddressSlot slot)
        : ServerConnection(server), slot_(std::move(slot)), stream_(std::move(socket)), remote_(std::move(remote)) {}

    void Run() {
        Register();
        // The first request's head is due header_timeout after the accept.
        net::dispatch(stream_.get_executor(), beast::bind_front_handler(&HttpSession::ReadHead, Self()));
    }

    void BeginShutdown() override {
        net::post(stream_.get_executor(), [self = Self()] {
            self->closing_ = true;
            if (!self->busy_) self->CloseNow();
        });
    }

    void ForceClose() override {
        net::post(stream_.get_executor(), [self = Self()] { self->CloseNow(); });
    }

private:
    std::shared_ptr<HttpSession> Self() { return std::static_pointer_cast<HttpSession>(shared_from_this()); }

    // After a response: wait up to idle_timeout for the next request's first byte (unless pipelined
    // bytes are here already), then give its head header_timeout from that byte.
    void ReadHeader() {
        busy_ = false;
        if (closing_ || server_.stopping()) return CloseNow();
        if (buffer_.size() > 0) return ReadHead();
        stream_.expires_after(server_.options().idle_timeout);
        stream_.async_read_some(buffer_.prepare(kFirstReadBytes), [self = Self()](beast::error_code ec, std::size_t n) {
            if (ec) return self->OnReadError(ec);
            self->buffer_.commit(n);
            self->ReadHead();
        });
    }

    void ReadHead() {
        if (closing_ || server_.stopping()) return CloseNow();
        const auto& options = server_.options();
        parser_.emplace();
        parser_->header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
        parser_->body_limit(options.max_body_bytes);
        stream_.expires_after(options.header_timeout);
        http::async_read_header(stream_, buffer_, *parser_, beast::bind_front_handler(&HttpSession::OnHeader, Self()));
    }

    void OnHeader(beast::error_code ec, std::size_t) {
        if (ec) return OnReadError(ec);
        busy_ = true;
        auto& request = parser_->get();
        version_ = request.version();
        keep_alive_ = request.keep_alive();
        head_ = request.method() == http::verb::head;
        const auto& options = server_.options();
        if (options.stream_hub != nullptr && websocket::is_upgrade(request)) {
            if (!parser_->is_done()) return WriteError(400, "bad_request", "a WebSocket upgrade has no body");
            return Upgrade();
        }
        const auto expect = request[http::field::expect];
        if (!expect.empty()) {
            if (!beast::iequals(expect, "100-continue"))
                return WriteError(417, "expectation_failed", "only 100-continue is supported");
            if (!parser_->is_done()) {
                auto interim = std::make_shared<http::response<http::empty_body>>(http::status::continue_, version_);
                return http::async_write(stream_, *interim,
                                         [self = Self(), interim](beast::error_code write_ec, std::size_t) {
                                             if (write_ec) return self->CloseNow();
                                             self->ReadBody();
                                         });
            }
        }
        ReadBody();
    }

    void ReadBody() {
        if (parser_->is_done()) return OnRequest();
        stream_.expires_after(server_.options().read_timeout);
        http::async_read(stream_, buffer_, *parser_, [self = Self()](beast::error_code ec, std::size_t) {
            if (ec) return self->OnReadError(ec);
            self->OnRequest();
        });
    }

    void OnReadError(const beast::error_code& ec) {
        if (ec == http::error::body_limit)
            return WriteError(413, "payload_too_large",
                              fmt::format("the request body exceeds {} bytes", server_.options().max_body_bytes));
        if (ec == http::error::header_limit)
            return WriteError(431, "header_too_large", "the request header is too large");
        if (IsHttpParseError(ec) && ec != http::error::end_of_stream && ec != http::error::partial_message) {
            return WriteError(400, "bad_request", "malformed HTTP request");
        }
        // The client went away, stayed idle, or trickled too slowly (timeout): nothing to answer.
        CloseNow();
    }

    Result<HttpRequest> Convert() {
        auto& raw = parser_->get();
        HttpHeaders headers;
        for (const auto& field : raw) headers.Add(field.name_string(), field.value());
        return ReadRequest(std::string(raw.method_string()), raw.target(), std::move(headers), std::move(raw.body()),
                           remote_, server_.options().trusted_proxies);
    }

    void OnRequest() {
        auto request = Convert();
        if (!request) return WriteError(400, "bad_request", request.error().message);
        auto& workers = server_.workers(*request);
        net::post(workers, [self = Self(), request = std::move(*request)]() mutable {
            HttpResponse response;
            try {
                response = self->server_.pipeline().Handle(request);
            } catch (const std::exception& e) {
                spdlog::error("request pipeline failed: {}", e.what());
                response = self->server_.pipeline().TransportError(500, "internal", "internal error", self->remote_);
            }
            net::post(self->stream_.get_executor(),
                      [self, response = std::move(response)]() mutable { self->Write(std::move(response)); });
        });
    }

    void Upgrade() {
        auto request = Convert();
        if (!request) return WriteError(400, "bad_request", request.error().message);
        net::post(server_.workers(), [self = Self(), request = std::move(*request)]() mutable {
            auto refusal = self->server_.pipeline().AuthorizeStream(request);
            // The credentials the stream was opened with are checked again while it lasts (a logout ends it).
            StreamHub::StillAllowed still_allowed;
            if (const auto& authenticate = self->server_.options().authenticate) {
                // A store that cannot answer for a moment does not end the stream; only a denial does.
                still_allowed = [authenticate, credentials = CredentialsOf(request)] {
                    try {
                        auto principal = authenticate(credentials);
                        if (!principal) return principal.error().code != ErrorCode::kUnauthenticated;
                        return principal->has_value();
                    } catch (const std::exception&) {
                        return false;
                    }
                };
            }
            net::post(self->stream_.get_executor(), [self, refusal = std::move(refusal),
                                                     principal = std::move(request.principal),
                                                     still_allowed = std::move(still_allowed)]() mutable {
                if (refusal) {
                    self->keep_alive_ = false;
                    return self->Write(std::move(*refusal));
                }
                if (self->closing_ || self->server_.stopping()) {
                    return self->WriteError(503, "shutting_down", "the server is shutting down");
                }
                self->stream_.expires_never();
                auto session = std::make_shared<WebSocketSession>(self->stream_.release_socket(), self->server_,
                                                                  std::move(self->slot_), std::move(principal),
                                                                  std::move(still_allowed));
                session->Run(self->parser_->release());
            });
        });
    }

    void WriteError(int status, std::string_view code, std::string_view message) {
        busy_ = true;
        keep_alive_ = false;
        if (version_ == 0) version_ = 11;
        Write(server_.pipeline().TransportError(status, code, message, remote_));
    }

    void Write(HttpResponse response) {
        auto res = std::make_shared<http::response<http::string_body>>();
        res->version(version_ == 10 ? 10 : 11);
        res->result(static_cast<unsigned>(response.status));
        if (const auto reason = StatusReason(response.status); !reason.empty()) res->reason(reason);
        const bool has_body = StatusHasBody(response.status);
        if (has_body && IsSafeHeaderValue(response.content_type))
            res->set(http::field::content_type, response.content_type);
        for (const auto& [name, value] : response.headers.fields()) {
            const auto use = ClassifyResponseHeader(name, value);
            if (use == ResponseHeaderUse::kRefuse) spdlog::error("dropped an unsafe response header '{}'", name);
            if (use == ResponseHeaderUse::kSend) res->insert(name, value);
        }
        const bool keep = keep_alive_ && !closing_ && !server_.stopping();
        res->keep_alive(keep);
        if (has_body) {
            res->content_length(response.body.size());
            if (!head_) res->body() = std::move(response.body);
        }
        stream_.expires_after(server_.options().write_timeout);
        http::async_write(stream_, *res, [self = Self(), res, keep](beast::error_code ec, std::size_t) {
            if (ec) return self->CloseNow();
            if (!keep) return self->LingerClose();
            self->ReadHeader();
        });
    }

    void LingerClose() {
        beast::error_code ec;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
        if (ec) return CloseNow();
        stream_.expires_after(kLingerTimeout);
        Drain();
    }

    void Drain() {
        stream_.async_read_some(net::buffer(drain_buffer_), [self = Self()](beast::error_code ec, std::size_t) {
            if (ec) return self->CloseNow();
            self->Drain();
        });
    }

    void CloseNow() {
        closing_ = true;
        beast::error_code ec;
        stream_.socket().close(ec);
    }

    // What the first read of an idle kept-alive connection asks for; the rest of the head follows.
    static constexpr std::size_t kFirstReadBytes = 4096;

    AddressSlot slot_;
    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    std::array<char, 4096> drain_buffer_{};
    std::string remote_;
    unsigned version_ = 11;
    bool keep_alive_ = true;
    bool head_ = false;
    bool busy_ = false;
    bool closing_ = false;
};

}  // namespace

Result<std::uint16_t> HttpServer::Impl::Start(std::string_view listen, int io_threads) {
    std::lock_guard lifecycle(lifecycle_mutex_);
    if (started_) return MakeError(ErrorCode::kInvalidArgument, "the server was already started");
    auto parsed = ParseListenAddress(listen);
    if (!parsed) return tl::unexpected(parsed.error());
    beast::error_code ec;
    const auto address = net::ip::make_address(parsed->host, ec);
    if (ec) return MakeError(ErrorCode::kInvalidArgument, fmt::format("'{}' is not an IP address", parsed->host));
    const tcp::endpoint endpoint(address, parsed->port);
    acceptor_.emplace(net::make_strand(ioc_));
    accept_retry_.emplace(acceptor_->get_executor());
    acceptor_->open(endpoint.protocol(), ec);
    if (!ec) acceptor_->set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_->bind(endpoint, ec);
    if (!ec) acceptor_->listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
        acceptor_.reset();
        return MakeError(
            ErrorCode::kConnectionFailed,
            fmt::format("cannot listen on {}: {} (is another server using the port? choose another with --listen)",
                        listen, ec.message()));
    }
    port_ = acceptor_->local_endpoint().port();
    started_ = true;
    workers_.emplace(static_cast<std::size_t>(std::max(1, options_.worker_threads)));
    slow_workers_.emplace(static_cast<std::size_t>(std::max(1, options_.slow_worker_threads)));
    work_guard_.emplace(ioc_.get_executor());
    DoAccept();
    for (int i = 0; i < std::max(1, io_threads); ++i) {
        threads_.emplace_back([this] {
            try {
                ioc_.run();
            } catch (const std::exception& e) {
                spdlog::error("HTTP server thread stopped: {}", e.what());
            }
        });
    }
    spdlog::info("listening on {}", fmt::format("{}:{}", endpoint.address().to_string(), port_.load()));
    return port_.load();
}

void HttpServer::Impl::DoAccept() {
    acceptor_->async_accept(net::make_strand(ioc_), beast::bind_front_handler(&Impl::OnAccept, this));
}

void HttpServer::Impl::OnAccept(beast::error_code ec, tcp::socket socket) {
    if (stopping_ || !acceptor_->is_open()) return;
    if (ec) {
        // Typically out of file descriptors: retry shortly instead of spinning.
        spdlog::warn("accepting a connection failed: {}", ec.message());
        accept_retry_->expires_after(std::chrono::milliseconds(100));
        accept_retry_->async_wait([this](beast::error_code wait_ec) {
            if (!wait_ec && !stopping_) DoAccept();
        });
        return;
    }
    std::string remote;
    beast::error_code endpoint_ec;
    if (const auto endpoint = socket.remote_endpoint(endpoint_ec); !endpoint_ec) {
        auto address = endpoint.address();
        if (address.is_v6() && address.to_v6().is_v4_mapped()) {
            address = net::ip::make_address_v4(net::ip::v4_mapped, address.to_v6());
        }
        remote = address.to_string();
    }
    std::optional<AddressSlot> slot =
        connections_.size() < options_.max_connections ? TakeSlot(remote) : std::optional<AddressSlot>();
    if (!slot) {
        // Over the global cap, or this address holds its share: one client cannot take every connection.
        beast::error_code ignored;
        socket.close(ignored);
    } else {
        // Responses are written whole: Nagle's algorithm would only hold back their last segment until
        // the client's delayed ACK (tens of milliseconds).
        beast::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        std::make_shared<HttpSession>(std::move(socket), *this, std::move(remote), std::move(*slot))->Run();
    }
    DoAccept();
}

void HttpServer::Impl::Stop() {
    std::lock_guard lifecycle(lifecycle_mutex_);
    if (!started_ || stopped_) return;
    stopped_ = true;
    stopping_ = true;
    net::post(acceptor_->get_executor(), [this] {
        beast::error_code ec;
        acceptor_->close(ec);
        accept_retry_->cancel();
    });
    for (const auto& connection : connections_.Live()) connection->BeginShutdown();
    if (!connections_.WaitUntilEmpty(options_.shutdown_timeout)) {
        spdlog::warn("closing connections still open after {} ms of shutdown", options_.shutdown_timeout.count());
        for (const auto& connection : connections_.Live()) connection->ForceClose();
        (void)connections_.WaitUntilEmpty(std::chrono::milliseconds(1000));
    }
    work_guard_.reset();
    ioc_.stop();
    for (auto& thread : threads_) thread.join();
    threads_.clear();
    workers_->join();
    slow_workers_->join();
}

HttpServer::HttpServer(const Router& router, HttpServerOptions options)
    : impl_(std::make_unique<Impl>(router, std::move(options))) {}

HttpServer::~HttpServer() = default;

Result<std::uint16_t> HttpServer::Start(std::string_view listen, int io_threads) {
    return impl_->Start(listen, io_threads);
}

void HttpServer::Stop() { impl_->Stop(); }

std::uint16_t HttpServer::port() const { return impl_->port(); }

}  // namespace optischema::api
