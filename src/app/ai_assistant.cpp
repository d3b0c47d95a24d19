#include "app/ai_assistant.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "app/relation_catalog.hpp"
#include "app/sampling.hpp"
#include "common/clock.hpp"
#include "common/format.hpp"
#include "common/strings.hpp"
#include "llm/answer.hpp"
#include "llm/cache.hpp"
#include "llm/client.hpp"
#include "llm/prompt.hpp"
#include "pg/schema_catalog.hpp"

namespace optischema::app {
namespace {

using Json = nlohmann::ordered_json;

constexpr const char* kCacheFile = "llm_cache.sqlite";

struct ProviderDefaults {
    std::string base_url;
    std::string model;
};

// What a provider name alone implies; the OpenAI-compatible local servers have no default model.
ProviderDefaults DefaultsFor(const std::string& provider) {
    std::string name = provider;
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    if (name == "deepseek") return {"https://api.deepseek.com/v1", "deepseek-chat"};
    if (name == "ollama") return {"http://localhost:11434/v1", ""};
    if (name == "gemini" || name == "google") return {"", "gemini-2.5-flash"};
    if (name == "openai" || name == "openai-compatible") return {"", "gpt-4o-mini"};
    return {};
}

std::string Qualified(const std::string& schema, const std::string& name) {
    return schema.empty() ? name : schema + "." + name;
}

void CollectPlanRelations(const model::PlanNode& node, std::vector<model::RelationRef>& out) {
    if (!node.relation.empty()) out.push_back({node.schema, node.relation, ""});
    for (const auto& c : node.children) CollectPlanRelations(c, out);
}

bool ColumnUsed(const model::ParsedQuery& q, const std::string& table, const std::string& column) {
    if (q.selects_star) return true;
    if (std::find(q.selected_columns.begin(), q.selected_columns.end(), column) != q.selected_columns.end()) {
        return true;
    }
    return std::any_of(q.columns.begin(), q.columns.end(), [&](const model::ColumnUse& use) {
        return use.column == column && (use.relation.empty() || use.relation == table);
    });
}

// The tables the query names (then those only the plan shows, e.g. behind a view) with their
// columns, statistics and indexes. Scan and write counters are left out: they change with every
// query, and a prompt that changes would never be answered from the cache.
std::vector<llm::PromptTable> PromptTables(RelationCatalog& catalog,
                                           ColumnStatsCache& stats,
                                           const model::SchemaSnapshot& schema,
                                           const StatementUnderReview& statement,
                                           const ExplainReport& report,
                                           std::vector<std::string>& warnings) {
    std::vector<std::pair<model::RelationRef, bool>> wanted;
    for (const auto& r : statement.parsed.relations) wanted.emplace_back(r, true);
    std::vector<model::RelationRef> in_plan;
    CollectPlanRelations(report.plan.root, in_plan);
    for (const auto& r : in_plan) wanted.emplace_back(r, false);

    std::vector<llm::PromptTable> out;
    std::set<std::string> seen;
    bool stats_failed = false;
    for (const auto& [ref, referenced] : wanted) {
        auto resolved = catalog.Resolve(ref.schema, ref.name);
        if (!resolved) {
            warnings.push_back(fmt::format("the prompt lacks table {}: {}", Qualified(ref.schema, ref.name),
                                           resolved.error().message));
            continue;
        }
        if (!*resolved || (*resolved)->kind == 'v') continue;  // a view's tables come from the plan
        const ResolvedRelation& rel = **resolved;
        if (!seen.insert(rel.schema + "." + rel.name).second) continue;
        llm::PromptTable t;
        t.referenced = referenced;
        t.activity = false;
        t.table.schema = rel.schema;
        t.table.name = rel.name;
        t.table.rows = -1;
        for (const auto& info : schema.tables) {
            if (info.schema == rel.schema && info.name == rel.name) t.table = info;
        }
        for (const auto& column : rel.columns) {
            llm::PromptColumn c;
            c.name = column;
            c.referenced = ColumnUsed(statement.parsed, rel.name, column);
            if (!stats_failed) {
                auto column_stats = stats.Get(rel.schema, rel.name, column);
                if (!column_stats) {
                    stats_failed = true;
                    warnings.push_back("the prompt lacks column statistics: " + column_stats.error().message);
                } else if (*column_stats) {
                    c.stats = std::move(**column_stats);
                }
            }
            t.columns.push_back(std::move(c));
        }
        for (const auto& index : schema.indexes) {
            if (index.schema == rel.schema && index.table == rel.name) t.indexes.push_back(index);
        }
        out.push_back(std::move(t));
    }
    return out;
}

// Every line of `text` after the first indented by `indent`.
std::string Indented(const std::string& text, const std::string& indent) {
    std::string out;
    for (char c : text) {
        out += c;
        if (c == '\n') out += indent;
    }
    while (!out.empty() && (out.back() == ' ' || out.back() == '\n')) out.pop_back();
    return out;
}

std::string StatusTag(SuggestionStatus status) {
    std::string name = SuggestionStatusName(status);
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::toupper(c); });
    return "[" + name + "]";
}

Json OptionalNumber(const std::optional<double>& v) { return v ? Json(Round3(*v)) : Json(nullptr); }

}  // namespace

Result<std::unique_ptr<llm::LlmClient>> MakeAiClient(const AiOptions& options) {
    auto kind = llm::ParseProviderKind(options.provider);
    if (!kind) return tl::unexpected(kind.error());
    const ProviderDefaults defaults = DefaultsFor(options.provider);
    llm::ProviderConfig config;
    config.kind = *kind;
    config.base_url = options.base_url.empty() ? defaults.base_url : options.base_url;
    config.model = options.model.empty() ? defaults.model : options.model;
    config.api_key = options.api_key;
    config.key_from_environment = options.key_from_environment;
    config.timeout = std::chrono::seconds(options.timeout_s);
    if (options.price_usd_per_mtok.size() == 2) {
        config.prices.push_back({config.model, options.price_usd_per_mtok[0], options.price_usd_per_mtok[1]});
    }
    auto client = llm::MakeClient(std::move(config));
    if (!client && client.error().code == ErrorCode::kInvalidArgument && options.model.empty()) {
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("{} (--llm-model NAME for `optischema explain --ai`)", client.error().message));
    }
    return client;
}

AiReport AskAi(pg::Connection& target,
               llm::LlmClient& client,
               const std::string& sql,
               const ExplainReport& report,
               const AiOptions& options,
               const VerificationOptions& verification) {
    AiReport ai;
    ai.provider = client.Provider();
    ai.model = ai.configured_model = client.Model();

    RelationCatalog catalog(target);
    ColumnStatsCache stats(target);
    const StatementUnderReview statement = ReviewStatement(target, stats, sql, report);
    ai.warnings = statement.notes;
    auto schema = pg::ReadSchema(target);
    if (!schema) ai.warnings.push_back("the prompt lacks table sizes and indexes: " + schema.error().message);

    llm::PromptInput input;
    input.normalized_query = statement.normalized;
    if (statement.runnable && statement.runnable_sql != statement.normalized) input.sample_sql = statement.runnable_sql;
    input.plan = report.plan;
    input.findings = report.findings;
    input.tables =
        PromptTables(catalog, stats, schema ? *schema : model::SchemaSnapshot{}, statement, report, ai.warnings);
    input.server_version = target.ServerVersion();
    input.proposal = options.proposal;
    const llm::Prompt prompt = llm::BuildExplainPrompt(input, options.max_prompt_chars);
    if (!prompt.omitted.empty()) {
        ai.warnings.push_back(fmt::format("left out of the prompt to keep it under {} characters: {}",
                                          options.max_prompt_chars, Join(prompt.omitted, "; ")));
    }
    const llm::ChatRequest request = llm::ExplainRequest(prompt, options.max_output_tokens);

    const SystemClock clock;
    std::unique_ptr<llm::ResponseCache> cache;
    if (options.use_cache) {
        std::error_code ec;
        std::filesystem::create_directories(verification.data_dir, ec);
        auto opened = llm::ResponseCache::Open((std::filesystem::path(verification.data_dir) / kCacheFile).string(),
                                               options.cache_ttl, clock);
        if (opened) {
            cache = std::move(*opened);
        } else {
            ai.warnings.push_back("answers are not cached: " + opened.error().message);
        }
    }
    spdlog::debug("asking {} model {} at {} ({} prompt characters)", ai.provider, ai.configured_model,
                  client.Endpoint(), prompt.Size());
    Result<llm::Completion> completion = tl::unexpected(Error{});
    if (cache) {
        llm::CachedClient cached(client, *cache);
        completion = cached.Complete(request);
    } else {
        completion = client.Complete(request);
    }
    if (!completion) {
        ai.error = completion.error().message;
        return ai;
    }
    if (!completion->model.empty()) ai.model = completion->model;
    ai.from_cache = completion->from_cache;
    ai.input_tokens = completion->input_tokens;
    ai.output_tokens = completion->output_tokens;
    if (completion->cost_usd > 0 || options.price_usd_per_mtok.size() == 2) ai.cost_usd = completion->cost_usd;
    ai.latency_ms = completion->latency_ms;
    if (completion->truncated) {
        ai.warnings.push_back(
            fmt::format("the answer stopped at the {}-token output limit: later suggestions may be "
                        "missing",
                        options.max_output_tokens));
    }
    auto answer = llm::ParseAnswer(completion->text);
    if (!answer) {
        ai.error = "the model's answer cannot be used: " + answer.error().message;
        return ai;
    }
    ai.explanation = answer->explanation;
    ai.risks = answer->risks;
    ai.warnings.insert(ai.warnings.end(), answer->warnings.begin(), answer->warnings.end());

    ai.rewrites = CheckRewrites(target, catalog, statement, answer->rewrites, verification);
    ai.index_ideas = CheckIndexIdeas(target, catalog, statement, answer->index_ideas, verification);
    return ai;
}

Json AiReportJson(const AiReport& report) {
    Json j;
    j["provider"] = report.provider;
    j["model"] = report.model;
    j["configured_model"] = report.configured_model;
    j["from_cache"] = report.from_cache;
    j["input_tokens"] = report.input_tokens;
    j["output_tokens"] = report.output_tokens;
    j["cost_usd"] = report.cost_usd ? Json(*report.cost_usd) : Json(nullptr);
    j["latency_ms"] = Round3(report.latency_ms);
    j["explanation"] = report.explanation;
    Json rewrites = Json::array();
    for (const auto& r : report.rewrites) {
        rewrites.push_back({{"sql", r.sql},
                            {"rationale", r.rationale},
                            {"status", SuggestionStatusName(r.status)},
                            {"reason", r.reason},
                            {"speedup", OptionalNumber(r.speedup)},
                            {"planned_cost", OptionalNumber(r.planned_cost)},
                            {"model", report.model}});
    }
    j["rewrites"] = std::move(rewrites);
    Json ideas = Json::array();
    for (const auto& i : report.index_ideas) {
        ideas.push_back({{"ddl", i.ddl},
                         {"rationale", i.rationale},
                         {"status", SuggestionStatusName(i.status)},
                         {"reason", i.reason},
                         {"cost_before", OptionalNumber(i.cost_before)},
                         {"cost_after", OptionalNumber(i.cost_after)},
                         {"model", report.model}});
    }
    j["index_ideas"] = std::move(ideas);
    j["risks"] = report.risks;
    j["warnings"] = report.warnings;
    j["error"] = report.error.empty() ? Json(nullptr) : Json(report.error);
    return j;
}

std::string FormatAiText(const AiReport& report, std::size_t width) {
    std::string out;
    const std::string rule(std::min<std::size_t>(width, 60), '-');
    out += rule + "\n";
    if (!report.error.empty()) {
        out += fmt::format("AI assistant ({}, {}): no answer: {}\n", report.provider, report.model, report.error);
        out += "The plan and findings above do not depend on it.\n";
        for (const auto& w : report.warnings) out += "  note: " + w + "\n";
        return out;
    }
    std::string source = report.from_cache ? "answer from the cache (no request sent)"
                                           : fmt::format("answered in {} ms", HumanMs(report.latency_ms));
    out += fmt::format("AI assistant: {} · {} · {} · {} tokens in, {} out{}\n", report.provider, report.model, source,
                       ThousandsSeparated(static_cast<double>(report.input_tokens)),
                       ThousandsSeparated(static_cast<double>(report.output_tokens)),
                       report.cost_usd ? fmt::format(" · ${:.4f}", *report.cost_usd) : std::string());
    out += "\n" + std::string(Trim(report.explanation)) + "\n";

    const std::string by = " (suggested by " + report.model + ")";
    if (!report.rewrites.empty()) {
        out += fmt::format("\nRewrites ({}), checked by OptiSchema:\n", report.rewrites.size());
        for (std::size_t i = 0; i < report.rewrites.size(); ++i) {
            const auto& r = report.rewrites[i];
            out += fmt::format("\n{}. {}{}{}\n", i + 1, StatusTag(r.status),
                               r.speedup && r.status == SuggestionStatus::kVerified
                                   ? " " + HumanRatio(*r.speedup) + " faster"
                                   : std::string(),
                               by);
            out += "   " + Indented(r.sql, "   ") + "\n";
            if (!r.rationale.empty()) out += "   Why: " + Indented(r.rationale, "   ") + "\n";
            out += "   Check: " + Indented(r.reason, "   ") + "\n";
        }
    }
    if (!report.index_ideas.empty()) {
        out += fmt::format("\nIndex ideas ({}), costed by OptiSchema:\n", report.index_ideas.size());
        for (std::size_t i = 0; i < report.index_ideas.size(); ++i) {
            const auto& x = report.index_ideas[i];
            out += fmt::format("\n{}. {}{}\n", i + 1, StatusTag(x.status), by);
            out += "   " + Indented(x.ddl, "   ") + "\n";
            if (!x.rationale.empty()) out += "   Why: " + Indented(x.rationale, "   ") + "\n";
            out += "   Check: " + Indented(x.reason, "   ") + "\n";
        }
    }
    if (report.rewrites.empty() && report.index_ideas.empty()) out += "\nThe model suggests no rewrite or index.\n";
    if (!report.risks.empty()) {
        out += "\nRisks:\n";
        for (const auto& r : report.risks) out += "  - " + Indented(r, "    ") + "\n";
    }
    if (!report.warnings.empty()) {
        out += "\nNotes:\n";
        for (const auto& w : report.warnings) out += "  - " + Indented(w, "    ") + "\n";
    }
    out +=
        "\nVerified: same rows and faster in a sandbox (rewrites), or used by the planner with a lower cost "
        "(indexes). Nothing is applied: use `optischema validate` and `optischema apply`.\n";
    return out;
}

}  // namespace optischema::app
