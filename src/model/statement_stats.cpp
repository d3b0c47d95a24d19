#include "model/statement_stats.hpp"

#include <limits>
#include <type_traits>

namespace optischema::model {
namespace {

// Counters come from the target's pg_stat_statements (bigint): a hostile or corrupt row may hold any
// value, and signed overflow is undefined. Integers saturate at their limits instead.
template <typename T>
T Plus(T a, T b) {
    if constexpr (std::is_integral_v<T>) {
        T r;
        if (__builtin_add_overflow(a, b, &r))
            return b > 0 ? std::numeric_limits<T>::max() : std::numeric_limits<T>::min();
        return r;
    } else {
        return a + b;
    }
}

template <typename T>
T Less(T a, T b) {
    if constexpr (std::is_integral_v<T>) {
        T r;
        if (__builtin_sub_overflow(a, b, &r))
            return b < 0 ? std::numeric_limits<T>::max() : std::numeric_limits<T>::min();
        return r;
    } else {
        return a - b;
    }
}

}  // namespace

Counters& Counters::operator+=(const Counters& o) {
    ForEachCounterField([&](auto field) { this->*field = Plus(this->*field, o.*field); });
    return *this;
}

Counters Counters::Minus(const Counters& o) const {
    Counters d;
    ForEachCounterField([&](auto field) { d.*field = Less(this->*field, o.*field); });
    return d;
}

bool Counters::WentBackwardsFrom(const Counters& earlier) const {
    // Every counter only grows while an entry lives; any decrease means a new incarnation.
    bool backwards = false;
    ForEachCounterField([&](auto field) { backwards = backwards || this->*field < earlier.*field; });
    return backwards;
}

std::optional<double> StatementGroup::CacheHitPct() const {
    const std::int64_t touched = Plus(counters.shared_blks_hit, counters.shared_blks_read);
    if (touched <= 0) return std::nullopt;
    return 100.0 * static_cast<double>(counters.shared_blks_hit) / static_cast<double>(touched);
}

}  // namespace optischema::model
