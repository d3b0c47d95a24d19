// HTTP requests as the server reads them: Boost.Beast's parser with the server's limits, then
// ReadRequest (target, query string, cookies, X-Forwarded-For), then the request pipeline (routing,
// authentication, roles, CSRF, security headers) over the API's routes (every path of
// docs/openapi.json), whose handlers decode what the server's handlers decode: ids in the path, the
// JSON body, from/to and limit.

// Beast takes std::string_view, as in the server (src/api/http_server.cpp).
#define BOOST_BEAST_USE_STD_STRING_VIEW

#include <cctype>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/beast/core/error.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "api/http_message.hpp"
#include "api/http_server.hpp"
#include "api/request_pipeline.hpp"
#include "api/router.hpp"
#include "server/route_helpers.hpp"

namespace api = optischema::api;
namespace helpers = optischema::server::route_helpers;
namespace http = boost::beast::http;

namespace {

constexpr std::string_view kPeer = "10.0.0.5";  // a trusted proxy: X-Forwarded-For is read

api::HttpResponse Decode(const api::HttpRequest& request) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [name, value] : request.path_params) {
        if (name.ends_with("id")) {
            auto id = helpers::IdParam(request, name.c_str());
            if (!id) return api::HttpResponse::FromError(id.error());
            out[name] = *id;
        } else {
            out[name] = value;
        }
    }
    auto body = helpers::JsonBody(request, {{"name", helpers::BodyField::Type::kString},
                                            {"interval_s", helpers::BodyField::Type::kInteger},
                                            {"production", helpers::BodyField::Type::kBoolean},
                                            {"threshold", helpers::BodyField::Type::kNumber}});
    if (!body) return api::HttpResponse::FromError(body.error());
    auto range = helpers::RangeParams(request);
    if (!range) return api::HttpResponse::FromError(range.error());
    auto limit = helpers::LimitParam(request, 20, 500);
    if (!limit) return api::HttpResponse::FromError(limit.error());
    out["limit"] = *limit;
    out["body"] = std::move(*body);
    out["actor"] = helpers::Actor(request);
    return api::HttpResponse::Json(200, out);
}

struct Server {
    api::Router router;
    api::HttpServerOptions options;
    std::unique_ptr<api::RequestPipeline> pipeline;
};

Server& TheServer() {
    static Server* server = [] {
        auto* s = new Server;
        std::ifstream in(OPTISCHEMA_OPENAPI_JSON);
        const auto document = nlohmann::json::parse(std::string(std::istreambuf_iterator<char>(in), {}));
        for (const auto& [path, operations] : document.at("paths").items()) {
            for (const auto& [method, operation] : operations.items()) {
                std::string verb = method;
                for (auto& c : verb) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
                if (verb != "GET" && verb != "POST" && verb != "PUT" && verb != "DELETE") continue;
                api::RouteOptions options;
                options.public_route = operation.contains("security") && operation["security"].empty();
                options.required_role =
                    path.find("users") != std::string::npos ? api::Role::kAdmin : api::Role::kViewer;
                s->router.Add(verb, path, Decode, options);
            }
        }
        s->options.trusted_proxies = {std::string(kPeer)};
        // A session cookie or a bearer token, as the server's authenticator accepts them.
        s->options.authenticate = [](const api::HttpRequest& r) -> optischema::Result<std::optional<api::Principal>> {
            if (r.Cookie("optischema_session") == std::optional<std::string>("s3ss10n")) {
                return api::Principal{"admin", api::Role::kAdmin, api::AuthMethod::kCookie};
            }
            if (r.headers.Get("Authorization") == std::optional<std::string_view>("Bearer t0k3n")) {
                return api::Principal{"robot", api::Role::kOperator, api::AuthMethod::kBearer};
            }
            return std::optional<api::Principal>();
        };
        s->pipeline = std::make_unique<api::RequestPipeline>(s->router, s->options);
        return s;
    }();
    return *server;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    (void)TheServer();
    spdlog::set_level(spdlog::level::off);  // the access log of every input would drown the fuzzer's output
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto& server = TheServer();
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(server.options.max_header_bytes));
    parser.body_limit(server.options.max_body_bytes);
    parser.eager(true);
    boost::beast::error_code ec;
    std::size_t used = 0;
    while (used < size && !parser.is_done()) {
        const std::size_t n = parser.put(boost::asio::buffer(data + used, size - used), ec);
        if (ec || n == 0) break;
        used += n;
    }
    if (!parser.is_done()) {
        // The end of the input is the end of the stream; Beast asks for some of a message before it.
        if (ec || !parser.got_some()) return 0;
        parser.put_eof(ec);
        if (ec || !parser.is_done()) return 0;
    }
    auto& raw = parser.get();
    api::HttpHeaders headers;
    for (const auto& field : raw) headers.Add(field.name_string(), field.value());
    auto request = api::ReadRequest(std::string(raw.method_string()), raw.target(), std::move(headers),
                                    std::move(raw.body()), kPeer, server.options.trusted_proxies);
    if (!request) return 0;
    auto response = server.pipeline->Handle(*request);
    for (const auto& [name, value] : response.headers.fields()) (void)api::ClassifyResponseHeader(name, value);
    return 0;
}
