#include "service/top_report.hpp"

#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/format.hpp"
#include "common/strings.hpp"

namespace optischema::service {
namespace {

nlohmann::ordered_json GroupJson(const model::StatementGroup& g, double total_ms) {
    nlohmann::ordered_json j;
    j["fingerprint"] = g.fingerprint;
    j["queryids"] = g.queryids;
    j["query"] = g.query;
    j["calls"] = g.counters.calls;
    j["total_ms"] = Round3(g.counters.TotalMs());
    j["mean_ms"] = Round3(g.MeanMs());
    j["rows"] = g.counters.rows;
    j["share_pct"] = total_ms > 0 ? Round3(100.0 * g.counters.TotalMs() / total_ms) : 0.0;
    const auto hit = g.CacheHitPct();
    j["cache_hit_pct"] = hit ? nlohmann::ordered_json(Round3(*hit)) : nlohmann::ordered_json(nullptr);
    return j;
}

}  // namespace

std::string FormatTopJson(const TopReport& report) {
    nlohmann::ordered_json j;
    j["server_version"] = report.server_version;
    j["target"] = report.target;
    j["window"] = report.interval_s ? "interval" : "since_reset";
    j["interval_s"] = report.interval_s ? nlohmann::ordered_json(*report.interval_s) : nlohmann::ordered_json(nullptr);
    j["total_ms"] = Round3(report.ranking.total_ms);
    j["statement_count"] = report.ranking.group_count;
    auto& statements = j["statements"] = nlohmann::ordered_json::array();
    for (const auto& g : report.ranking.top) statements.push_back(GroupJson(g, report.ranking.total_ms));
    j["other"] = report.ranking.other ? GroupJson(*report.ranking.other, report.ranking.total_ms)
                                      : nlohmann::ordered_json(nullptr);
    if (!j["other"].is_null()) j["other"].erase("queryids");
    return j.dump(2) + "\n";
}

}  // namespace optischema::service
