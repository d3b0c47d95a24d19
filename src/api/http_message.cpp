#include "api/http_message.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/strings.hpp"

namespace optischema::api {

namespace {

char LowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

int HexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (LowerAscii(a[i]) != LowerAscii(b[i])) return false;
    }
    return true;
}

std::optional<std::string_view> HttpHeaders::Get(std::string_view name) const {
    for (const auto& [key, value] : fields_) {
        if (EqualsIgnoreCase(key, name)) return std::string_view(value);
    }
    return std::nullopt;
}

std::vector<std::string_view> HttpHeaders::GetAll(std::string_view name) const {
    std::vector<std::string_view> values;
    for (const auto& [key, value] : fields_) {
        if (EqualsIgnoreCase(key, name)) values.emplace_back(value);
    }
    return values;
}

void HttpHeaders::Set(std::string_view name, std::string_view value) {
    Remove(name);
    Add(name, value);
}

void HttpHeaders::Add(std::string_view name, std::string_view value) { fields_.emplace_back(name, value); }

void HttpHeaders::Remove(std::string_view name) {
    std::erase_if(fields_, [&](const auto& field) { return EqualsIgnoreCase(field.first, name); });
}

std::string HttpRequest::PathParam(std::string_view name) const {
    auto it = path_params.find(std::string(name));
    return it == path_params.end() ? std::string() : it->second;
}

std::optional<std::string> HttpRequest::QueryParam(std::string_view name) const {
    auto it = query.find(std::string(name));
    if (it == query.end()) return std::nullopt;
    return it->second;
}

std::optional<std::string> HttpRequest::Cookie(std::string_view name) const {
    auto it = cookies.find(std::string(name));
    if (it == cookies.end()) return std::nullopt;
    return it->second;
}

HttpRequest CredentialsOf(const HttpRequest& request) {
    HttpRequest credentials;
    credentials.headers = request.headers;
    credentials.cookies = request.cookies;
    credentials.remote_address = request.remote_address;
    return credentials;
}

HttpResponse HttpResponse::Json(int status, const nlohmann::json& body) {
    HttpResponse response;
    response.status = status;
    response.content_type = "application/json";
    response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return response;
}

HttpResponse HttpResponse::Error(int status, std::string_view code, std::string_view message) {
    return Json(status, nlohmann::json{{"error", {{"code", code}, {"message", message}}}});
}

HttpResponse HttpResponse::FromError(const optischema::Error& error) {
    const int status = HttpStatusFor(error.code);
    nlohmann::json detail{{"code", ErrorCodeSlug(error.code)}};
    // 500 is our own failure (its message may name files or internals: logged, not shown); 502 is the
    // target database's, which the user needs to see to fix it.
    detail["message"] = status == 500 ? std::string("internal error") : error.message;
    if (!error.sqlstate.empty() && status != 500) detail["sqlstate"] = error.sqlstate;
    return Json(status, nlohmann::json{{"error", detail}});
}

HttpResponse HttpResponse::Text(int status, std::string body, std::string content_type) {
    HttpResponse response;
    response.status = status;
    response.body = std::move(body);
    response.content_type = std::move(content_type);
    return response;
}

int HttpStatusFor(ErrorCode code) {
    switch (code) {
        case ErrorCode::kInvalidArgument:
        case ErrorCode::kParseError:
            return 400;
        case ErrorCode::kNotFound:
            return 404;
        case ErrorCode::kPrerequisiteMissing:
        case ErrorCode::kConflict:
            return 409;
        case ErrorCode::kConnectionFailed:
        case ErrorCode::kQueryFailed:
            return 502;  // the target database, which is upstream of us, failed
        case ErrorCode::kUnauthenticated:
            return 401;
        case ErrorCode::kForbidden:
            return 403;
        case ErrorCode::kStorage:
        case ErrorCode::kInternal:
            return 500;
    }
    return 500;
}

std::string_view ErrorCodeSlug(ErrorCode code) {
    switch (code) {
        case ErrorCode::kInvalidArgument:
            return "invalid_argument";
        case ErrorCode::kConnectionFailed:
            return "connection_failed";
        case ErrorCode::kPrerequisiteMissing:
            return "prerequisite_missing";
        case ErrorCode::kQueryFailed:
            return "query_failed";
        case ErrorCode::kParseError:
            return "parse_error";
        case ErrorCode::kNotFound:
            return "not_found";
        case ErrorCode::kStorage:
            return "storage";
        case ErrorCode::kConflict:
            return "conflict";
        case ErrorCode::kUnauthenticated:
            return "unauthorized";
        case ErrorCode::kForbidden:
            return "forbidden";
        case ErrorCode::kInternal:
            return "internal";
    }
    return "internal";
}

std::string_view StatusReason(int status) {
    switch (status) {
        case 100:
            return "Continue";
        case 101:
            return "Switching Protocols";
        case 200:
            return "OK";
        case 201:
            return "Created";
        case 202:
            return "Accepted";
        case 204:
            return "No Content";
        case 304:
            return "Not Modified";
        case 400:
            return "Bad Request";
        case 401:
            return "Unauthorized";
        case 403:
            return "Forbidden";
        case 404:
            return "Not Found";
        case 405:
            return "Method Not Allowed";
        case 408:
            return "Request Timeout";
        case 409:
            return "Conflict";
        case 413:
            return "Payload Too Large";
        case 415:
            return "Unsupported Media Type";
        case 422:
            return "Unprocessable Entity";
        case 426:
            return "Upgrade Required";
        case 429:
            return "Too Many Requests";
        case 431:
            return "Request Header Fields Too Large";
        case 500:
            return "Internal Server Error";
        case 502:
            return "Bad Gateway";
        case 503:
            return "Service Unavailable";
        case 504:
            return "Gateway Timeout";
        default:
            return "";
    }
}

bool IsToken(std::string_view text) {
    if (text.empty()) return false;
    for (const char c : text) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                        std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
        if (!ok) return false;
    }
    return true;
}

bool IsSafeHeaderValue(std::string_view text) {
    for (const char c : text) {
        if (c == '\r' || c == '\n' || c == '\0') return false;
    }
    return true;
}

bool StatusHasBody(int status) { return status >= 200 && status != 204 && status != 304; }

ResponseHeaderUse ClassifyResponseHeader(std::string_view name, std::string_view value) {
    if (EqualsIgnoreCase(name, "Content-Length")) return ResponseHeaderUse::kSkip;
    if (!IsToken(name) || !IsSafeHeaderValue(value) || EqualsIgnoreCase(name, "Transfer-Encoding") ||
        EqualsIgnoreCase(name, "Connection")) {
        return ResponseHeaderUse::kRefuse;
    }
    return ResponseHeaderUse::kSend;
}

Result<ListenAddress> ParseListenAddress(std::string_view listen) {
    std::string_view host;
    std::string_view port_text;
    if (listen.starts_with("[")) {
        const auto close = listen.find("]:");
        if (close == std::string_view::npos) {
            return MakeError(ErrorCode::kInvalidArgument, fmt::format("'{}' is not [IPv6]:PORT", listen));
        }
        host = listen.substr(1, close - 1);
        port_text = listen.substr(close + 2);
    } else {
        const auto colon = listen.rfind(':');
        if (colon == std::string_view::npos) {
            return MakeError(ErrorCode::kInvalidArgument,
                             fmt::format("'{}' is not HOST:PORT (e.g. 127.0.0.1:8080)", listen));
        }
        host = listen.substr(0, colon);
        port_text = listen.substr(colon + 1);
    }
    unsigned port = 0;
    const auto [end, parse_ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (parse_ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535) {
        return MakeError(ErrorCode::kInvalidArgument, fmt::format("'{}' is not a port number", port_text));
    }
    return ListenAddress{host.empty() ? "0.0.0.0" : std::string(host), static_cast<std::uint16_t>(port)};
}

std::optional<std::string> PercentDecode(std::string_view text, bool plus_as_space) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '%') {
            if (i + 2 >= text.size()) return std::nullopt;
            const int hi = HexValue(text[i + 1]);
            const int lo = HexValue(text[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            out.push_back(static_cast<char>(hi * 16 + lo));
            i += 2;
        } else if (c == '+' && plus_as_space) {
            out.push_back(' ');
        } else {
            out.push_back(c);
        }
    }
    return out;
}

std::map<std::string, std::string> ParseQueryString(std::string_view query) {
    std::map<std::string, std::string> params;
    for (const std::string& pair : Split(query, '&')) {
        if (pair.empty()) continue;
        const auto eq = pair.find('=');
        auto key = PercentDecode(std::string_view(pair).substr(0, eq), true);
        auto value = eq == std::string::npos ? std::optional<std::string>("")
                                             : PercentDecode(std::string_view(pair).substr(eq + 1), true);
        if (!key || !value || key->empty()) continue;
        params.emplace(std::move(*key), std::move(*value));
    }
    return params;
}

std::map<std::string, std::string> ParseCookies(std::string_view header) {
    std::map<std::string, std::string> cookies;
    for (const std::string& part : Split(header, ';')) {
        const std::string_view pair = Trim(part);
        const auto eq = pair.find('=');
        if (eq == std::string_view::npos) continue;
        const std::string_view name = Trim(pair.substr(0, eq));
        std::string_view value = Trim(pair.substr(eq + 1));
        if (name.empty()) continue;
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
        cookies.emplace(std::string(name), std::string(value));
    }
    return cookies;
}

Result<void> ParseRequestTarget(std::string_view target, HttpRequest& request) {
    if (target.empty() || target.front() != '/') {
        return MakeError(ErrorCode::kInvalidArgument, "the request target must be a path starting with '/'");
    }
    for (const char c : target) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x21 || byte == 0x7f) {
            return MakeError(ErrorCode::kInvalidArgument, "the request target contains a control character or space");
        }
    }
    const auto question = target.find('?');
    const std::string_view path = target.substr(0, question);
    auto decoded = PercentDecode(path);
    if (!decoded) return MakeError(ErrorCode::kInvalidArgument, "the request path has a malformed percent escape");
    if (decoded->find('\0') != std::string::npos) {
        return MakeError(ErrorCode::kInvalidArgument, "the request path contains NUL");
    }
    request.path = std::string(path);
    request.query = question == std::string_view::npos ? std::map<std::string, std::string>()
                                                       : ParseQueryString(target.substr(question + 1));
    return {};
}

}  // namespace optischema::api
