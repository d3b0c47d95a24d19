#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "model/statement_stats.hpp"

namespace optischema::collector {

using QueryInfo = model::QueryText;

/// Query texts and fingerprints by queryid, filled once per new queryid. Not thread-safe.
class QueryCatalog {
public:
    /// Fingerprints and stores texts not seen before, using `threads` workers (libpg_query is
    /// thread-safe); known queryids are left alone. Returns the queryids added.
    std::vector<std::int64_t> Add(const std::unordered_map<std::int64_t, std::string>& texts, unsigned threads = 1);
    /// Stores an already fingerprinted entry (e.g. loaded from the store).
    void Put(std::int64_t queryid, QueryInfo info);

    [[nodiscard]] const QueryInfo* Find(std::int64_t queryid) const;
    [[nodiscard]] bool Contains(std::int64_t queryid) const { return entries_.contains(queryid); }
    [[nodiscard]] std::size_t size() const { return entries_.size(); }
    [[nodiscard]] const std::unordered_map<std::int64_t, QueryInfo>& entries() const { return entries_; }

    /// The fingerprint for a text, falling back to the queryid when it does not parse
    /// (e.g. "<insufficient privilege>").
    [[nodiscard]] static QueryInfo Describe(std::int64_t queryid, const std::string& text);

private:
    std::unordered_map<std::int64_t, QueryInfo> entries_;
};

}  // namespace optischema::collector
