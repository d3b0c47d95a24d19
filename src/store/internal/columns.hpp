#pragma once

// Internal to store/: the column lists both stores select, in the order read_records.hpp reads them.
// The tables have the same columns in SQLite and PostgreSQL (see the migrations).

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <tuple>

#include <fmt/format.h>

#include "model/statement_stats.hpp"

namespace optischema::store::detail {

/// How many columns a list of this header holds.
[[nodiscard]] constexpr int ColumnCount(std::string_view columns) {
    int n = columns.empty() ? 0 : 1;
    for (char c : columns) n += c == ',' ? 1 : 0;
    return n;
}

inline constexpr std::string_view kTargetColumns =
    "id, name, dsn_display, created_at_ms, dsn_secret, interval_s, production, source";
inline constexpr std::string_view kSnapshotColumns =
    "id, target_id, taken_at_ms, server_version, stats_reset_ms, dealloc, interval_ms, full_reset, total_ms, "
    "group_count";
inline constexpr std::string_view kBaselineColumns = "taken_at_ms, server_version, stats_reset_ms, dealloc";
inline constexpr std::string_view kQueryTextColumns = "queryid, fingerprint, text, own";
inline constexpr std::string_view kLatencyColumns = "target_id, at_ms, connect_ms, p50_ms, p95_ms, error";
inline constexpr std::string_view kRecommendationColumns =
    "id, target_id, kind, title, sql, rollback_sql, evidence_json, validation_json, created_at_ms, updated_at_ms";
inline constexpr std::string_view kAuditColumns =
    "id, at_ms, actor, target, action, sql, outcome, error, duration_ms, detail_json, related_id";
inline constexpr std::string_view kUserColumns = "id, username, password_hash, role, created_at_ms";
inline constexpr std::string_view kSessionColumns = "token_hash, user_id, kind, label, created_at_ms, expires_at_ms";
/// Of api_tokens t joined with users u (the owner's name).
inline constexpr std::string_view kApiTokenColumns =
    "t.id, t.name, t.user_id, u.username, t.role, t.secret_hash, t.created_at_ms, t.expires_at_ms, "
    "t.last_used_at_ms, t.revoked_at_ms";

/// The counter columns, in kCounterFields order.
inline constexpr std::array<std::string_view, 12> kCounterNames = {
    "calls",           "total_exec_ms",     "total_plan_ms",       "rows",
    "shared_blks_hit", "shared_blks_read",  "shared_blks_dirtied", "shared_blks_written",
    "temp_blks_read",  "temp_blks_written", "blk_read_ms",         "blk_write_ms"};
static_assert(kCounterNames.size() == std::tuple_size_v<decltype(model::kCounterFields)>);

/// "calls, total_exec_ms, ..." with an optional table alias ("g.").
inline std::string CounterColumns(std::string_view prefix = "") {
    std::string out;
    for (std::string_view name : kCounterNames) out += fmt::format("{}{}{}", out.empty() ? "" : ", ", prefix, name);
    return out;
}

/// A column list of this header with every column qualified by `prefix` ("s.").
inline std::string Qualified(std::string_view columns, std::string_view prefix) {
    std::string out;
    for (std::size_t start = 0; start <= columns.size();) {
        std::size_t end = columns.find(", ", start);
        if (end == std::string_view::npos) end = columns.size();
        out += fmt::format("{}{}{}", out.empty() ? "" : ", ", prefix, columns.substr(start, end - start));
        start = end + 2;
    }
    return out;
}

}  // namespace optischema::store::detail
