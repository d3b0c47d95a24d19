#include <cstdio>
#include <iostream>
#include <iterator>

#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "cli/demo_command.hpp"
#include "cli/verbs.hpp"
#include "common/strings.hpp"
#include "server/serve.hpp"

namespace {

// 2 for what the user can fix by changing the command or the server (usage, connection,
// prerequisites); 1 for everything else.
int ExitCode(const optischema::Error& e) {
    using optischema::ErrorCode;
    switch (e.code) {
        case ErrorCode::kInvalidArgument:
        case ErrorCode::kConnectionFailed:
        case ErrorCode::kPrerequisiteMissing:
        case ErrorCode::kParseError:
        case ErrorCode::kNotFound:
            return 2;
        default:
            return 1;
    }
}

template <typename T>
int Finish(const optischema::Result<T>& result) {
    if (!result) {
        std::cerr << "optischema: " << result.error().ToString() << "\n";
        return ExitCode(result.error());
    }
    std::cout << *result << std::flush;
    return 0;
}

int Main(int argc, char** argv) {
    auto logger = spdlog::stderr_color_mt("optischema");
    spdlog::set_default_logger(logger);
    spdlog::set_level(spdlog::level::warn);

    CLI::App app{"OptiSchema: finds what makes a PostgreSQL database slow and proves how to fix it"};
    app.require_subcommand(1);
    app.fallthrough();  // global options such as --data-dir may also follow the verb
    app.set_version_flag("--version", "optischema 0.1.0");
    std::string data_dir = optischema::DefaultDataDir();
    bool verbose = false;
    app.add_option("--data-dir", data_dir, "where OptiSchema keeps its history")->capture_default_str();
    std::string store_dsn;
    app.add_option("--store", store_dsn,
                   "keep the history in this PostgreSQL database instead of the data directory's SQLite file (the "
                   "store several `optischema serve` instances share), e.g. postgresql://optischema@storedb/optischema")
        ->envname("OPTISCHEMA_STORE");
    app.add_flag("-v,--verbose", verbose, "log what is being done to stderr");

    optischema::cli::TopOptions top;
    auto* top_cmd = app.add_subcommand("top", "rank the statements that cost the most time (pg_stat_statements)");
    top_cmd->add_option("--dsn", top.dsn, "PostgreSQL URI or key=value DSN (libpq's PG* variables apply)")->required();
    top_cmd->add_option("--interval", top.interval_s, "rank by the work done over this many seconds")
        ->check(CLI::PositiveNumber);
    top_cmd->add_option("--limit", top.limit, "show at most this many statements")
        ->capture_default_str()
        ->check(CLI::Range(1, 100000));
    top_cmd->add_option("--format", top.format, "output format")
        ->capture_default_str()
        ->check(CLI::IsMember({"table", "json"}));
    top_cmd->add_flag("--all-databases", top.all_databases, "include every database's statements, not only the DSN's");
    top_cmd->add_flag("--own-statements-only", top.own_statements_only,
                      "accept a role that can see only its own statements (no pg_read_all_stats)");

    optischema::cli::ExplainOptions explain;
    auto* explain_cmd = app.add_subcommand("explain", "explain a statement's plan: where the time goes and why");
    explain_cmd->add_option("--dsn", explain.dsn, "PostgreSQL URI or key=value DSN (libpq's PG* variables apply)")
        ->required();
    auto* sql_opt = explain_cmd->add_option(
        "sql", explain.sql, "the statement (may use $1..$n, as pg_stat_statements shows it); - reads stdin");
    explain_cmd
        ->add_option("--fingerprint", explain.fingerprint, "a statement seen by `optischema top`, by fingerprint")
        ->excludes(sql_opt);
    explain_cmd->add_flag("--analyze", explain.analyze,
                          "run the statement for real times (in a transaction that is rolled back)");
    explain_cmd->add_flag("--allow-writes", explain.allow_writes, "let --analyze run INSERT, UPDATE and DELETE");
    explain_cmd->add_flag("--generic", explain.generic,
                          "explain the generic plan of a statement with $n instead of a sample with values");
    explain_cmd->add_option("--format", explain.format, "output format")
        ->capture_default_str()
        ->check(CLI::IsMember({"text", "json"}));
    auto* ai_flag = explain_cmd->add_flag(
        "--ai", explain.ai,
        "also ask a language model to explain the plan and suggest rewrites and indexes, each verified by "
        "OptiSchema (API key from OPTISCHEMA_LLM_API_KEY)");
    explain_cmd
        ->add_option("--llm-provider", explain.ai_options.provider,
                     "openai (any OpenAI-compatible server: OpenAI, DeepSeek, Ollama, vLLM, llama.cpp) or gemini")
        ->capture_default_str()
        ->needs(ai_flag);
    explain_cmd
        ->add_option("--llm-base-url", explain.ai_options.base_url,
                     "the provider's API, e.g. http://localhost:11434/v1 (default: the provider's public endpoint)")
        ->needs(ai_flag);
    explain_cmd
        ->add_option("--llm-model", explain.ai_options.model,
                     "the model (default: gpt-4o-mini for openai, gemini-2.5-flash for gemini)")
        ->needs(ai_flag);
    explain_cmd->add_option("--llm-timeout-s", explain.ai_options.timeout_s, "give up a model request after this long")
        ->capture_default_str()
        ->check(CLI::Range(1, 3600))
        ->needs(ai_flag);
    explain_cmd
        ->add_option("--llm-price", explain.ai_options.price_usd_per_mtok,
                     "the model's price in US dollars per million input and output tokens, e.g. --llm-price 0.27 "
                     "1.10, to report each answer's cost")
        ->expected(2)
        ->needs(ai_flag);
    explain_cmd
        ->add_flag(
            "--no-llm-cache", [&](std::int64_t) { explain.ai_options.use_cache = false; },
            "always ask the model, even when the same question was answered in the last 7 days")
        ->needs(ai_flag);
    explain_cmd
        ->add_option("--verify-in", explain.ai_options.verify_in,
                     "where the model's rewrites are run to check their rows and speed: managed (a private sandbox "
                     "cluster with copies of the tables) or none (parsed, checked against the catalog and planned "
                     "only)")
        ->capture_default_str()
        ->check(CLI::IsMember({"managed", "none"}))
        ->needs(ai_flag);

    optischema::cli::AdviseOptions advise;
    auto* advise_cmd = app.add_subcommand("advise", "recommend indexes for the workload (never changes the database)");
    advise_cmd->add_option("--dsn", advise.dsn, "PostgreSQL URI or key=value DSN (libpq's PG* variables apply)")
        ->required();
    advise_cmd->add_option("--queries", advise.queries_file,
                           "a file of SQL statements separated by ';' (default: the workload in pg_stat_statements)");
    advise_cmd->add_option("--min-calls", advise.min_calls, "leave out statements called fewer times")
        ->capture_default_str();
    advise_cmd->add_option("--max-statements", advise.max_statements, "the costliest statements to consider")
        ->capture_default_str();
    advise_cmd->add_option("--format", advise.format, "output format")
        ->capture_default_str()
        ->check(CLI::IsMember({"text", "json"}));

    optischema::cli::CheckOptions check;
    auto* check_cmd =
        app.add_subcommand("check", "index health: duplicate, redundant, unused, invalid and missing indexes");
    check_cmd->add_option("--dsn", check.dsn, "PostgreSQL URI or key=value DSN (libpq's PG* variables apply)")
        ->required();
    check_cmd->add_option("--format", check.format, "output format")
        ->capture_default_str()
        ->check(CLI::IsMember({"text", "json"}));

    const char* dsn_help = "PostgreSQL URI or key=value DSN (libpq's PG* variables apply)";
    optischema::cli::ValidateOptions validate;
    auto* validate_cmd = app.add_subcommand(
        "validate", "prove a recommendation in a sandbox: before/after benchmark, plans, same rows for rewrites");
    validate_cmd->add_option("--dsn", validate.dsn, dsn_help)->required();
    validate_cmd
        ->add_option("--sandbox", validate.sandbox,
                     "managed (a private cluster with copies of the tables), target (needs --non-production), or the "
                     "DSN of a staging copy")
        ->capture_default_str();
    validate_cmd->add_flag("--non-production", validate.non_production,
                           "the target is not a production database: allows --sandbox target");
    auto* rec_opt = validate_cmd->add_option("--recommendation", validate.recommendation_id,
                                             "an id printed by `optischema advise`");
    validate_cmd->add_option("--ddl", validate.ddl, "a CREATE INDEX statement")->excludes(rec_opt);
    validate_cmd->add_option("--rewrite", validate.rewrite, "a rewrite of the one --query (must return the same rows)");
    validate_cmd->add_option("--query", validate.queries,
                             "a statement to benchmark (repeatable; default: those the recommendation serves)");
    validate_cmd->add_option("--runs", validate.runs, "timed runs per statement, after warm-up")
        ->capture_default_str()
        ->check(CLI::Range(3, 1000));
    validate_cmd->add_option("--max-table-mb", validate.max_table_mb, "managed sandbox: sample larger tables")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    validate_cmd->add_option("--format", validate.format, "output format")
        ->capture_default_str()
        ->check(CLI::IsMember({"text", "json"}));

    optischema::cli::ApplyOptions apply;
    auto* apply_cmd =
        app.add_subcommand("apply", "create a recommended index on the target (CONCURRENTLY, audited, undoable)");
    apply_cmd->add_option("--dsn", apply.dsn, dsn_help)->required();
    auto* apply_rec =
        apply_cmd->add_option("--recommendation", apply.recommendation_id, "an id printed by `optischema advise`");
    apply_cmd->add_option("--ddl", apply.ddl, "a CREATE INDEX statement")->excludes(apply_rec);
    apply_cmd->add_flag("--yes", apply.yes, "do not ask for confirmation");
    apply_cmd->add_option("--lock-timeout-ms", apply.lock_timeout_ms, "give up a lock wait after this long")
        ->capture_default_str();

    optischema::cli::RollbackOptions rollback;
    auto* rollback_cmd = app.add_subcommand("rollback", "undo an audited apply (DROP INDEX CONCURRENTLY)");
    rollback_cmd->add_option("--dsn", rollback.dsn, dsn_help)->required();
    rollback_cmd->add_option("--action", rollback.action_id, "the apply's action id (see `optischema audit`)")
        ->required();
    rollback_cmd->add_flag("--yes", rollback.yes, "do not ask for confirmation");
    rollback_cmd->add_option("--lock-timeout-ms", rollback.lock_timeout_ms, "give up a lock wait after this long")
        ->capture_default_str();

    optischema::cli::ImpactOptions impact;
    auto* impact_cmd =
        app.add_subcommand("impact", "the time an applied index actually saved, from pg_stat_statements");
    impact_cmd->add_option("--dsn", impact.dsn, dsn_help)->required();
    impact_cmd->add_option("--action", impact.action_id, "the apply's action id")->required();
    impact_cmd->add_option("--format", impact.format, "output format")
        ->capture_default_str()
        ->check(CLI::IsMember({"text", "json"}));

    optischema::cli::AuditOptions audit;
    auto* audit_cmd = app.add_subcommand("audit", "the audit log: every validate, apply and rollback");
    audit_cmd->add_option("--limit", audit.limit, "the newest N events (default: all)");
    audit_cmd->add_option("--format", audit.format, "output format")
        ->capture_default_str()
        ->check(CLI::IsMember({"text", "json", "csv"}));

    optischema::server::ServeConfig serve;
    std::string serve_config_file;
    std::vector<std::string> serve_targets;
    std::string serve_listen;
    std::string serve_static_dir;
    std::string serve_password_file;
    bool serve_no_auth = false;
    int serve_interval = 60;
    auto* serve_cmd = app.add_subcommand("serve", "run the server: API, live dashboard, background collection");
    serve_cmd->add_option("--config", serve_config_file, "a TOML config file (targets, listen address, auth)");
    serve_cmd->add_option("--listen", serve_listen, "address:port to listen on (default 127.0.0.1:8080)");
    serve_cmd->add_option("--target", serve_targets, "NAME=DSN of a database to watch (repeatable)");
    serve_cmd->add_option("--interval", serve_interval, "collection interval of --target databases, in seconds")
        ->capture_default_str()
        ->check(CLI::Range(1, 86400));
    serve_cmd->add_option("--static-dir", serve_static_dir,
                          "the built dashboard (default: web/dist next to the binary)");
    serve_cmd->add_option("--admin-password-file", serve_password_file,
                          "the first start's admin password (else OPTISCHEMA_ADMIN_PASSWORD, else generated)");
    serve_cmd->add_flag("--no-auth", serve_no_auth,
                        "no login: everyone is admin (only for a local, single-user setup)");

    optischema::cli::DemoOptions demo;
    auto* demo_cmd = app.add_subcommand(
        "demo", "a local PostgreSQL with a shop database and workload, watched by the server and dashboard");
    demo_cmd->add_option("--listen", demo.listen, "address:port of the dashboard")->capture_default_str();
    demo_cmd->add_option("--rate", demo.rate_tps, "workload transactions per second")
        ->capture_default_str()
        ->check(CLI::Range(1, 10000));

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        return code == 0 ? 0 : 2;
    }
    if (verbose) spdlog::set_level(spdlog::level::debug);

    if (top_cmd->parsed()) {
        top.data_dir = data_dir;
        top.store_dsn = store_dsn;
        return Finish(optischema::cli::RunTop(top));
    }
    if (check_cmd->parsed()) return Finish(optischema::cli::RunCheck(check));
    if (demo_cmd->parsed()) {
        demo.data_dir = data_dir;
        auto rc = optischema::cli::RunDemo(demo);
        if (!rc) return Finish(optischema::Result<std::string>(tl::unexpected(rc.error())));
        return *rc;
    }
    if (serve_cmd->parsed()) {
        serve.data_dir = data_dir;
        if (!serve_config_file.empty()) {
            auto loaded = optischema::server::LoadConfig(serve_config_file, serve);
            if (!loaded) return Finish(optischema::Result<std::string>(tl::unexpected(loaded.error())));
            serve = std::move(*loaded);
            if (serve.data_dir.empty()) serve.data_dir = data_dir;
        }
        if (!store_dsn.empty()) serve.store_dsn = store_dsn;
        if (!serve_listen.empty()) serve.listen = serve_listen;
        if (!serve_static_dir.empty()) serve.static_dir = serve_static_dir;
        if (!serve_password_file.empty()) serve.admin_password_file = serve_password_file;
        if (serve_no_auth) serve.auth = false;
        for (const auto& flag : serve_targets) {
            auto target = optischema::server::ParseTargetFlag(flag);
            if (!target) return Finish(optischema::Result<std::string>(tl::unexpected(target.error())));
            target->interval_s = serve_interval;
            serve.targets.push_back(std::move(*target));
        }
        auto rc = optischema::server::RunServe(std::move(serve));
        if (!rc) return Finish(optischema::Result<std::string>(tl::unexpected(rc.error())));
        return *rc;
    }
    if (validate_cmd->parsed()) {
        validate.data_dir = data_dir;
        validate.store_dsn = store_dsn;
        return Finish(optischema::cli::RunValidate(validate));
    }
    if (apply_cmd->parsed()) {
        apply.data_dir = data_dir;
        apply.store_dsn = store_dsn;
        return Finish(optischema::cli::RunApply(apply));
    }
    if (rollback_cmd->parsed()) {
        rollback.data_dir = data_dir;
        rollback.store_dsn = store_dsn;
        return Finish(optischema::cli::RunRollback(rollback));
    }
    if (impact_cmd->parsed()) {
        impact.data_dir = data_dir;
        impact.store_dsn = store_dsn;
        return Finish(optischema::cli::RunImpact(impact));
    }
    if (audit_cmd->parsed()) {
        audit.data_dir = data_dir;
        audit.store_dsn = store_dsn;
        return Finish(optischema::cli::RunAudit(audit));
    }
    if (advise_cmd->parsed()) {
        advise.data_dir = data_dir;
        advise.store_dsn = store_dsn;
        return Finish(optischema::cli::RunAdvise(advise));
    }
    if (explain_cmd->parsed()) {
        explain.data_dir = data_dir;
        explain.store_dsn = store_dsn;
        if (explain.sql == "-") explain.sql.assign(std::istreambuf_iterator<char>(std::cin), {});
        return Finish(optischema::cli::RunExplain(explain));
    }
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    // Expected failures are Result values; an exception here is a bug, reported without a crash.
    try {
        return Main(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << "optischema: internal error: " << e.what() << "\n";
    } catch (...) {
        std::cerr << "optischema: internal error\n";
    }
    return 1;
}
