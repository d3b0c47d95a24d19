#pragma once

#include <string>
#include <string_view>

#include "common/error.hpp"
#include "llm/client.hpp"

namespace optischema::llm {

/// Gemini's native API: POST {base_url}/v1beta/models/{model}:generateContent with x-goog-api-key.
/// Thread-safe when config.sleep is.
class GeminiClient final : public LlmClient {
public:
    /// `config` as MakeClient validated it (base URL without a trailing slash, key resolved).
    explicit GeminiClient(ProviderConfig config);
    [[nodiscard]] Result<Completion> Complete(const ChatRequest& request) override;
    [[nodiscard]] std::string Provider() const override;
    [[nodiscard]] std::string Model() const override;
    [[nodiscard]] std::string Endpoint() const override;

private:
    ProviderConfig config_;
};

/// The JSON body of a generateContent request: systemInstruction, one user content, and
/// generationConfig (temperature, maxOutputTokens, responseMimeType application/json when asked). Pure.
[[nodiscard]] std::string GeminiRequestBody(const ChatRequest& request);

/// Text (all text parts of the first candidate, thoughts excluded), model version, usage and
/// truncation of a generateContent body; a blocked prompt or answer is an error naming the reason.
/// `url` is named in errors. Pure.
[[nodiscard]] Result<Completion> ParseGeminiResponse(std::string_view body, std::string_view url);

}  // namespace optischema::llm
