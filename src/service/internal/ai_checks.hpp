#pragma once

// Internal to service/: what the checks of AI suggestions (ai_verification.cpp, ai_rewrite_checks.cpp,
// ai_index_checks.cpp) share.

#include <string>
#include <string_view>

#include "common/error.hpp"
#include "guard/gate.hpp"
#include "model/plan.hpp"
#include "pg/connection.hpp"

namespace optischema::service {

/// The server's message without the "[in: <sql>]" that pg/ appends (the suggestion is shown anyway),
/// with its SQLSTATE.
[[nodiscard]] std::string ServerMessage(const Error& e);

/// True when the error says the statement itself is wrong (unknown names, type errors, unsupported
/// syntax), false when the check could not run (connection, timeout, privileges).
[[nodiscard]] bool StatementIsWrong(const Error& e);

/// `sql` trimmed, without its trailing semicolons.
[[nodiscard]] std::string WithoutTrailingSemicolons(std::string_view sql);

/// A planner cost as shown in a reason: whole above 100, thousands separated.
[[nodiscard]] std::string FormatCost(double cost);

/// EXPLAIN without ANALYZE of a statement the gate cleared, inside a read-only transaction: planned, never run.
[[nodiscard]] Result<model::Plan> PlanReadOnly(pg::Connection& conn, const std::string& sql, const guard::Allowlist& allow);

}  // namespace optischema::service
