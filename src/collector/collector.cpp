#include "collector/collector.hpp"

#include <unordered_set>

namespace optischema::collector {

Collector::Collector(StatsSource& source, QueryCatalog& catalog, unsigned fingerprint_threads)
    : source_(source), catalog_(catalog), fingerprint_threads_(fingerprint_threads) {}

Result<Collection> Collector::Collect() {
    auto info = source_.ReadInfo();
    if (!info) return tl::unexpected(info.error());
    // With an empty catalog nearly every text is needed: one read with texts beats two reads.
    const bool with_texts = catalog_.size() == 0;
    auto rows = source_.ReadStatements(with_texts);
    if (!rows) return tl::unexpected(rows.error());

    Collection c;
    c.info = *info;
    c.cumulative.reserve(rows->size());
    std::unordered_map<std::int64_t, std::string> texts;
    std::vector<std::int64_t> missing;
    std::unordered_set<std::int64_t> missing_seen;
    for (auto& row : *rows) {
        const std::int64_t queryid = row.stats.key.queryid;
        if (row.query) {
            texts.try_emplace(queryid, std::move(*row.query));
        } else if (!catalog_.Contains(queryid) && missing_seen.insert(queryid).second) {
            missing.push_back(queryid);
        }
        c.cumulative.push_back(row.stats);
    }
    if (!missing.empty()) {
        auto fetched = source_.ReadTexts(missing);
        if (!fetched) return tl::unexpected(fetched.error());
        texts.merge(*fetched);
    }
    c.new_queryids = catalog_.Add(texts, fingerprint_threads_);

    if (baseline_) c.deltas = ComputeDeltas(*baseline_, c.info, c.cumulative, &c.report);
    baseline_ = MakeBaseline(c.info, c.cumulative);
    return c;
}

}  // namespace optischema::collector
