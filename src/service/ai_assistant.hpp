#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "llm/client.hpp"
#include "pg/connection.hpp"
#include "service/ai_verification.hpp"
#include "service/explain_report.hpp"

namespace optischema::service {

/// How a model is reached and asked.
struct AiOptions {
    std::string provider = "openai";   // "openai" (any OpenAI-compatible server) or "gemini"
    std::string base_url;              // empty: the provider's public endpoint
    std::string model;                 // empty: the provider's default (gpt-4o-mini, deepseek-chat, gemini-2.5-flash)
    std::string api_key;               // empty: OPTISCHEMA_LLM_API_KEY (the CLI takes it only from there)
    bool key_from_environment = true;  // false: an empty api_key means none (the server resolves keys itself)
    std::vector<double> price_usd_per_mtok;  // {input, output} per million tokens; empty: the cost is unknown
    int timeout_s = 120;                     // per request attempt
    bool use_cache = true;                   // the caller keeps answers in <data dir>/llm_cache.sqlite
    std::chrono::seconds cache_ttl = std::chrono::hours(24 * 7);
    std::size_t max_prompt_chars = 48'000;
    int max_output_tokens = 4096;
    std::string verify_in = "managed";  // where rewrites are run: "managed" or "none"
    int verify_runs = 10;
    std::string proposal;  // what the engine proposes for the statement, for the model to assess (prompt.hpp)
};

/// The model's answer with the engine's verdict on each suggestion.
struct AiReport {
    std::string provider;  // "openai" or "gemini"
    std::string model;     // the model that answered, as the provider names it (else the configured one)
    std::string configured_model;
    bool from_cache = false;  // no request was sent; tokens and cost are those of the original request
    std::int64_t input_tokens = 0;
    std::int64_t output_tokens = 0;
    std::optional<double> cost_usd;  // empty when the model has no known price
    double latency_ms = 0;
    std::string explanation;  // markdown
    std::vector<RewriteCheck> rewrites;
    std::vector<IndexIdeaCheck> index_ideas;
    std::vector<std::string> risks;
    std::vector<std::string> warnings;  // about the answer, the prompt and the checks
    std::string error;                  // non-empty: no usable answer (the plan and findings stand alone)
};

/// The client `options` describe (provider defaults filled in, key from OPTISCHEMA_LLM_API_KEY);
/// fails on an unknown provider, a missing model, a base URL that is not http(s), or Gemini without a key.
[[nodiscard]] Result<std::unique_ptr<llm::LlmClient>> MakeAiClient(const AiOptions& options);

/// Asks the model about the statement `report` explained (prompt: normalized query, runnable
/// sample, plan with exclusive times, findings, the tables' columns, statistics and indexes, the
/// server version) and verifies each suggestion (ai_verification.hpp). `client` may answer from a
/// cache (llm::CachedClient). Never fails: a provider that is down or an unusable answer becomes
/// AiReport::error.
[[nodiscard]] AiReport AskAi(pg::Connection& target,
                             llm::LlmClient& client,
                             const std::string& sql,
                             const ExplainReport& report,
                             const AiOptions& options,
                             const VerificationOptions& verification);

/// `{"provider", "model", "from_cache", "input_tokens", "output_tokens", "cost_usd", "explanation",
/// "rewrites": [{"sql", "rationale", "status", "reason", "speedup", ...}], "index_ideas": [{"ddl",
/// "rationale", "status", "reason", "cost_before", "cost_after", ...}], "risks", "warnings", "error"}`.
[[nodiscard]] nlohmann::ordered_json AiReportJson(const AiReport& report);

}  // namespace optischema::service
