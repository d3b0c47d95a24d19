#include "llm/gemini_client.hpp"

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
                 fmt::format("the LLM provider at {} sent an answer that is not a Gemini generateContent response "
                             "({}): check the base URL (https://generativelanguage.googleapis.com)",
                             url, why),
                 {}};
}

std::string StringField(const json& object, const char* key) {
    if (!object.is_object() || !object.contains(key) || !object[key].is_string()) return {};
    return object[key].get<std::string>();
}

std::int64_t Count(const json& object, const char* key) {
    if (!object.is_object() || !object.contains(key) || !object[key].is_number()) return 0;
    return object[key].get<std::int64_t>();
}

// The model path segment: "gemini-2.5-flash" whether configured with or without "models/".
std::string ModelId(std::string_view model) {
    if (model.starts_with("models/")) model.remove_prefix(7);
    return std::string(model);
}

}  // namespace

std::string GeminiRequestBody(const ChatRequest& request) {
    json generation = {
        {"temperature", request.temperature},
        {"maxOutputTokens", request.max_output_tokens},
    };
    if (request.json_response) generation["responseMimeType"] = "application/json";
    json body = {
        {"contents", json::array({{{"role", "user"}, {"parts", json::array({{{"text", request.user}}})}}})},
        {"generationConfig", std::move(generation)},
    };
    if (!request.system.empty()) body["systemInstruction"] = {{"parts", json::array({{{"text", request.system}}})}};
    return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<Completion> ParseGeminiResponse(std::string_view body, std::string_view url) {
    const json doc = json::parse(body, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
        return tl::unexpected(
            NotUsable(url, fmt::format("not a JSON object: {}", Ellipsize(CollapseWhitespace(body), 120))));
    }
    if (doc.contains("error")) {
        return MakeError(ErrorCode::kQueryFailed, fmt::format("the LLM provider at {} answered with an error: {}", url,
                                                              ProviderErrorMessage(body)));
    }
    const bool has_candidates =
        doc.contains("candidates") && doc["candidates"].is_array() && !doc["candidates"].empty();
    if (!has_candidates) {
        const json feedback = doc.contains("promptFeedback") ? doc["promptFeedback"] : json::object();
        const std::string reason = StringField(feedback, "blockReason");
        if (!reason.empty()) {
            const std::string detail = StringField(feedback, "blockReasonMessage");
            return MakeError(ErrorCode::kQueryFailed,
                             fmt::format("Gemini blocked the prompt (blockReason {}{}{}): its safety filters objected "
                                         "to the query text or the schema; try another model or provider",
                                         reason, detail.empty() ? "" : ": ", detail));
        }
        return tl::unexpected(NotUsable(url, "no candidates"));
    }
    const json& candidate = doc["candidates"][0];
    Completion out;
    if (candidate.is_object() && candidate.contains("content") && candidate["content"].is_object() &&
        candidate["content"].contains("parts") && candidate["content"]["parts"].is_array()) {
        for (const auto& part : candidate["content"]["parts"]) {
            // Thinking models may return their thought summaries as parts marked "thought": true.
            if (part.is_object() && part.contains("thought") && part["thought"].is_boolean() &&
                part["thought"].get<bool>()) {
                continue;
            }
            out.text += StringField(part, "text");
        }
    }
    const std::string finish = StringField(candidate, "finishReason");
    if (out.text.empty()) {
        if (finish == "MAX_TOKENS") {
            return MakeError(ErrorCode::kQueryFailed,
                             "the model used all of max_output_tokens before writing any answer (thinking models "
                             "think first): raise the llm max output tokens");
        }
        if (!finish.empty() && finish != "STOP") {
            return MakeError(ErrorCode::kQueryFailed,
                             fmt::format("Gemini withheld the answer (finishReason {}): its filters stopped the "
                                         "generation; try again, or another model or provider",
                                         finish));
        }
        return tl::unexpected(NotUsable(url, "the first candidate has no text"));
    }
    // Anything but a natural stop cut the text short (MAX_TOKENS, or a filter stopping midway).
    out.truncated = !finish.empty() && finish != "STOP";
    out.model = StringField(doc, "modelVersion");
    if (doc.contains("usageMetadata")) {
        const json& usage = doc["usageMetadata"];
        out.input_tokens = Count(usage, "promptTokenCount");
        // Thinking tokens are billed as output.
        out.output_tokens = Count(usage, "candidatesTokenCount") + Count(usage, "thoughtsTokenCount");
    }
    return out;
}

GeminiClient::GeminiClient(ProviderConfig config) : config_(std::move(config)) {
    // Accept a base URL copied with the API version in it.
    for (const std::string_view suffix : {"/v1beta", "/v1"}) {
        if (config_.base_url.ends_with(suffix)) {
            config_.base_url.resize(config_.base_url.size() - suffix.size());
            break;
        }
    }
}

Result<Completion> GeminiClient::Complete(const ChatRequest& request) {
    const auto start = std::chrono::steady_clock::now();
    HttpRequest http;
    http.url = fmt::format("{}/v1beta/models/{}:generateContent", config_.base_url, ModelId(config_.model));
    http.headers.push_back("x-goog-api-key: " + config_.api_key);
    http.body = GeminiRequestBody(request);

    auto response = PostWithRetries(http, config_, config_.api_key);
    if (!response) return tl::unexpected(response.error());
    // Redacted before anything is cut for a message, so no part of the key can leak.
    response->body = Redact(response->body, config_.api_key);
    if (response->status < 200 || response->status > 299) {
        return tl::unexpected(HttpStatusError(*response, config_, http.url, config_.api_key));
    }
    auto completion = ParseGeminiResponse(response->body, http.url);
    if (!completion) {
        return tl::unexpected(RedactedError(completion.error().code, completion.error().message, config_.api_key));
    }
    if (completion->model.empty()) completion->model = ModelId(config_.model);
    completion->provider = Provider();
    const ModelPrice* price = FindPrice(config_.prices, ModelId(config_.model));
    if (price == nullptr) price = FindPrice(config_.prices, completion->model);
    completion->cost_usd = CostUsd(price, completion->input_tokens, completion->output_tokens);
    completion->latency_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    return completion;
}

std::string GeminiClient::Provider() const { return ProviderKindName(ProviderKind::kGemini); }

std::string GeminiClient::Model() const { return ModelId(config_.model); }

std::string GeminiClient::Endpoint() const { return config_.base_url; }

}  // namespace optischema::llm
