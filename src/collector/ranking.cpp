#include "collector/ranking.hpp"

#include <algorithm>
#include <unordered_map>

#include <fmt/format.h>

namespace optischema::collector {
namespace {

struct Accumulator {
    model::StatementGroup group;
    double best_representative_ms = -1;
};

}  // namespace

model::WorkloadRanking Rank(const std::vector<model::StatementStats>& entries,
                            const QueryCatalog& catalog,
                            const RankingOptions& options) {
    std::unordered_map<std::string, Accumulator> by_fingerprint;
    for (const auto& e : entries) {
        const QueryInfo* info = catalog.Find(e.key.queryid);
        if (!options.include_own && catalog.IsOwn(e.key.queryid, e.key.toplevel)) continue;
        const std::string fingerprint =
            info != nullptr ? info->fingerprint : fmt::format("{:016x}", static_cast<std::uint64_t>(e.key.queryid));
        Accumulator& acc = by_fingerprint[fingerprint];
        acc.group.fingerprint = fingerprint;
        acc.group.counters += e.counters;
        acc.group.queryids.push_back(e.key.queryid);
        // The text shown for a group is that of its costliest entry.
        if (info != nullptr && e.counters.TotalMs() > acc.best_representative_ms) {
            acc.best_representative_ms = e.counters.TotalMs();
            acc.group.query = info->text;
        }
    }

    model::WorkloadRanking ranking;
    std::vector<model::StatementGroup> groups;
    groups.reserve(by_fingerprint.size());
    for (auto& [_, acc] : by_fingerprint) {
        auto& ids = acc.group.queryids;
        std::sort(ids.begin(), ids.end());
        ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
        ranking.total_ms += acc.group.counters.TotalMs();
        groups.push_back(std::move(acc.group));
    }
    ranking.group_count = groups.size();
    std::sort(groups.begin(), groups.end(), [](const auto& a, const auto& b) {
        if (a.counters.TotalMs() != b.counters.TotalMs()) return a.counters.TotalMs() > b.counters.TotalMs();
        return a.fingerprint < b.fingerprint;  // stable order for ties
    });

    double covered_ms = 0;
    std::size_t keep = 0;
    for (; keep < groups.size(); ++keep) {
        const bool coverage_reached = covered_ms >= options.coverage * ranking.total_ms;
        if (coverage_reached && keep >= options.min_groups) break;
        if (options.max_groups != 0 && keep >= options.max_groups) break;
        covered_ms += groups[keep].counters.TotalMs();
    }
    if (keep < groups.size()) {
        model::StatementGroup other;
        other.fingerprint = "other";
        other.query = fmt::format("{} other statements", groups.size() - keep);
        for (std::size_t i = keep; i < groups.size(); ++i) other.counters += groups[i].counters;
        ranking.other = std::move(other);
    }
    groups.resize(keep);
    ranking.top = std::move(groups);
    return ranking;
}

}  // namespace optischema::collector
