#include "service/advise.hpp"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "advisor/hypopg_whatif.hpp"
#include "collector/collector.hpp"
#include "collector/pg_stats_source.hpp"
#include "collector/ranking.hpp"
#include "common/strings.hpp"
#include "pg/capabilities.hpp"
#include "pg/catalog.hpp"
#include "pg/schema_catalog.hpp"
#include "service/sampling.hpp"
#include "service/table_statements.hpp"
#include "sqlparse/sqlparse.hpp"

namespace optischema::service {
namespace {

struct Statement {
    std::string fingerprint;
    std::string text;
    double weight_ms = 0;  // 0: unknown (from a file)
};

Result<std::vector<Statement>> FromText(const std::string& text) {
    auto parts = sqlparse::SplitStatements(text);
    if (!parts) return tl::unexpected(parts.error());
    std::vector<Statement> out;
    for (auto& text : *parts) {
        auto fp = sqlparse::Fingerprint(text);
        if (!fp) return tl::unexpected(fp.error());
        out.push_back({*fp, std::move(text), 0});
    }
    return out;
}

Result<std::vector<Statement>> FromStatStatements(pg::Connection& conn,
                                                  const AdviseRequest& options,
                                                  std::optional<double>& window_hours) {
    auto workload = ReadWorkload(conn, options.max_statements);
    if (!workload) return tl::unexpected(workload.error());
    if (workload->info.stats_reset) {
        window_hours =
            std::chrono::duration<double, std::ratio<3600>>(workload->info.taken_at - *workload->info.stats_reset)
                .count();
    }
    const auto& ranking = workload->ranking;
    std::vector<Statement> out;
    for (const auto& g : ranking.top) {
        if (g.counters.calls < options.min_calls || g.query.empty()) continue;
        out.push_back({g.fingerprint, g.query, g.counters.TotalMs()});
    }
    return out;
}

bool Indexable(const std::string& statement_type) {
    return statement_type == "SELECT" || statement_type == "UPDATE" || statement_type == "DELETE" ||
           statement_type == "INSERT";
}

}  // namespace

Result<AdviceReport> Advise(pg::Connection& conn, const std::string& target_name, const AdviseRequest& options) {
    AdviceReport report;
    report.target = target_name;
    auto statements =
        options.queries ? FromText(*options.queries) : FromStatStatements(conn, options, report.window_hours);
    if (!statements) return tl::unexpected(statements.error());
    auto schema = pg::ReadSchema(conn);
    if (!schema) return tl::unexpected(schema.error());
    auto whatif = advisor::HypoPgWhatIf::Open(conn, options.allow);
    if (!whatif) return tl::unexpected(whatif.error());

    // Samples and candidates read the same columns' statistics: one cache serves both.
    ColumnStatsCache stats_cache(conn);
    std::vector<std::string> errors;
    auto lookup = [&](const std::string& table, const std::string& column) -> std::optional<model::ColumnStats> {
        auto stats = stats_cache.Get("", table, column);
        return stats ? *stats : std::nullopt;
    };

    std::vector<advisor::WorkloadQuery> workload;
    for (const auto& s : *statements) {
        auto parsed = sqlparse::Parse(s.text);
        if (!parsed) {
            errors.push_back(fmt::format("{}: {}", s.text, parsed.error().message));
            continue;
        }
        if (!Indexable(parsed->statement_type)) continue;  // utility statements: nothing to index
        advisor::WorkloadQuery q;
        q.fingerprint = s.fingerprint;
        q.query = s.text;
        q.weight_ms = s.weight_ms;
        q.sql = s.text;
        // An INSERT reads nothing an index could speed up: it is costed as written, without a sample.
        if (parsed->param_count > 0 && parsed->statement_type != "INSERT") {
            auto sample = MakeSample(conn, stats_cache, s.text, *parsed);
            if (!sample) {
                errors.push_back(fmt::format("{}: {}", s.text, sample.error().message));
                continue;
            }
            q.sql = sample->sql;
        }
        q.candidates = advisor::GenerateCandidates(*parsed, *schema, lookup);
        q.parsed = std::move(*parsed);
        workload.push_back(std::move(q));
    }
    report.statements = workload.size();
    report.advice = advisor::SelectIndexes(std::move(workload), *schema, *whatif);
    report.advice.errors.insert(report.advice.errors.begin(), errors.begin(), errors.end());
    return report;
}

Result<void> SaveAdvice(const AdviceReport& report, store::Store& store) {
    // The target as the store knows it (a server target keeps its DSN display); created for the CLI.
    auto targets = store.ListTargets();
    if (!targets) return tl::unexpected(targets.error());
    auto known = std::find_if(targets->begin(), targets->end(),
                              [&](const store::TargetRecord& t) { return t.name == report.target; });
    auto target = known != targets->end() ? Result<store::TargetRecord>(*known)
                                          : store.EnsureTarget(report.target, report.target);
    if (!target) return tl::unexpected(target.error());
    for (const auto& r : report.advice.recommendations) {
        store::RecommendationRecord record;
        record.id = RecommendationId(report.target, r.index);
        record.target_id = target->id;
        record.kind = "index";
        record.title =
            fmt::format("{} on {} ({})", r.index.method, r.index.QualifiedTable(), Join(r.index.columns, ", "));
        record.sql = r.index.Ddl(true);
        record.rollback_sql = r.index.RollbackDdl();
        record.evidence_json = RecommendationJson(report, r).dump();
        if (auto ok = store.SaveRecommendation(record); !ok) return tl::unexpected(ok.error());
    }
    return {};
}

}  // namespace optischema::service
