#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/auth.hpp"
#include "common/clock.hpp"
#include "common/error.hpp"
#include "llm/cache.hpp"
#include "server/config.hpp"
#include "service/ai_assistant.hpp"
#include "store/store_pool.hpp"

namespace optischema::server {

/// The AI assistant as it is set up now.
struct LlmSettings {
    std::string source;          // "dashboard" (saved in the store), "config" (the config file) or "none"
    service::AiOptions options;  // provider, base URL, model, timeout, price and the resolved key
    bool has_key = false;
    std::string problem;  // why saved settings cannot be used now (e.g. the key file is gone); empty when fine
};

/// A change made in the dashboard. A missing key keeps the stored one; an empty key removes it.
struct LlmSettingsChange {
    std::string provider;
    std::string base_url;
    std::string model;
    int timeout_s = 120;
    std::optional<std::string> api_key;
    std::vector<double> price_usd_per_mtok;  // {input, output} or empty
};

/// The result of one tiny request to a provider.
struct LlmTestResult {
    bool ok = false;
    std::string provider;
    std::string model;
    double latency_ms = 0;
    std::string error;
};

/// The server's AI assistant: which provider and model (the dashboard's saved settings, else the config
/// file's), its key (encrypted in the store, else the config's key file, else OPTISCHEMA_LLM_API_KEY),
/// the response cache every question goes through, and asking a model about a statement. Keys never
/// leave this class except towards the provider. Thread-safe.
class LlmService {
public:
    /// `store` and `secrets` must outlive the service.
    LlmService(LlmConfig config, store::StorePool& store, const api::SecretBox& secrets, std::string data_dir);
    ~LlmService();

    /// Opens the response cache (<data dir>/llm_cache.sqlite, shared with `optischema explain --ai`).
    [[nodiscard]] Result<void> Open();

    [[nodiscard]] Result<LlmSettings> Current();
    /// Validates (provider, http(s) base URL, a model or a provider default, Gemini's key), then saves.
    [[nodiscard]] Result<LlmSettings> Save(const LlmSettingsChange& change);
    /// Forgets the dashboard's settings: the config file's apply again.
    [[nodiscard]] Result<LlmSettings> Reset();
    /// Sends one tiny request, never cached, with `change` (unsaved settings; no key: the current one)
    /// or, when empty, the current settings. Fails only on unusable settings; a provider's refusal is
    /// LlmTestResult::error.
    [[nodiscard]] Result<LlmTestResult> Test(const std::optional<LlmSettingsChange>& change);
    [[nodiscard]] Result<llm::CacheStats> CacheStats();

    /// Explains `sql` on `target`'s target (with ANALYZE when `analyze`), asks the model about it through
    /// the cache (`refresh`: skip it) with `proposal` as the engine's proposal, and verifies the answer's
    /// suggestions in a managed sandbox of `target`. Fails with kPrerequisiteMissing when no provider is
    /// set up; a provider that fails is AiReport::error.
    [[nodiscard]] Result<service::AiReport> Ask(const service::Context& target,
                                                const std::string& sql,
                                                const std::string& proposal,
                                                bool analyze,
                                                bool refresh);

private:
    [[nodiscard]] Result<service::AiOptions> Resolve(const LlmSettingsChange& change, const std::string& stored_key);
    /// The saved key; with `change`, only if the change keeps the provider and address the key was saved for
    /// or brings its own key (else kInvalidArgument: a key is never sent to a new address unasked).
    [[nodiscard]] Result<std::string> StoredKey(const LlmSettingsChange* change = nullptr);

    LlmConfig config_;
    store::StorePool& store_;
    const api::SecretBox& secrets_;
    std::string data_dir_;
    SystemClock clock_;
    std::unique_ptr<llm::ResponseCache> cache_;
};

}  // namespace optischema::server
