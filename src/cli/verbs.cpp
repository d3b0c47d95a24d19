#include "cli/verbs.hpp"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include "cli/resources.hpp"
#include "cli/text.hpp"
#include "common/clock.hpp"
#include "common/format.hpp"
#include "common/strings.hpp"
#include "llm/cache.hpp"
#include "pg/dsn.hpp"
#include "sandbox/cluster_host.hpp"
#include "service/advise.hpp"
#include "service/audit.hpp"
#include "service/change.hpp"
#include "service/check.hpp"
#include "service/explain.hpp"
#include "service/exports.hpp"
#include "service/top.hpp"
#include "service/validate.hpp"

namespace optischema::cli {
namespace {

/// What a verb that proves or changes something opens for its one command.
struct Opened {
    std::unique_ptr<store::StorePool> store;
    std::unique_ptr<sandbox::ClusterHost> clusters;  // the managed sandbox under the data directory
    service::TargetRef target;

    guard::Allowlist allow;

    [[nodiscard]] service::Context Context() const {
        return service::Context{*store, target, CliActor(), clusters.get(), allow};
    }
};

// --allow-function, each entry checked.
Result<guard::Allowlist> AllowedFunctions(const StoreFlags& flags) {
    for (const auto& entry : flags.allow_functions) {
        if (auto ok = guard::ValidateAllowEntry(entry); !ok) return tl::unexpected(ok.error());
    }
    return guard::Allowlist{flags.allow_functions};
}

Result<Opened> Open(const std::string& dsn, const StoreFlags& flags) {
    auto allow = AllowedFunctions(flags);
    if (!allow) return tl::unexpected(allow.error());
    auto target = CliTarget(dsn);
    if (!target) return tl::unexpected(target.error());
    auto store = OpenCliStore(flags.data_dir, flags.store_dsn);
    if (!store) return tl::unexpected(store.error());
    Opened out;
    out.store = std::make_unique<store::StorePool>(std::move(*store));
    out.clusters = std::make_unique<sandbox::ClusterHost>(std::filesystem::path(flags.data_dir) / "sandbox");
    out.target = std::move(*target);
    out.allow = std::move(*allow);
    return out;
}

// Apply's progress on a terminal: one line, redrawn.
void DrawProgress(const sandbox::BuildProgress& p) {
    std::string line = fmt::format("\r  {:.0f}s {}", p.elapsed_s, p.phase);
    if (p.blocks_total > 0) line += fmt::format(" {:.0f}%", 100.0 * p.blocks_done / p.blocks_total);
    std::cerr << line << "\x1b[K" << std::flush;
}

}  // namespace

Result<std::string> RunTop(const TopOptions& options) {
    auto target = CliTarget(options.dsn);
    if (!target) return tl::unexpected(target.error());
    auto store = OpenCliStore(options.data_dir, options.store_dsn);
    if (!store) return tl::unexpected(store.error());
    service::TopRequest request{options.interval_s, options.limit, options.all_databases, options.own_statements_only};
    auto report = service::Top(*target, **store, request);
    if (!report) return tl::unexpected(report.error());
    return options.format == "json" ? service::FormatTopJson(*report) : FormatTopTable(*report);
}

Result<std::string> RunExplain(const ExplainOptions& options) {
    auto target = CliTarget(options.dsn);
    if (!target) return tl::unexpected(target.error());
    std::string sql = options.sql;
    if (!options.fingerprint.empty()) {
        auto store = OpenCliStore(options.data_dir, options.store_dsn);
        if (!store) return tl::unexpected(store.error());
        auto found = service::StatementByFingerprint(**store, target->name, options.fingerprint);
        if (!found) return tl::unexpected(found.error());
        sql = std::move(*found);
    }
    if (sql.empty()) return MakeError(ErrorCode::kInvalidArgument, "give the SQL to explain, or --fingerprint F");
    // A model that cannot be configured is the user's to fix before anything runs.
    std::unique_ptr<llm::LlmClient> client;
    if (options.ai) {
        auto made = service::MakeAiClient(options.ai_options);
        if (!made) return tl::unexpected(made.error());
        client = std::move(*made);
    }
    auto conn = pg::Connection::Open(target->dsn);
    if (!conn) return tl::unexpected(conn.error());
    auto allow = AllowedFunctions(options);
    if (!allow) return tl::unexpected(allow.error());
    const service::ExplainRequest request{options.analyze, options.allow_writes, options.generic, *allow};
    auto report = service::Explain(*conn, sql, request);
    if (!report) return tl::unexpected(report.error());
    if (!options.ai) return options.format == "json" ? service::FormatExplainJson(*report) : FormatExplainText(*report);

    // The store and the managed sandbox only when rewrites are run there (not with --verify-in none).
    std::optional<Opened> opened;
    std::optional<service::Context> context;
    if (options.ai_options.verify_in != "none") {
        auto made = Open(options.dsn, options);
        if (!made) return tl::unexpected(made.error());
        opened = std::move(*made);
        context.emplace(opened->Context());
    }
    service::VerificationOptions verification;
    verification.sandbox = context ? &*context : nullptr;
    verification.verify_in = options.ai_options.verify_in;
    verification.runs = options.ai_options.verify_runs;
    verification.allow = *allow;

    std::vector<std::string> cache_notes;
    std::unique_ptr<llm::ResponseCache> cache;
    const SystemClock clock;
    if (options.ai_options.use_cache) {
        std::error_code ec;
        std::filesystem::create_directories(options.data_dir, ec);
        auto made =
            llm::ResponseCache::Open((std::filesystem::path(options.data_dir) / llm::kResponseCacheFile).string(),
                                     options.ai_options.cache_ttl, clock);
        if (made) {
            cache = std::move(*made);
        } else {
            cache_notes.push_back("answers are not cached: " + made.error().message);
        }
    }
    std::unique_ptr<llm::CachedClient> cached;
    if (cache) cached = std::make_unique<llm::CachedClient>(*client, *cache);
    llm::LlmClient& asked = cached ? static_cast<llm::LlmClient&>(*cached) : *client;
    service::AiReport ai = service::AskAi(*conn, asked, sql, *report, options.ai_options, verification);
    ai.warnings.insert(ai.warnings.begin(), cache_notes.begin(), cache_notes.end());
    if (!ai.error.empty()) spdlog::warn("the AI assistant gave no answer: {}", ai.error);
    if (options.format == "json") {
        auto j = nlohmann::ordered_json::parse(service::FormatExplainJson(*report));
        j["ai"] = service::AiReportJson(ai);
        return j.dump(2) + "\n";
    }
    return FormatExplainText(*report) + "\n" + FormatAiText(ai);
}

Result<std::string> RunAdvise(const AdviseOptions& options) {
    auto target = CliTarget(options.dsn);
    if (!target) return tl::unexpected(target.error());
    service::AdviseRequest request;
    request.min_calls = options.min_calls;
    request.max_statements = options.max_statements;
    auto allow = AllowedFunctions(options);
    if (!allow) return tl::unexpected(allow.error());
    request.allow = std::move(*allow);
    if (!options.queries_file.empty()) {
        std::ifstream in(options.queries_file);
        if (!in) {
            return MakeError(ErrorCode::kInvalidArgument,
                             fmt::format("cannot read {}: check the path", options.queries_file));
        }
        std::stringstream text;
        text << in.rdbuf();
        request.queries = text.str();
    }
    auto conn = pg::Connection::Open(target->dsn);
    if (!conn) return tl::unexpected(conn.error());
    auto report = service::Advise(*conn, target->name, request);
    if (!report) return tl::unexpected(report.error());
    auto store = OpenCliStore(options.data_dir, options.store_dsn);
    if (!store) return tl::unexpected(store.error());
    if (auto saved = service::SaveAdvice(*report, **store); !saved) return tl::unexpected(saved.error());
    return options.format == "json" ? service::FormatAdviceJson(*report) : FormatAdviceText(*report);
}

Result<std::string> RunCheck(const CheckOptions& options) {
    auto target = CliTarget(options.dsn);
    if (!target) return tl::unexpected(target.error());
    auto conn = pg::Connection::Open(target->dsn);
    if (!conn) return tl::unexpected(conn.error());
    auto report = service::CheckIndexHealth(*conn);
    if (!report) return tl::unexpected(report.error());
    return options.format == "json" ? service::FormatIndexHealthJson(*report) : FormatIndexHealthText(*report);
}

Result<std::string> RunValidate(const ValidateOptions& options) {
    auto opened = Open(options.dsn, options);
    if (!opened) return tl::unexpected(opened.error());
    service::ValidateRequest request;
    if (options.sandbox == "managed") {
        request.sandbox = sandbox::Sandbox::Kind::kManaged;
    } else if (options.sandbox == "target") {
        request.sandbox = sandbox::Sandbox::Kind::kTarget;
    } else {
        request.sandbox = sandbox::Sandbox::Kind::kDsn;
        request.sandbox_dsn = options.sandbox;
    }
    request.non_production = options.non_production;
    request.recommendation_id = options.recommendation_id;
    request.ddl = options.ddl;
    request.rewrite = options.rewrite;
    request.queries = options.queries;
    request.runs = options.runs;
    request.max_table_mb = options.max_table_mb;
    auto report = service::Validate(request, opened->Context());
    if (!report) return tl::unexpected(report.error());
    return options.format == "json" ? service::FormatValidationJson(*report) : FormatValidationText(*report);
}

Result<std::string> RunApply(const ApplyOptions& options) {
    auto opened = Open(options.dsn, options);
    if (!opened) return tl::unexpected(opened.error());
    const service::ApplyRequest request{options.recommendation_id, options.ddl,
                                        std::chrono::milliseconds(options.lock_timeout_ms)};
    auto plan = service::PlanApply(request, *opened->store);
    if (!plan) return tl::unexpected(plan.error());
    if (!options.yes) {
        auto confirmed =
            Confirm({fmt::format("About to run on {}:\n  {};\n", opened->target.name, plan->index.create_concurrently),
                     "Apply it?", "apply", "not applied"});
        if (!confirmed) return tl::unexpected(confirmed.error());
    }
    service::CancelFlag interrupted{false};
    service::ChangeHooks hooks;
    hooks.cancel = &interrupted;
    if (::isatty(STDERR_FILENO) != 0) hooks.on_progress = DrawProgress;
    auto outcome = [&] {
        InterruptGuard guard(interrupted);
        return service::ApplyIndex(*plan, opened->Context(), hooks);
    }();
    if (hooks.on_progress) std::cerr << "\r\x1b[K" << std::flush;
    if (!outcome) return tl::unexpected(outcome.error());
    return fmt::format(
        "{}\nAudited as action {}. Undo with: optischema rollback --dsn DSN --action {}\nSee the time it saves "
        "with: optischema impact --dsn DSN --action {}\n",
        outcome->message, outcome->action_id, outcome->action_id, outcome->action_id);
}

Result<std::string> RunRollback(const RollbackOptions& options) {
    auto opened = Open(options.dsn, options);
    if (!opened) return tl::unexpected(opened.error());
    const service::Context context = opened->Context();
    auto plan = service::PlanRollback(options.action_id, std::chrono::milliseconds(options.lock_timeout_ms), context);
    if (!plan) return tl::unexpected(plan.error());
    if (!options.yes) {
        auto confirmed = Confirm({fmt::format("About to run on {}:\n  {};\n", context.target.name, plan->drop_sql),
                                  "Roll back?", "roll back", "not rolled back"});
        if (!confirmed) return tl::unexpected(confirmed.error());
    }
    auto outcome = service::RollbackIndex(*plan, context);
    if (!outcome) return tl::unexpected(outcome.error());
    return fmt::format("{}\nAudited as action {}.\n", outcome->message, outcome->action_id);
}

Result<std::string> RunImpact(const ImpactOptions& options) {
    auto opened = Open(options.dsn, options);
    if (!opened) return tl::unexpected(opened.error());
    auto report = service::Impact(options.action_id, opened->Context());
    if (!report) return tl::unexpected(report.error());
    return options.format == "json" ? service::FormatImpactJson(*report) : FormatImpactText(*report);
}

Result<std::string> RunAudit(const AuditOptions& options) {
    auto store = OpenCliStore(options.data_dir, options.store_dsn);
    if (!store) return tl::unexpected(store.error());
    auto events = (*store)->ListAudit(options.limit);
    if (!events) return tl::unexpected(events.error());
    if (options.format == "json") return service::FormatAuditJson(*events);
    if (options.format == "csv") return service::AuditCsv(*events);
    return FormatAuditText(*events);
}

}  // namespace optischema::cli
