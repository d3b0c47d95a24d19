#include "collector/delta.hpp"

namespace optischema::collector {

std::vector<model::StatementStats> ComputeDeltas(const Baseline& before,
                                                 const model::SnapshotInfo& now_info,
                                                 const std::vector<model::StatementStats>& now,
                                                 DeltaReport* report) {
    DeltaReport local;
    DeltaReport& r = report != nullptr ? *report : local;
    r = DeltaReport{};
    r.full_reset = before.info.stats_reset && now_info.stats_reset && *now_info.stats_reset != *before.info.stats_reset;

    std::vector<model::StatementStats> out;
    out.reserve(now.size());
    std::size_t matched = 0;
    for (const auto& entry : now) {
        model::Counters delta = entry.counters;
        auto it = before.counters.find(entry.key);
        if (it == before.counters.end()) {
            ++r.new_entries;
        } else {
            ++matched;
            // After a full reset every entry counts from zero, which is what `delta` already holds.
            if (!r.full_reset) {
                if (entry.counters.WentBackwardsFrom(it->second)) {
                    ++r.restarted_entries;
                } else {
                    delta = entry.counters.Minus(it->second);
                }
            }
        }
        if (delta.calls > 0 || delta.TotalMs() > 0) out.push_back({entry.key, delta});
    }
    r.evicted_entries = before.counters.size() - matched;
    return out;
}

Baseline MakeBaseline(const model::SnapshotInfo& info, const std::vector<model::StatementStats>& now) {
    Baseline b;
    b.info = info;
    b.counters.reserve(now.size());
    for (const auto& e : now) b.counters.emplace(e.key, e.counters);
    return b;
}

}  // namespace optischema::collector
