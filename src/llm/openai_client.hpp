#pragma once

#include <string>
#include <string_view>

#include "common/error.hpp"
#include "llm/client.hpp"

namespace optischema::llm {

/// OpenAI-compatible chat completions: POST {base_url}/chat/completions with a Bearer key (omitted
/// when empty, for local servers). Thread-safe when config.sleep is.
class OpenAiClient final : public LlmClient {
public:
    /// `config` as MakeClient validated it (base URL without a trailing slash, key resolved).
    explicit OpenAiClient(ProviderConfig config);
    [[nodiscard]] Result<Completion> Complete(const ChatRequest& request) override;
    [[nodiscard]] std::string Provider() const override;
    [[nodiscard]] std::string Model() const override;
    [[nodiscard]] std::string Endpoint() const override;

private:
    ProviderConfig config_;
};

/// The JSON body of a chat completion request: model, messages, temperature, max_tokens, and
/// response_format json_object when asked. Pure.
[[nodiscard]] std::string OpenAiRequestBody(const ChatRequest& request, std::string_view model);

/// Text, model, usage and truncation of a chat.completion body; `url` is named in errors. Pure.
/// Cost, provider and latency are left for the client to fill.
[[nodiscard]] Result<Completion> ParseOpenAiResponse(std::string_view body, std::string_view url);

}  // namespace optischema::llm
