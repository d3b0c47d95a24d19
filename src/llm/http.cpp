#include "llm/http.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <mutex>
#include <thread>

#include <curl/curl.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/strings.hpp"

namespace optischema::llm {
namespace {

// An answer larger than this is not a chat completion; stop reading instead of filling memory.
constexpr std::size_t kMaxBodyBytes = std::size_t{16} * 1024 * 1024;

void GlobalInit() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct CurlDeleter {
    void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct SlistDeleter {
    void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

struct Received {
    std::string body;
    bool too_large = false;
    std::optional<std::chrono::milliseconds> retry_after;
    std::optional<std::chrono::milliseconds> retry_after_ms;
};

std::size_t OnBody(char* data, std::size_t size, std::size_t count, void* user) {
    auto* received = static_cast<Received*>(user);
    const std::size_t n = size * count;
    if (received->body.size() + n > kMaxBodyBytes) {
        received->too_large = true;
        return 0;  // makes curl fail with CURLE_WRITE_ERROR
    }
    received->body.append(data, n);
    return n;
}

std::string Lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

std::size_t OnHeader(char* data, std::size_t size, std::size_t count, void* user) {
    auto* received = static_cast<Received*>(user);
    const std::size_t n = size * count;
    const std::string_view line(data, n);
    if (line.starts_with("HTTP/")) {
        // A new response (after a 100 Continue or a redirect): forget the previous one's headers.
        received->retry_after.reset();
        received->retry_after_ms.reset();
        return n;
    }
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) return n;
    const std::string name = Lower(Trim(line.substr(0, colon)));
    const std::string value(Trim(line.substr(colon + 1)));
    if (name == "retry-after") {
        received->retry_after = ParseRetryAfter(value, static_cast<long long>(std::time(nullptr)));
    } else if (name == "retry-after-ms") {
        // OpenAI sends this finer-grained variant next to Retry-After.
        char* end = nullptr;
        const double ms = std::strtod(value.c_str(), &end);
        if (end != value.c_str() && ms >= 0) {
            received->retry_after_ms = std::chrono::milliseconds(static_cast<long long>(ms));
        }
    }
    return n;
}

std::string Seconds(std::chrono::milliseconds ms) {
    return fmt::format("{:g}", static_cast<double>(ms.count()) / 1000);
}

bool IsTransientTransport(CURLcode code) {
    switch (code) {
        case CURLE_COULDNT_CONNECT:
        case CURLE_SEND_ERROR:
        case CURLE_RECV_ERROR:
        case CURLE_GOT_NOTHING:
        case CURLE_PARTIAL_FILE:
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_HTTP2:
        case CURLE_HTTP2_STREAM:
            return true;
        default:
            return false;
    }
}

// Gemini says when to retry in the body: error.details[] {"@type": ".../google.rpc.RetryInfo", "retryDelay": "17s"}.
std::optional<std::chrono::milliseconds> RetryDelayFromBody(std::string_view body) {
    if (body.find("retryDelay") == std::string_view::npos) return std::nullopt;
    const auto json = nlohmann::json::parse(body, nullptr, false);
    if (json.is_discarded() || !json.is_object() || !json.contains("error") || !json["error"].is_object()) {
        return std::nullopt;
    }
    const auto& error = json["error"];
    if (!error.contains("details") || !error["details"].is_array()) return std::nullopt;
    for (const auto& d : error["details"]) {
        if (!d.is_object() || !d.contains("retryDelay") || !d["retryDelay"].is_string()) continue;
        const std::string text = d["retryDelay"].get<std::string>();
        char* end = nullptr;
        const double seconds = std::strtod(text.c_str(), &end);
        if (end == text.c_str() || seconds < 0 || std::string_view(end) != "s") continue;
        return std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
    }
    return std::nullopt;
}

std::string ShortBody(std::string_view body) { return Ellipsize(CollapseWhitespace(body), 300); }

std::string KeyHint() { return fmt::format("set {} (or llm api_key in the configuration) to a valid key", kApiKeyEnv); }

}  // namespace

Error RedactedError(ErrorCode code, std::string_view message, std::string_view secret) {
    return Error{code, Redact(message, secret), {}};
}

std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value, long long now_unix_s) {
    const std::string text(Trim(value));
    if (text.empty()) return std::nullopt;
    if (std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); })) {
        if (text.size() > 9) return std::chrono::milliseconds(std::chrono::hours(24 * 365));
        long long seconds = 0;
        // One to nine digits: always a number, and always in range.
        std::from_chars(text.data(), text.data() + text.size(), seconds);
        return std::chrono::seconds(seconds);
    }
    const time_t when = curl_getdate(text.c_str(), nullptr);
    if (when == -1) return std::nullopt;
    return std::chrono::seconds(std::max<long long>(0, static_cast<long long>(when) - now_unix_s));
}

std::chrono::milliseconds BackoffDelay(int retry, const ProviderConfig& config, std::mt19937& rng) {
    const long long initial = std::max<long long>(1, config.initial_backoff.count());
    const long long cap = std::max<long long>(initial, config.max_backoff.count());
    long long base = initial;
    for (int i = 0; i < retry && base < cap; ++i) base *= 2;
    base = std::min(base, cap);
    // Jitter spreads the retries of many clients hit by the same outage.
    std::uniform_int_distribution<long long> jitter(0, base / 2);
    return std::chrono::milliseconds(base - base / 2 + jitter(rng));
}

bool IsRetryable(const HttpResponse& response) {
    const long s = response.status;
    if (s == 429) {
        // OpenAI answers an exhausted balance with 429 too; waiting does not refill it.
        return response.body.find("insufficient_quota") == std::string::npos;
    }
    return s == 408 || s == 409 || s == 425 || (s >= 500 && s <= 599);
}

std::string ProviderErrorMessage(std::string_view body) {
    const auto json = nlohmann::json::parse(body, nullptr, false);
    if (!json.is_discarded()) {
        const nlohmann::json* root = &json;
        if (json.is_array() && !json.empty()) root = &json.front();
        if (root->is_object() && root->contains("error")) {
            const auto& error = (*root)["error"];
            if (error.is_string()) return error.get<std::string>();
            if (error.is_object() && error.contains("message") && error["message"].is_string()) {
                return CollapseWhitespace(error["message"].get<std::string>());
            }
        }
        if (root->is_object() && root->contains("message") && (*root)["message"].is_string()) {
            return CollapseWhitespace((*root)["message"].get<std::string>());
        }
        return ShortBody(json.dump());
    }
    return ShortBody(body);
}

namespace {

/// One request; `transient` says whether a transport failure is worth retrying.
struct Attempt {
    Result<HttpResponse> result;
    bool transient = false;
};

Attempt Send(const HttpRequest& request, const ProviderConfig& config, std::string_view secret) {
    GlobalInit();
    std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
    if (!curl) return {tl::unexpected(RedactedError(ErrorCode::kInternal, "could not initialise libcurl", secret))};

    curl_slist* raw_headers = nullptr;
    raw_headers = curl_slist_append(raw_headers, "Content-Type: application/json");
    raw_headers = curl_slist_append(raw_headers, "Accept: application/json");
    raw_headers = curl_slist_append(raw_headers, "Expect:");  // no 100-continue round trip for large prompts
    for (const auto& h : request.headers) raw_headers = curl_slist_append(raw_headers, h.c_str());
    std::unique_ptr<curl_slist, SlistDeleter> headers(raw_headers);

    Received received;
    char error_buffer[CURL_ERROR_SIZE] = {};
    CURL* c = curl.get();
    curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(c, CURLOPT_USERAGENT, "optischema");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(config.connect_timeout.count()));
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(config.timeout.count()));
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &OnBody);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &received);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &OnHeader);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &received);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error_buffer);

    const CURLcode code = curl_easy_perform(c);
    if (code != CURLE_OK) {
        const std::string detail = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
        std::string message;
        ErrorCode error_code = ErrorCode::kConnectionFailed;
        if (code == CURLE_OPERATION_TIMEDOUT) {
            curl_off_t connect_us = 0;
            curl_easy_getinfo(c, CURLINFO_CONNECT_TIME_T, &connect_us);
            if (connect_us == 0) {
                message = fmt::format(
                    "could not connect to the LLM provider at {} within {} s ({}): check the base URL and that the "
                    "server is reachable",
                    request.url, Seconds(config.connect_timeout), detail);
            } else {
                message = fmt::format(
                    "the LLM request to {} timed out after {} s: raise the llm timeout (a large model can take "
                    "minutes to answer) or check the base URL",
                    request.url, Seconds(config.timeout));
            }
        } else if (code == CURLE_WRITE_ERROR && received.too_large) {
            error_code = ErrorCode::kQueryFailed;
            message = fmt::format("the LLM provider at {} sent more than {} MB: check the base URL", request.url,
                                  kMaxBodyBytes / (std::size_t{1024} * 1024));
        } else if (code == CURLE_COULDNT_RESOLVE_HOST) {
            message = fmt::format("could not resolve the LLM provider's host in {} ({}): check the base URL",
                                  request.url, detail);
        } else if (code == CURLE_URL_MALFORMAT || code == CURLE_UNSUPPORTED_PROTOCOL) {
            error_code = ErrorCode::kInvalidArgument;
            message = fmt::format("the LLM base URL gives an invalid request URL {} ({}): use http:// or https://",
                                  request.url, detail);
        } else {
            message = fmt::format(
                "could not reach the LLM provider at {} ({}): check the base URL and that the "
                "server is running",
                request.url, detail);
        }
        return {tl::unexpected(RedactedError(error_code, message, secret)), IsTransientTransport(code)};
    }

    HttpResponse response;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response.status);
    response.body = std::move(received.body);
    response.retry_after = received.retry_after_ms ? received.retry_after_ms : received.retry_after;
    if (!response.retry_after && response.status == 429) response.retry_after = RetryDelayFromBody(response.body);
    return {std::move(response)};
}

}  // namespace

Result<HttpResponse> PostOnce(const HttpRequest& request, const ProviderConfig& config, std::string_view secret) {
    return Send(request, config, secret).result;
}

Result<HttpResponse> PostWithRetries(const HttpRequest& request,
                                     const ProviderConfig& config,
                                     std::string_view secret) {
    thread_local std::mt19937 rng{std::random_device{}()};
    const int max_retries = std::max(0, config.max_retries);
    for (int attempt = 0;; ++attempt) {
        Attempt sent = Send(request, config, secret);
        bool retry = false;
        std::chrono::milliseconds wait{0};
        if (!sent.result) {
            retry = sent.transient;
            if (retry && attempt >= max_retries) {
                sent.result.error().message += fmt::format(" (after {} attempts)", attempt + 1);
            }
            wait = BackoffDelay(attempt, config, rng);
        } else {
            HttpResponse& response = *sent.result;
            response.attempts = attempt + 1;
            retry = IsRetryable(response);
            wait = response.retry_after ? std::min(*response.retry_after, config.max_retry_after)
                                        : BackoffDelay(attempt, config, rng);
        }
        if (!retry || attempt >= max_retries) return std::move(sent.result);
        if (config.sleep) {
            config.sleep(wait);
        } else {
            std::this_thread::sleep_for(wait);
        }
    }
}

Error HttpStatusError(const HttpResponse& response,
                      const ProviderConfig& config,
                      std::string_view url,
                      std::string_view secret) {
    const long s = response.status;
    const std::string said = ProviderErrorMessage(Redact(response.body, secret));
    const std::string what = said.empty() ? fmt::format("HTTP {}", s) : fmt::format("HTTP {}: {}", s, said);
    const std::string attempts =
        response.attempts > 1 ? fmt::format(" after {} attempts", response.attempts) : std::string();
    // Gemini answers a wrong key with 400 INVALID_ARGUMENT and reason API_KEY_INVALID.
    const bool key_rejected = s == 401 || response.body.find("API_KEY_INVALID") != std::string::npos;

    std::string message;
    ErrorCode code = ErrorCode::kQueryFailed;
    if (key_rejected) {
        code = ErrorCode::kConnectionFailed;
        message = config.api_key.empty()
                      ? fmt::format("the LLM provider requires an API key and none is set ({}): {}", what, KeyHint())
                      : fmt::format("the LLM provider rejected the API key ({}): {} for {}", what, KeyHint(),
                                    config.base_url);
    } else if (s == 403) {
        code = ErrorCode::kConnectionFailed;
        message = fmt::format(
            "the LLM provider refused access ({}): check that the API key may use model '{}' and that the API is "
            "enabled for its project",
            what, config.model);
    } else if (s == 404) {
        code = ErrorCode::kNotFound;
        message = config.kind == ProviderKind::kGemini
                      ? fmt::format(
                            "the LLM provider has no such endpoint or model ({}) at {}: check the model name "
                            "'{}' (Google AI Studio lists them) and the base URL",
                            what, url, config.model)
                      : fmt::format(
                            "the LLM provider has no such endpoint or model ({}) at {}: check the base URL "
                            "(OpenAI-compatible servers usually end in /v1) and the model name '{}'",
                            what, url, config.model);
    } else if (s == 429) {
        code = ErrorCode::kConnectionFailed;
        message = response.body.find("insufficient_quota") != std::string::npos
                      ? fmt::format("the LLM account has no quota left ({}): add credit or use another key", what)
                      : fmt::format(
                            "the LLM provider is rate limiting requests ({}){}: wait a minute and retry, or "
                            "check the account's rate limits",
                            what, attempts);
    } else if (s >= 500) {
        message = fmt::format("the LLM provider failed ({}){}: retry later or choose another model", what, attempts);
    } else if (s == 413) {
        code = ErrorCode::kInvalidArgument;
        message = fmt::format("the prompt is too large for the LLM provider ({}): lower the prompt size limit", what);
    } else if (s >= 400) {
        code = ErrorCode::kInvalidArgument;
        message = fmt::format(
            "the LLM provider rejected the request ({}): check the model name '{}' and the llm "
            "settings",
            what, config.model);
    } else {
        message = fmt::format("the LLM provider answered with an unexpected status ({}) at {}: check the base URL",
                              what, url);
    }
    return RedactedError(code, message, secret);
}

}  // namespace optischema::llm
