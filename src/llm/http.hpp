#pragma once

#include <chrono>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "llm/client.hpp"

/// The libcurl plumbing both provider clients share: one JSON POST, retries with backoff, and the
/// actionable error for a failed HTTP status. Only this file's .cpp includes <curl/curl.h>.
namespace optischema::llm {

/// One JSON POST.
struct HttpRequest {
    std::string url;
    std::vector<std::string> headers;  // "Name: value"; Content-Type: application/json is always sent
    std::string body;
};

/// What the server answered (any status).
struct HttpResponse {
    long status = 0;
    std::string body;
    std::optional<std::chrono::milliseconds> retry_after;  // Retry-After, retry-after-ms, or Gemini's RetryInfo
    int attempts = 1;                                      // requests sent, retries included
};

/// Sends once. A transport failure (refused, reset, timeout) is an error (kConnectionFailed) whose
/// message names the URL and what to do; an HTTP error status is not. `secret` never appears in it.
[[nodiscard]] Result<HttpResponse> PostOnce(const HttpRequest& request,
                                            const ProviderConfig& config,
                                            std::string_view secret);

/// Sends, retrying up to config.max_retries times after a 429 (except an exhausted quota), a 5xx, or
/// a lost connection; waits Retry-After (capped at max_retry_after) or an exponential backoff with
/// jitter. Timeouts are not retried: a model that did not answer in time rarely does on a retry.
/// Returns the last response whatever its status.
[[nodiscard]] Result<HttpResponse> PostWithRetries(const HttpRequest& request,
                                                   const ProviderConfig& config,
                                                   std::string_view secret);

/// True for a status worth retrying: 408, 409, 425, 429 (not insufficient_quota), 5xx.
[[nodiscard]] bool IsRetryable(const HttpResponse& response);

/// The wait before retry number `retry` (0-based) when the server gave no Retry-After:
/// min(initial_backoff * 2^retry, max_backoff), with jitter in its upper half.
[[nodiscard]] std::chrono::milliseconds BackoffDelay(int retry, const ProviderConfig& config, std::mt19937& rng);

/// Retry-After as seconds ("120") or an HTTP date, relative to `now_unix_s`; nullopt when unparsable.
[[nodiscard]] std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value, long long now_unix_s);

/// The provider's own error text from an error body: {"error":{"message":...}} (OpenAI, Gemini,
/// vLLM), {"error":"..."} (Ollama), a JSON array of those, or the start of a non-JSON body.
[[nodiscard]] std::string ProviderErrorMessage(std::string_view body);

/// The actionable error for a final non-2xx response (401: the key; 404: the base URL or model;
/// 429: rate limit or quota; 5xx: the provider), naming the provider's message and attempts.
[[nodiscard]] Error HttpStatusError(const HttpResponse& response,
                                    const ProviderConfig& config,
                                    std::string_view url,
                                    std::string_view secret);

/// An error whose message has `secret` redacted.
[[nodiscard]] Error RedactedError(ErrorCode code, std::string_view message, std::string_view secret);

}  // namespace optischema::llm
