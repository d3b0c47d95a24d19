#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "guard/gate.hpp"

namespace optischema::guard {

/// Why a pg_catalog function may not be planned or run, or nullopt when it may. `volatility` is
/// pg_proc.provolatile ('i', 's' or 'v').
[[nodiscard]] std::optional<std::string> BuiltinRefusal(std::string_view name, char volatility, Use use);

}  // namespace optischema::guard
