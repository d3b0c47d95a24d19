#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/format.hpp"
#include "common/strings.hpp"
#include "service/advise.hpp"

namespace optischema::service {
namespace {

using Json = nlohmann::ordered_json;

}  // namespace

std::string RecommendationId(const std::string& target, const advisor::IndexCandidate& index) {
    // FNV-1a: stable across builds and platforms, unlike std::hash.
    std::uint64_t h = 14695981039346656037ULL;
    for (const char c : target + "\n" + index.Key()) {
        h ^= static_cast<unsigned char>(c);
        h *= 1099511628211ULL;
    }
    return fmt::format("idx-{:012x}", h & 0xffffffffffffULL);
}

Json RecommendationJson(const AdviceReport& report, const advisor::Recommendation& r) {
    Json rec;
    rec["id"] = RecommendationId(report.target, r.index);
    rec["ddl"] = r.index.Ddl() + ";";
    rec["rollback"] = r.index.RollbackDdl() + ";";
    rec["table"] = r.index.schema.empty() ? r.index.table : r.index.schema + "." + r.index.table;
    rec["method"] = r.index.method;
    rec["columns"] = r.index.columns;
    rec["include"] = r.index.include;
    rec["where"] = r.index.where.empty() ? Json(nullptr) : Json(r.index.where);
    rec["estimated_size_bytes"] = r.estimated_size_bytes;
    Json queries = Json::array();
    for (const auto& q : r.queries) {
        queries.push_back({{"fingerprint", q.fingerprint},
                           {"query", q.query},
                           {"sql", q.sql},
                           {"cost_before", Round3(q.cost_before)},
                           {"cost_after", Round3(q.cost_after)}});
    }
    rec["queries"] = std::move(queries);
    Json impact;
    const bool costs = report.advice.weighted_by_cost;
    impact["weighted_by"] = costs ? "planner cost (no measured times)" : "measured time (pg_stat_statements)";
    impact["saved_ms"] = costs ? Json(nullptr) : Json(Round3(r.saved_ms));
    impact["saved_share_pct"] = Round3(100 * r.saved_share);
    impact["write_cost_ms"] = costs ? Json(nullptr) : Json(Round3(r.write_cost_ms));
    impact["saved_ms_per_hour"] = report.window_hours && *report.window_hours > 0
                                      ? Json(Round3(r.saved_ms / *report.window_hours))
                                      : Json(nullptr);
    rec["impact"] = std::move(impact);
    rec["confidence"] = r.confidence;
    rec["reason"] = r.index.reason;
    rec["write_overhead"] = r.write_note;
    return rec;
}

std::string FormatAdviceJson(const AdviceReport& report) {
    Json j;
    Json recs = Json::array();
    for (const auto& r : report.advice.recommendations) recs.push_back(RecommendationJson(report, r));
    j["recommendations"] = std::move(recs);
    Json none = Json::array();
    for (const auto& n : report.advice.no_index) {
        none.push_back({{"fingerprint", n.fingerprint}, {"query", n.query}, {"reason", n.reason}});
    }
    j["no_index"] = std::move(none);
    j["errors"] = report.advice.errors;
    j["statements"] = report.statements;
    return j.dump(2) + "\n";
}

}  // namespace optischema::service
