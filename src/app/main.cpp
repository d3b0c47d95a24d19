#include <cstdio>
#include <iostream>
#include <iterator>

#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "app/advise_command.hpp"
#include "app/check_command.hpp"
#include "app/explain_command.hpp"
#include "app/top_command.hpp"
#include "common/strings.hpp"

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
    app.add_flag("-v,--verbose", verbose, "log what is being done to stderr");

    optischema::app::TopOptions top;
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

    optischema::app::ExplainOptions explain;
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

    optischema::app::AdviseOptions advise;
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

    optischema::app::CheckOptions check;
    auto* check_cmd =
        app.add_subcommand("check", "index health: duplicate, redundant, unused, invalid and missing indexes");
    check_cmd->add_option("--dsn", check.dsn, "PostgreSQL URI or key=value DSN (libpq's PG* variables apply)")
        ->required();
    check_cmd->add_option("--format", check.format, "output format")
        ->capture_default_str()
        ->check(CLI::IsMember({"text", "json"}));

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        return code == 0 ? 0 : 2;
    }
    if (verbose) spdlog::set_level(spdlog::level::debug);

    if (top_cmd->parsed()) {
        top.data_dir = data_dir;
        return Finish(optischema::app::RunTop(top));
    }
    if (check_cmd->parsed()) return Finish(optischema::app::RunCheck(check));
    if (advise_cmd->parsed()) {
        advise.data_dir = data_dir;
        return Finish(optischema::app::RunAdvise(advise));
    }
    if (explain_cmd->parsed()) {
        explain.data_dir = data_dir;
        if (explain.sql == "-") explain.sql.assign(std::istreambuf_iterator<char>(std::cin), {});
        return Finish(optischema::app::RunExplain(explain));
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
