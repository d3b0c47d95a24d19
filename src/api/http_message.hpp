#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "api/principal.hpp"
#include "common/error.hpp"

namespace optischema::api {

/// ASCII case-insensitive equality, for header names and tokens.
[[nodiscard]] bool EqualsIgnoreCase(std::string_view a, std::string_view b);

/// An ordered list of header fields with case-insensitive lookup; keeps repeated fields (Set-Cookie).
class HttpHeaders {
public:
    /// The first value of `name`, if present.
    [[nodiscard]] std::optional<std::string_view> Get(std::string_view name) const;
    /// Every value of `name`, in order.
    [[nodiscard]] std::vector<std::string_view> GetAll(std::string_view name) const;
    [[nodiscard]] bool Has(std::string_view name) const { return Get(name).has_value(); }
    /// Replaces every field called `name` with one field.
    void Set(std::string_view name, std::string_view value);
    /// Appends a field, keeping existing ones of the same name.
    void Add(std::string_view name, std::string_view value);
    /// Removes every field called `name`.
    void Remove(std::string_view name);

    [[nodiscard]] const std::vector<std::pair<std::string, std::string>>& fields() const { return fields_; }

private:
    std::vector<std::pair<std::string, std::string>> fields_;
};

/// One parsed HTTP request as handlers see it. The transport fills everything except path_params,
/// route_pattern and principal, which the request pipeline adds.
struct HttpRequest {
    std::string method;                              // "GET", "POST", ... as sent
    std::string path;                                // the raw path, without the query string
    std::map<std::string, std::string> query;        // decoded; the first of repeated keys wins
    HttpHeaders headers;                             // case-insensitive lookup
    std::string body;                                // at most HttpServerOptions::max_body_bytes
    std::string remote_address;                      // peer IP address, without the port
    std::map<std::string, std::string> cookies;      // from the Cookie header; the first of repeated names wins
    std::map<std::string, std::string> path_params;  // "{id}" in the route pattern → decoded segment
    std::string route_pattern;                       // the matched pattern, "static", or "" when nothing matched
    std::optional<Principal> principal;              // set for authenticated requests

    /// The decoded value of a path parameter, or "" when the route has none of that name.
    [[nodiscard]] std::string PathParam(std::string_view name) const;
    /// A query parameter, if present.
    [[nodiscard]] std::optional<std::string> QueryParam(std::string_view name) const;
    /// A cookie, if present.
    [[nodiscard]] std::optional<std::string> Cookie(std::string_view name) const;
};

/// What authenticates `request` (its headers, cookies and client address) without the rest, to be
/// checked again while something it opened lasts (a live stream).
[[nodiscard]] HttpRequest CredentialsOf(const HttpRequest& request);

/// One response. The pipeline adds security headers and a Cache-Control default after the handler.
struct HttpResponse {
    int status = 200;
    std::string content_type = "text/plain; charset=utf-8";
    std::string body;
    HttpHeaders headers;  // Content-Type and Content-Length are written from the fields above

    /// A JSON body. Invalid UTF-8 in strings is replaced, never thrown on.
    [[nodiscard]] static HttpResponse Json(int status, const nlohmann::json& body);
    /// `{"error": {"code": code, "message": message}}`, the one error shape of the API.
    [[nodiscard]] static HttpResponse Error(int status, std::string_view code, std::string_view message);
    /// The HTTP error for an Error from a service: its status from HttpStatusFor, its message and SQLSTATE
    /// unless the status is 500 (our own failure: the caller logs it, the client sees "internal error").
    [[nodiscard]] static HttpResponse FromError(const optischema::Error& error);
    /// A plain body with the given content type.
    [[nodiscard]] static HttpResponse Text(int status,
                                           std::string body,
                                           std::string content_type = "text/plain; charset=utf-8");
};

/// The one place that maps ErrorCode to an HTTP status.
[[nodiscard]] int HttpStatusFor(ErrorCode code);

/// "invalid_argument", "not_found", ...: the `code` of the JSON error for an ErrorCode.
[[nodiscard]] std::string_view ErrorCodeSlug(ErrorCode code);

/// The standard reason phrase ("Not Found"), or "" for unknown codes.
[[nodiscard]] std::string_view StatusReason(int status);

/// True for an HTTP token (RFC 9110), as a header name must be: one or more letters, digits or
/// !#$%&'*+-.^_`|~.
[[nodiscard]] bool IsToken(std::string_view text);

/// True when a header value has no CR, LF or NUL, so it can neither end its line nor split the response.
[[nodiscard]] bool IsSafeHeaderValue(std::string_view text);

/// Whether a response with this status carries a body (and Content-Type, Content-Length): not 1xx, 204, 304.
[[nodiscard]] bool StatusHasBody(int status);

/// What the transport does with a header field that a handler set on a response.
enum class ResponseHeaderUse {
    kSend,
    kSkip,    // Content-Length: the transport writes it from the body
    kRefuse,  // a name that is no token, CR/LF/NUL in the value, or Transfer-Encoding/Connection: logged
};

/// Sorts a response header field a handler set: sent as it is, skipped, or refused.
[[nodiscard]] ResponseHeaderUse ClassifyResponseHeader(std::string_view name, std::string_view value);

/// Where the server listens, as "host:port" names it.
struct ListenAddress {
    std::string host;        // without the brackets of "[::1]"; "0.0.0.0" when empty (":8080")
    std::uint16_t port = 0;  // 0 picks a free port
};

/// Splits "host:port" or "[IPv6]:port" and checks the port; the error says what is wrong. The host is
/// not checked here: the transport parses it as an IP address.
[[nodiscard]] Result<ListenAddress> ParseListenAddress(std::string_view listen);

/// Percent-decodes; with plus_as_space, '+' becomes ' ' (query strings). Nullopt on a bad escape.
[[nodiscard]] std::optional<std::string> PercentDecode(std::string_view text, bool plus_as_space = false);

/// Parses "a=1&b=x%20y" into a map; the first of repeated keys wins, malformed escapes are skipped.
[[nodiscard]] std::map<std::string, std::string> ParseQueryString(std::string_view query);

/// Parses a Cookie header ("a=1; b=2") leniently: skips empty and nameless pairs, trims blanks, strips
/// one pair of double quotes around a value; the first of repeated names wins.
[[nodiscard]] std::map<std::string, std::string> ParseCookies(std::string_view header);

/// Splits a request target ("/a/b?x=1") into path and query and fills those fields of `request`.
/// Refuses targets that are not origin-form ("*", "http://..."), contain control characters, or whose
/// path decodes to NUL.
[[nodiscard]] Result<void> ParseRequestTarget(std::string_view target, HttpRequest& request);

}  // namespace optischema::api
