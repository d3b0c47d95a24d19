#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/error.hpp"
#include "model/statement_stats.hpp"

namespace optischema::collector {

/// One pg_stat_statements entry and, when asked for, its query text.
struct StatementRow {
    model::StatementStats stats;
    std::optional<std::string> query;
};

/// The text of one entry: a queryid has a top-level entry and, with track = all, nested ones whose
/// text is the statement around them (a function's body, or OptiSchema's own EXPLAIN of it).
struct EntryText {
    std::int64_t queryid = 0;
    bool toplevel = true;
    std::string text;
};

/// Where pg_stat_statements readings come from: the server in production, recorded rows in tests.
class StatsSource {
public:
    virtual ~StatsSource() = default;
    /// Server version, time of the last pg_stat_statements reset and evictions since then.
    [[nodiscard]] virtual Result<model::SnapshotInfo> ReadInfo() = 0;
    /// Every visible entry's counters; texts only when with_texts (reading them costs ~2.5x).
    [[nodiscard]] virtual Result<std::vector<StatementRow>> ReadStatements(bool with_texts) = 0;
    /// The texts of every entry (top-level and nested) of the given queryids.
    [[nodiscard]] virtual Result<std::vector<EntryText>> ReadTexts(std::span<const std::int64_t> queryids) = 0;
};

}  // namespace optischema::collector
