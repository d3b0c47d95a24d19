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

    /// Records whether the nested entries of a queryid (track = all) are OptiSchema's own: their
    /// text is the statement around them, e.g. OptiSchema's EXPLAIN of a user's query.
    void SetNestedOwn(std::int64_t queryid, bool own) { nested_own_.insert_or_assign(queryid, own); }
    [[nodiscard]] bool NestedKnown(std::int64_t queryid) const { return nested_own_.contains(queryid); }
    /// Whether an entry is OptiSchema's own work: by its top-level text, or for a nested entry by its
    /// own text when known.
    [[nodiscard]] bool IsOwn(std::int64_t queryid, bool toplevel) const;

    [[nodiscard]] const QueryInfo* Find(std::int64_t queryid) const;
    [[nodiscard]] bool Contains(std::int64_t queryid) const { return entries_.contains(queryid); }
    [[nodiscard]] std::size_t size() const { return entries_.size(); }
    [[nodiscard]] const std::unordered_map<std::int64_t, QueryInfo>& entries() const { return entries_; }

    /// The fingerprint for a text, falling back to the queryid when it does not parse
    /// (e.g. "<insufficient privilege>").
    [[nodiscard]] static QueryInfo Describe(std::int64_t queryid, const std::string& text);
    /// True for a text OptiSchema sent (it starts with the statement tag).
    [[nodiscard]] static bool IsOwnText(std::string_view text);

private:
    std::unordered_map<std::int64_t, QueryInfo> entries_;
    std::unordered_map<std::int64_t, bool> nested_own_;
};

}  // namespace optischema::collector
