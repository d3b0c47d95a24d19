#include "llm/client.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include <fmt/format.h>

#include "llm/gemini_client.hpp"
#include "llm/openai_client.hpp"

namespace optischema::llm {
namespace {

std::string Lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

}  // namespace

const char* ProviderKindName(ProviderKind kind) {
    switch (kind) {
        case ProviderKind::kOpenAi:
            return "openai";
        case ProviderKind::kGemini:
            return "gemini";
    }
    return "openai";
}

Result<ProviderKind> ParseProviderKind(std::string_view name) {
    const std::string n = Lower(name);
    if (n == "openai" || n == "openai-compatible" || n == "deepseek" || n == "ollama" || n == "vllm" ||
        n == "llama.cpp") {
        return ProviderKind::kOpenAi;
    }
    if (n == "gemini" || n == "google") return ProviderKind::kGemini;
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("unknown LLM provider '{}': use openai (any OpenAI-compatible server: OpenAI, "
                                 "DeepSeek, Ollama, vLLM, llama.cpp) or gemini",
                                 name));
}

std::string ResolveApiKey(std::string_view configured) {
    if (!configured.empty()) return std::string(configured);
    const char* env = std::getenv(kApiKeyEnv);
    return env != nullptr ? std::string(env) : std::string();
}

std::string Redact(std::string_view text, std::string_view secret) {
    std::string out(text);
    if (secret.empty()) return out;
    constexpr std::string_view kMark = "[redacted]";
    std::size_t pos = 0;
    while ((pos = out.find(secret, pos)) != std::string::npos) {
        out.replace(pos, secret.size(), kMark);
        pos += kMark.size();
    }
    return out;
}

const ModelPrice* FindPrice(const std::vector<ModelPrice>& prices, std::string_view model) {
    const ModelPrice* best = nullptr;
    for (const auto& p : prices) {
        if (p.model == model) return &p;
        if (!p.model.empty() && model.starts_with(p.model) &&
            (best == nullptr || p.model.size() > best->model.size())) {
            best = &p;
        }
    }
    return best;
}

double CostUsd(const ModelPrice* price, std::int64_t input_tokens, std::int64_t output_tokens) {
    if (price == nullptr) return 0;
    return (static_cast<double>(input_tokens) * price->input_usd_per_mtok +
            static_cast<double>(output_tokens) * price->output_usd_per_mtok) /
           1e6;
}

Result<std::unique_ptr<LlmClient>> MakeClient(ProviderConfig config) {
    if (config.model.empty()) {
        return MakeError(ErrorCode::kInvalidArgument,
                         "no LLM model is configured: set llm model (e.g. gpt-4o-mini, deepseek-chat, "
                         "gemini-2.5-flash, or the name of a local model)");
    }
    if (config.base_url.empty()) {
        config.base_url = config.kind == ProviderKind::kGemini ? "https://generativelanguage.googleapis.com"
                                                               : "https://api.openai.com/v1";
    }
    while (config.base_url.ends_with('/')) config.base_url.pop_back();
    const std::string scheme = Lower(config.base_url.substr(0, 8));
    if (!scheme.starts_with("http://") && !scheme.starts_with("https://")) {
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("the LLM base URL '{}' is not an http:// or https:// URL", config.base_url));
    }
    if (config.timeout.count() <= 0 || config.connect_timeout.count() <= 0) {
        return MakeError(ErrorCode::kInvalidArgument, "the LLM timeouts must be positive");
    }
    if (config.key_from_environment) config.api_key = ResolveApiKey(config.api_key);
    if (config.kind == ProviderKind::kGemini) {
        if (config.api_key.empty()) {
            return MakeError(ErrorCode::kPrerequisiteMissing,
                             fmt::format("Gemini needs an API key: set {} (or llm api_key in the configuration); "
                                         "create one in Google AI Studio",
                                         kApiKeyEnv));
        }
        return std::unique_ptr<LlmClient>(std::make_unique<GeminiClient>(std::move(config)));
    }
    return std::unique_ptr<LlmClient>(std::make_unique<OpenAiClient>(std::move(config)));
}

}  // namespace optischema::llm
