#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"

/// Large language model providers behind one small interface: OpenAI-compatible chat completions
/// (OpenAI, DeepSeek, Ollama, vLLM, llama.cpp's server) and Gemini's native generateContent.
///
/// Errors: a rejected key is kConnectionFailed, a missing key kPrerequisiteMissing, an unreachable or
/// silent server kConnectionFailed, a request the provider refuses (400, 404) kInvalidArgument or
/// kNotFound, an answer that cannot be used (blocked, malformed, 5xx after retries) kQueryFailed.
/// No message ever contains the API key.
namespace optischema::llm {

/// The wire protocol a provider speaks.
enum class ProviderKind { kOpenAi, kGemini };

/// "openai" or "gemini", the names the CLI, the config file and the cache use.
[[nodiscard]] const char* ProviderKindName(ProviderKind kind);

/// Parses "openai" (also "openai-compatible", "deepseek", "ollama") or "gemini", case-insensitive.
[[nodiscard]] Result<ProviderKind> ParseProviderKind(std::string_view name);

/// One question to a model: a system message and a user message.
struct ChatRequest {
    std::string system;
    std::string user;
    int max_output_tokens = 4096;
    double temperature = 0.2;
    bool json_response = false;  // ask the provider to constrain the answer to a JSON object
};

/// A model's answer with its accounting.
struct Completion {
    std::string text;
    std::string model;     // as the provider reports it (may be more specific than the configured one)
    std::string provider;  // ProviderKindName()
    std::int64_t input_tokens = 0;
    std::int64_t output_tokens = 0;  // includes reasoning ("thinking") tokens, which are billed as output
    double cost_usd = 0;             // from ProviderConfig::prices; 0 when the model has no price
    double latency_ms = 0;           // wall time of Complete(), retries included
    bool truncated = false;          // the answer stopped at max_output_tokens
    bool from_cache = false;         // no request was sent; tokens and cost are those of the original request
};

/// Price of one model in US dollars per million tokens.
struct ModelPrice {
    std::string model;  // exact name, or a prefix of the reported model ("gpt-4o" prices "gpt-4o-2024-08-06")
    double input_usd_per_mtok = 0;
    double output_usd_per_mtok = 0;
};

/// How to reach one provider.
struct ProviderConfig {
    ProviderKind kind = ProviderKind::kOpenAi;
    std::string base_url;  // OpenAI-compatible: including the version, e.g. https://api.openai.com/v1,
                           // http://localhost:11434/v1; Gemini: https://generativelanguage.googleapis.com.
                           // Empty: the provider's public endpoint.
    std::string model;
    std::string api_key;  // empty: OPTISCHEMA_LLM_API_KEY (see ResolveApiKey); optional for local servers
    bool key_from_environment = true;  // false: an empty api_key means none, whatever the environment says
    std::chrono::milliseconds timeout{60'000};          // whole request, per attempt
    std::chrono::milliseconds connect_timeout{10'000};  // TCP + TLS handshake, per attempt
    int max_retries = 2;                                // extra attempts after a 429, a 5xx or a lost connection
    std::chrono::milliseconds initial_backoff{500};     // doubled per retry, with jitter
    std::chrono::milliseconds max_backoff{8'000};
    std::chrono::milliseconds max_retry_after{30'000};  // a longer Retry-After is waited only this long
    std::vector<ModelPrice> prices;
    /// How to wait between retries; empty: std::this_thread::sleep_for. Tests record the waits instead.
    std::function<void(std::chrono::milliseconds)> sleep;
};

/// The environment variable the API key is read from when the configuration has none.
inline constexpr const char* kApiKeyEnv = "OPTISCHEMA_LLM_API_KEY";

/// `configured` when not empty, else the value of OPTISCHEMA_LLM_API_KEY, else "".
[[nodiscard]] std::string ResolveApiKey(std::string_view configured);

/// `text` with every occurrence of `secret` replaced by "[redacted]"; unchanged when secret is empty.
[[nodiscard]] std::string Redact(std::string_view text, std::string_view secret);

/// The price entry for `model`: an exact match, else the longest entry that is a prefix of it.
[[nodiscard]] const ModelPrice* FindPrice(const std::vector<ModelPrice>& prices, std::string_view model);

/// Dollars for the given token counts at `price`; 0 when price is null.
[[nodiscard]] double CostUsd(const ModelPrice* price, std::int64_t input_tokens, std::int64_t output_tokens);

/// Asks a model. Implementations are not thread-safe unless they say so; use one per thread.
class LlmClient {
public:
    virtual ~LlmClient() = default;
    /// Sends the request (retrying transient failures) and returns the answer or an actionable error.
    [[nodiscard]] virtual Result<Completion> Complete(const ChatRequest& request) = 0;
    /// ProviderKindName() of the protocol, e.g. "openai".
    [[nodiscard]] virtual std::string Provider() const = 0;
    /// The configured model name.
    [[nodiscard]] virtual std::string Model() const = 0;
    /// The base URL requests go to (part of the cache key: two servers may serve models of one name).
    [[nodiscard]] virtual std::string Endpoint() const = 0;
};

/// A client for `config` (the key resolved with ResolveApiKey). Fails on an unusable configuration:
/// no model, a base URL that is not http(s), or Gemini without a key.
[[nodiscard]] Result<std::unique_ptr<LlmClient>> MakeClient(ProviderConfig config);

}  // namespace optischema::llm
