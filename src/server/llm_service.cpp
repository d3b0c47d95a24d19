#include "server/llm_service.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/strings.hpp"
#include "pg/connection.hpp"
#include "service/explain.hpp"

namespace optischema::server {
namespace {

using Json = nlohmann::json;

constexpr const char* kSettingKey = "llm";
constexpr const char* kKeyContext = "llm:api_key";

std::string Trimmed(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
    return text;
}

}  // namespace

LlmService::LlmService(LlmConfig config, store::StorePool& store, const api::SecretBox& secrets, std::string data_dir)
    : config_(std::move(config)), store_(store), secrets_(secrets), data_dir_(std::move(data_dir)) {}

LlmService::~LlmService() = default;

Result<void> LlmService::Open() {
    auto cache = llm::ResponseCache::Open((std::filesystem::path(data_dir_) / llm::kResponseCacheFile).string(),
                                          std::chrono::hours(config_.cache_ttl_hours), clock_);
    if (!cache) return tl::unexpected(cache.error());
    cache_ = std::move(*cache);
    return {};
}

Result<std::string> LlmService::StoredKey(const LlmSettingsChange* change) {
    auto stored = store_.With([](store::Store& s) { return s.GetSetting(kSettingKey); });
    if (!stored) return tl::unexpected(stored.error());
    if (!*stored) return std::string();
    const Json j = Json::parse(**stored, nullptr, false);
    auto text = [&](const char* key) {
        return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
    };
    const std::string secret = text("api_key");
    if (secret.empty()) return std::string();
    // The key was given for one provider at one address; it is never sent anywhere else unless typed again.
    if (change != nullptr && !change->api_key &&
        (change->provider != text("provider") || change->base_url != text("base_url"))) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            fmt::format("the saved key is for {} at {}: enter the key for the new provider or address "
                        "(an empty one if it needs none)",
                        text("provider"), text("base_url").empty() ? "its default address" : text("base_url")));
    }
    auto key = secrets_.Decrypt(secret, kKeyContext);
    if (!key) {
        return MakeError(ErrorCode::kStorage,
                         "the stored AI provider key cannot be decrypted (was the key file replaced?): enter the key "
                         "again in Settings");
    }
    return *key;
}

// The settings `change` describes, with `stored_key` when it names no key, and else the key of the
// server's own configuration ([llm] api_key_file or OPTISCHEMA_LLM_API_KEY), which belongs to [llm]'s
// provider and address: it is never sent to another one an admin types in.
Result<service::AiOptions> LlmService::Resolve(const LlmSettingsChange& change, const std::string& stored_key) {
    service::AiOptions options;
    options.provider = change.provider;
    options.base_url = change.base_url;
    options.model = change.model;
    options.timeout_s = change.timeout_s;
    options.price_usd_per_mtok = change.price_usd_per_mtok;
    options.api_key = change.api_key.value_or(stored_key);
    options.key_from_environment = false;
    const bool configured_provider =
        !config_.provider.empty() && change.provider == config_.provider && change.base_url == config_.base_url;
    if (options.api_key.empty() && !change.api_key && configured_provider) {
        if (!config_.api_key_file.empty()) {
            std::ifstream in(config_.api_key_file);
            if (!in) {
                return MakeError(ErrorCode::kInvalidArgument,
                                 fmt::format("cannot read the AI provider key file {} ([llm] api_key_file)",
                                             config_.api_key_file.string()));
            }
            options.api_key = Trimmed(std::string(std::istreambuf_iterator<char>(in), {}));
        }
        if (options.api_key.empty()) options.api_key = llm::ResolveApiKey("");
    } else if (options.api_key.empty() && !change.api_key &&
               (!config_.api_key_file.empty() || !llm::ResolveApiKey("").empty())) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            fmt::format("the key of the server's configuration ([llm] api_key_file or "
                        "OPTISCHEMA_LLM_API_KEY) is for {} at {}: enter the key for this provider or "
                        "address (an empty one if it needs none)",
                        config_.provider.empty() ? "the provider of [llm], which names none" : config_.provider,
                        config_.base_url.empty() ? "its default address" : config_.base_url));
    }
    if (options.timeout_s < 1 || options.timeout_s > 3600) {
        return MakeError(ErrorCode::kInvalidArgument, "timeout_s must be between 1 and 3600");
    }
    if (!options.price_usd_per_mtok.empty() &&
        (options.price_usd_per_mtok.size() != 2 || options.price_usd_per_mtok[0] < 0 ||
         options.price_usd_per_mtok[1] < 0)) {
        return MakeError(ErrorCode::kInvalidArgument,
                         "prices are two numbers >= 0: input and output per million tokens");
    }
    // MakeAiClient is the one judge of a usable configuration (provider, URL, model, Gemini's key).
    if (auto client = service::MakeAiClient(options); !client) return tl::unexpected(client.error());
    return options;
}

Result<LlmSettings> LlmService::Current() {
    auto stored = store_.With([](store::Store& s) { return s.GetSetting(kSettingKey); });
    if (!stored) return tl::unexpected(stored.error());
    LlmSettingsChange settings;
    std::string source = "none";
    if (*stored) {
        const Json j = Json::parse(**stored, nullptr, false);
        if (!j.is_object())
            return MakeError(ErrorCode::kStorage, "the stored AI settings are damaged: save them again");
        settings.provider = j.value("provider", "");
        settings.base_url = j.value("base_url", "");
        settings.model = j.value("model", "");
        settings.timeout_s = j.value("timeout_s", 120);
        settings.price_usd_per_mtok = j.value("price_usd_per_mtok", std::vector<double>{});
        source = "dashboard";
    } else if (!config_.provider.empty()) {
        settings.provider = config_.provider;
        settings.base_url = config_.base_url;
        settings.model = config_.model;
        settings.timeout_s = config_.timeout_s;
        settings.price_usd_per_mtok = config_.price_usd_per_mtok;
        source = "config";
    }
    LlmSettings out;
    out.source = source;
    if (source == "none") return out;
    auto key = StoredKey();
    if (!key) return tl::unexpected(key.error());
    auto options = Resolve(settings, *key);
    if (!options) {
        // Settings that became unusable (e.g. the key file went away) are shown as they are, with no key.
        out.options.provider = settings.provider;
        out.options.base_url = settings.base_url;
        out.options.model = settings.model;
        out.options.timeout_s = settings.timeout_s;
        out.options.price_usd_per_mtok = settings.price_usd_per_mtok;
        out.problem = options.error().message;
        return out;
    }
    out.options = std::move(*options);
    out.has_key = !out.options.api_key.empty();
    return out;
}

Result<LlmSettings> LlmService::Save(const LlmSettingsChange& change) {
    auto stored_key = StoredKey(&change);
    if (!stored_key) return tl::unexpected(stored_key.error());
    auto options = Resolve(change, *stored_key);
    if (!options) return tl::unexpected(options.error());
    Json j{{"provider", change.provider},
           {"base_url", change.base_url},
           {"model", change.model},
           {"timeout_s", change.timeout_s},
           {"price_usd_per_mtok", change.price_usd_per_mtok}};
    const std::string key = change.api_key.value_or(*stored_key);
    if (!key.empty()) j["api_key"] = secrets_.Encrypt(key, kKeyContext);
    auto saved = store_.With([&](store::Store& s) { return s.PutSetting(kSettingKey, j.dump()); });
    if (!saved) return tl::unexpected(saved.error());
    return Current();
}

Result<LlmSettings> LlmService::Reset() {
    auto deleted = store_.With([](store::Store& s) { return s.DeleteSetting(kSettingKey); });
    if (!deleted) return tl::unexpected(deleted.error());
    return Current();
}

Result<LlmTestResult> LlmService::Test(const std::optional<LlmSettingsChange>& change) {
    service::AiOptions options;
    if (change) {
        auto stored_key = StoredKey(&*change);
        if (!stored_key) return tl::unexpected(stored_key.error());
        auto resolved = Resolve(*change, *stored_key);
        if (!resolved) return tl::unexpected(resolved.error());
        options = std::move(*resolved);
    } else {
        auto current = Current();
        if (!current) return tl::unexpected(current.error());
        if (current->source == "none") {
            return MakeError(ErrorCode::kPrerequisiteMissing, "no AI provider is set up: choose one and its model");
        }
        if (!current->problem.empty()) return MakeError(ErrorCode::kInvalidArgument, current->problem);
        options = current->options;
    }
    auto client = service::MakeAiClient(options);
    if (!client) return tl::unexpected(client.error());
    LlmTestResult out;
    out.provider = (*client)->Provider();
    out.model = (*client)->Model();
    llm::ChatRequest request;
    request.system = "You answer connectivity checks.";
    request.user = "Reply with the single word OK.";
    request.max_output_tokens = 64;  // room for a reasoning model's preamble
    request.temperature = 0;
    const auto start = std::chrono::steady_clock::now();
    auto completion = (*client)->Complete(request);
    out.latency_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (completion) {
        out.ok = true;
        if (!completion->model.empty()) out.model = completion->model;
    } else {
        out.error = completion.error().message;
    }
    return out;
}

Result<llm::CacheStats> LlmService::CacheStats() {
    if (!cache_) return llm::CacheStats{};
    return cache_->Stats();
}

Result<service::AiReport> LlmService::Ask(
    const service::Context& target, const std::string& sql, const std::string& proposal, bool analyze, bool refresh) {
    auto settings = Current();
    if (!settings) return tl::unexpected(settings.error());
    if (settings->source == "none") {
        return MakeError(ErrorCode::kPrerequisiteMissing,
                         "no AI provider is set up: an admin chooses one in Settings (or [llm] in the config file)");
    }
    if (!settings->problem.empty()) return MakeError(ErrorCode::kInvalidArgument, settings->problem);
    service::AiOptions options = settings->options;
    options.use_cache = false;  // the service's own cache, below
    options.proposal = proposal;
    auto client = service::MakeAiClient(options);
    if (!client) return tl::unexpected(client.error());
    auto conn = pg::Connection::Open(target.target.dsn);
    if (!conn) return tl::unexpected(conn.error());
    auto report = service::Explain(*conn, sql, service::ExplainRequest{.analyze = analyze, .allow = target.allow});
    if (!report) return tl::unexpected(report.error());
    service::VerificationOptions verification;
    verification.sandbox = &target;
    verification.verify_in = options.verify_in;
    verification.runs = options.verify_runs;
    verification.allow = target.allow;
    if (!cache_) return service::AskAi(*conn, **client, sql, *report, options, verification);
    llm::CachedClient cached(**client, *cache_, refresh);
    return service::AskAi(*conn, cached, sql, *report, options, verification);
}

}  // namespace optischema::server
