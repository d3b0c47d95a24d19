#include "collector/query_catalog.hpp"

#include <algorithm>
#include <thread>

#include <fmt/format.h>

#include "common/identity.hpp"
#include "common/strings.hpp"
#include "sqlparse/sqlparse.hpp"

namespace optischema::collector {
QueryInfo QueryCatalog::Describe(std::int64_t queryid, const std::string& text) {
    QueryInfo info;
    info.text = text;
    info.own = IsOwnText(text);
    auto fp = sqlparse::Fingerprint(text);
    info.fingerprint = fp ? *fp : fmt::format("{:016x}", static_cast<std::uint64_t>(queryid));
    return info;
}

bool QueryCatalog::IsOwnText(std::string_view text) { return IsTaggedText(text); }

bool QueryCatalog::IsOwn(std::int64_t queryid, bool toplevel) const {
    if (!toplevel) {
        if (auto it = nested_own_.find(queryid); it != nested_own_.end()) return it->second;
    }
    const QueryInfo* info = Find(queryid);
    return info != nullptr && info->own;
}

void QueryCatalog::Put(std::int64_t queryid, QueryInfo info) { entries_.insert_or_assign(queryid, std::move(info)); }

const QueryInfo* QueryCatalog::Find(std::int64_t queryid) const {
    auto it = entries_.find(queryid);
    return it == entries_.end() ? nullptr : &it->second;
}

std::vector<std::int64_t> QueryCatalog::Add(const std::unordered_map<std::int64_t, std::string>& texts,
                                            unsigned threads) {
    std::vector<std::pair<std::int64_t, const std::string*>> todo;
    for (const auto& [queryid, text] : texts) {
        if (!entries_.contains(queryid)) todo.emplace_back(queryid, &text);
    }
    std::vector<QueryInfo> done(todo.size());
    // Fingerprinting is the CPU cost of a first collection (~25 µs a statement); split it across workers.
    const std::size_t workers = std::clamp<std::size_t>(threads, 1, std::max<std::size_t>(1, todo.size() / 256));
    auto work = [&](std::size_t first, std::size_t step) {
        for (std::size_t i = first; i < todo.size(); i += step) done[i] = Describe(todo[i].first, *todo[i].second);
    };
    std::vector<std::thread> pool;
    for (std::size_t w = 1; w < workers; ++w) pool.emplace_back(work, w, workers);
    work(0, workers);
    for (auto& t : pool) t.join();
    std::vector<std::int64_t> added;
    added.reserve(todo.size());
    for (std::size_t i = 0; i < todo.size(); ++i) {
        entries_.emplace(todo[i].first, std::move(done[i]));
        added.push_back(todo[i].first);
    }
    return added;
}

}  // namespace optischema::collector
