#include "model/statement_stats.hpp"

namespace optischema::model {

Counters& Counters::operator+=(const Counters& o) {
    ForEachCounterField([&](auto field) { this->*field += o.*field; });
    return *this;
}

Counters Counters::Minus(const Counters& o) const {
    Counters d;
    ForEachCounterField([&](auto field) { d.*field = this->*field - o.*field; });
    return d;
}

bool Counters::WentBackwardsFrom(const Counters& earlier) const {
    // Every counter only grows while an entry lives; any decrease means a new incarnation.
    bool backwards = false;
    ForEachCounterField([&](auto field) { backwards = backwards || this->*field < earlier.*field; });
    return backwards;
}

std::optional<double> StatementGroup::CacheHitPct() const {
    const std::int64_t touched = counters.shared_blks_hit + counters.shared_blks_read;
    if (touched <= 0) return std::nullopt;
    return 100.0 * static_cast<double>(counters.shared_blks_hit) / static_cast<double>(touched);
}

}  // namespace optischema::model
