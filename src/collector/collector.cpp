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
    // A queryid has a top-level entry and, with track = all, nested ones whose text is the statement
    // around them (e.g. OptiSchema's own EXPLAIN of the user's query). The top-level text names the
    // statement; each kind of entry is OptiSchema's own or not by its own text.
    auto take = [&](std::int64_t queryid, bool toplevel, std::string text) {
        if (!toplevel) catalog_.SetNestedOwn(queryid, QueryCatalog::IsOwnText(text));
        if (toplevel) {
            texts.insert_or_assign(queryid, std::move(text));
        } else {
            texts.try_emplace(queryid, std::move(text));
        }
    };
    std::vector<std::int64_t> missing;
    std::unordered_set<std::int64_t> missing_seen;
    for (auto& row : *rows) {
        const std::int64_t queryid = row.stats.key.queryid;
        if (row.query) {
            take(queryid, row.stats.key.toplevel, std::move(*row.query));
        } else if ((!catalog_.Contains(queryid) || (!row.stats.key.toplevel && !catalog_.NestedKnown(queryid))) &&
                   missing_seen.insert(queryid).second) {
            missing.push_back(queryid);
        }
        c.cumulative.push_back(row.stats);
    }
    if (!missing.empty()) {
        auto fetched = source_.ReadTexts(missing);
        if (!fetched) return tl::unexpected(fetched.error());
        for (auto& t : *fetched) take(t.queryid, t.toplevel, std::move(t.text));
    }
    c.new_queryids = catalog_.Add(texts, fingerprint_threads_);

    if (baseline_) c.deltas = ComputeDeltas(*baseline_, c.info, c.cumulative, &c.report);
    baseline_ = MakeBaseline(c.info, c.cumulative);
    return c;
}

}  // namespace optischema::collector
