#include "model/statement_stats.hpp"

namespace optischema::model {

Counters& Counters::operator+=(const Counters& o) {
    calls += o.calls;
    total_exec_ms += o.total_exec_ms;
    total_plan_ms += o.total_plan_ms;
    rows += o.rows;
    shared_blks_hit += o.shared_blks_hit;
    shared_blks_read += o.shared_blks_read;
    shared_blks_dirtied += o.shared_blks_dirtied;
    shared_blks_written += o.shared_blks_written;
    temp_blks_read += o.temp_blks_read;
    temp_blks_written += o.temp_blks_written;
    blk_read_ms += o.blk_read_ms;
    blk_write_ms += o.blk_write_ms;
    return *this;
}

Counters Counters::Minus(const Counters& o) const {
    Counters d;
    d.calls = calls - o.calls;
    d.total_exec_ms = total_exec_ms - o.total_exec_ms;
    d.total_plan_ms = total_plan_ms - o.total_plan_ms;
    d.rows = rows - o.rows;
    d.shared_blks_hit = shared_blks_hit - o.shared_blks_hit;
    d.shared_blks_read = shared_blks_read - o.shared_blks_read;
    d.shared_blks_dirtied = shared_blks_dirtied - o.shared_blks_dirtied;
    d.shared_blks_written = shared_blks_written - o.shared_blks_written;
    d.temp_blks_read = temp_blks_read - o.temp_blks_read;
    d.temp_blks_written = temp_blks_written - o.temp_blks_written;
    d.blk_read_ms = blk_read_ms - o.blk_read_ms;
    d.blk_write_ms = blk_write_ms - o.blk_write_ms;
    return d;
}

bool Counters::WentBackwardsFrom(const Counters& earlier) const {
    // calls and times only grow while an entry lives; any decrease means a new incarnation.
    return calls < earlier.calls || total_exec_ms < earlier.total_exec_ms || total_plan_ms < earlier.total_plan_ms ||
           rows < earlier.rows || shared_blks_hit < earlier.shared_blks_hit ||
           shared_blks_read < earlier.shared_blks_read;
}

std::optional<double> StatementGroup::CacheHitPct() const {
    const std::int64_t touched = counters.shared_blks_hit + counters.shared_blks_read;
    if (touched <= 0) return std::nullopt;
    return 100.0 * static_cast<double>(counters.shared_blks_hit) / static_cast<double>(touched);
}

}  // namespace optischema::model
