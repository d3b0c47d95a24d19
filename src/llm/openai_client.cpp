#include "llm/openai_client.hpp"

#include <chrono>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/strings.hpp"
#include "llm/http.hpp"

namespace optischema::llm {
namespace {

using nlohmann::json;

Error NotUsable(std::string_view url, std::string_view why) {
    return Error{ErrorCode::kQueryFailed,
                 fmt::format("the LLM provider at {} sent an answer that is not an OpenAI-compatible chat completion "
                             "({}): check that the base URL points to an OpenAI-compatible API (it usually ends in "
                             "/v1)",
                             url, why),
                 {}};
}

std::int64_t Count(const json& object, const char* key) {
    if (!object.is_object() || !object.contains(key) || !object[key].is_number()) return 0;
    return object[key].get<std::int64_t>();
}

}  // namespace

std::string OpenAiRequestBody(const ChatRequest& request, std::string_view model) {
    json messages = json::array();
    if (!request.system.empty()) messages.push_back({{"role", "system"}, {"content", request.system}});
    messages.push_back({{"role", "user"}, {"content", request.user}});
    json body = {
        {"model", model},
        {"messages", std::move(messages)},
        {"temperature", request.temperature},
        {"max_tokens", request.max_output_tokens},
    };
    if (request.json_response) body["response_format"] = {{"type", "json_object"}};
    // Invalid UTF-8 in a query text must not abort the request: replace it.
    return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<Completion> ParseOpenAiResponse(std::string_view body, std::string_view url) {
    const json doc = json::parse(body, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
        return tl::unexpected(
            NotUsable(url, fmt::format("not a JSON object: {}", Ellipsize(CollapseWhitespace(body), 120))));
    }
    if (doc.contains("error") && !doc.contains("choices")) {
        return MakeError(ErrorCode::kQueryFailed, fmt::format("the LLM provider at {} answered with an error: {}", url,
                                                              ProviderErrorMessage(body)));
    }
    if (!doc.contains("choices") || !doc["choices"].is_array() || doc["choices"].empty()) {
        return tl::unexpected(NotUsable(url, "no choices"));
    }
    const json& choice = doc["choices"][0];
    if (!choice.is_object() || !choice.contains("message") || !choice["message"].is_object()) {
        return tl::unexpected(NotUsable(url, "choices[0] has no message"));
    }
    const json& message = choice["message"];
    Completion out;
    if (message.contains("content") && message["content"].is_string()) {
        out.text = message["content"].get<std::string>();
    } else if (message.contains("content") && message["content"].is_array()) {
        // Some compatible servers send content as parts.
        for (const auto& part : message["content"]) {
            if (part.is_object() && part.contains("text") && part["text"].is_string()) {
                out.text += part["text"].get<std::string>();
            }
        }
    }
    const std::string finish = choice.contains("finish_reason") && choice["finish_reason"].is_string()
                                   ? choice["finish_reason"].get<std::string>()
                                   : std::string();
    if (out.text.empty()) {
        if (message.contains("refusal") && message["refusal"].is_string()) {
            return MakeError(ErrorCode::kQueryFailed,
                             fmt::format("the model refused to answer: {}", message["refusal"].get<std::string>()));
        }
        if (finish == "content_filter") {
            return MakeError(ErrorCode::kQueryFailed,
                             "the LLM provider's content filter withheld the answer: try another model");
        }
        if (finish == "length") {
            return MakeError(ErrorCode::kQueryFailed,
                             "the model used all of max_output_tokens before writing any answer (reasoning models "
                             "think first): raise the llm max output tokens");
        }
        return tl::unexpected(NotUsable(url, "choices[0].message.content is empty"));
    }
    out.truncated = finish == "length";
    out.model = doc.contains("model") && doc["model"].is_string() ? doc["model"].get<std::string>() : std::string();
    if (doc.contains("usage")) {
        out.input_tokens = Count(doc["usage"], "prompt_tokens");
        out.output_tokens = Count(doc["usage"], "completion_tokens");
    }
    return out;
}

OpenAiClient::OpenAiClient(ProviderConfig config) : config_(std::move(config)) {}

Result<Completion> OpenAiClient::Complete(const ChatRequest& request) {
    const auto start = std::chrono::steady_clock::now();
    HttpRequest http;
    http.url = config_.base_url + "/chat/completions";
    if (!config_.api_key.empty()) http.headers.push_back("Authorization: Bearer " + config_.api_key);
    http.body = OpenAiRequestBody(request, config_.model);

    auto response = PostWithRetries(http, config_, config_.api_key);
    if (!response) return tl::unexpected(response.error());
    // Redacted before anything is cut for a message, so no part of the key can leak.
    response->body = Redact(response->body, config_.api_key);
    if (response->status < 200 || response->status > 299) {
        return tl::unexpected(HttpStatusError(*response, config_, http.url, config_.api_key));
    }
    auto completion = ParseOpenAiResponse(response->body, http.url);
    if (!completion)
        return tl::unexpected(RedactedError(completion.error().code, completion.error().message, config_.api_key));
    if (completion->model.empty()) completion->model = config_.model;
    completion->provider = Provider();
    const ModelPrice* price = FindPrice(config_.prices, config_.model);
    if (price == nullptr) price = FindPrice(config_.prices, completion->model);
    completion->cost_usd = CostUsd(price, completion->input_tokens, completion->output_tokens);
    completion->latency_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    return completion;
}

std::string OpenAiClient::Provider() const { return ProviderKindName(ProviderKind::kOpenAi); }

std::string OpenAiClient::Model() const { return config_.model; }

std::string OpenAiClient::Endpoint() const { return config_.base_url; }

}  // namespace optischema::llm
