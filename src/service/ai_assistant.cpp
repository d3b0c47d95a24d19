#include "service/ai_assistant.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/format.hpp"
#include "common/strings.hpp"
#include "llm/answer.hpp"
#include "llm/client.hpp"
#include "llm/prompt.hpp"
#include "pg/schema_catalog.hpp"
#include "service/relation_catalog.hpp"
#include "service/sampling.hpp"

namespace optischema::service {
namespace {

using Json = nlohmann::ordered_json;

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
    const StatementUnderReview statement = ReviewStatement(target, verification.allow, stats, sql, report);
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

    spdlog::debug("asking {} model {} at {} ({} prompt characters)", ai.provider, ai.configured_model,
                  client.Endpoint(), prompt.Size());
    Result<llm::Completion> completion = client.Complete(request);
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

}  // namespace optischema::service
