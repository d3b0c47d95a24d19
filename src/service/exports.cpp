#include "service/exports.hpp"

#include <cmath>

#include <fmt/format.h>

#include "common/csv.hpp"
#include "common/format.hpp"
#include "common/quote.hpp"

namespace optischema::service {

std::string StatementsCsv(const std::vector<model::StatementGroup>& groups) {
    double total_ms = 0;
    for (const auto& g : groups) total_ms += g.counters.TotalMs();
    CsvWriter csv({"fingerprint", "query", "calls", "total_ms", "mean_ms", "rows", "share_pct", "cache_hit_pct",
                   "shared_blks_read", "temp_blks_written"});
    for (const auto& g : groups) {
        const auto hit = g.CacheHitPct();
        csv.AddRow({g.fingerprint, g.query, g.counters.calls, Round3(g.counters.TotalMs()), Round3(g.MeanMs()),
                    g.counters.rows, total_ms > 0 ? Round3(100.0 * g.counters.TotalMs() / total_ms) : 0.0,
                    hit ? CsvCell(Round3(*hit)) : CsvCell(std::nullopt), g.counters.shared_blks_read,
                    g.counters.temp_blks_written});
    }
    return csv.str();
}

std::string AuditCsv(const std::vector<model::AuditEvent>& events) {
    CsvWriter csv(
        {"id", "at", "actor", "target", "action", "outcome", "duration_ms", "related_id", "sql", "error", "detail"});
    for (const auto& e : events) {
        csv.AddRow({e.id, IsoTime(e.at), e.actor, e.target, e.action, e.outcome, Round3(e.duration_ms), e.related_id,
                    e.sql, e.error, e.detail_json});
    }
    return csv.str();
}

std::string RecommendationsSql(const std::vector<store::RecommendationRecord>& recommendations) {
    std::string out =
        "-- OptiSchema recommendations. Run each statement on its own (CONCURRENTLY cannot run in a "
        "transaction).\n";
    for (const auto& rec : recommendations) {
        if (rec.kind != "index") continue;
        out += fmt::format("\n-- {} ({}){}\n{};\n-- rollback: {};\n", SqlCommentText(rec.title), SqlCommentText(rec.id),
                           rec.validation_json.empty() ? "" : ", validated", rec.sql, SqlCommentText(rec.rollback_sql));
    }
    return out;
}

}  // namespace optischema::service
