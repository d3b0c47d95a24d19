// The store contract's hourly workload and its raw sums, shared by the contract's range tests and the
// stores' own migration tests. The contract's tests are in store_contract_*.cpp, one file per concern.
#include "store/store_contract.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <stdexcept>

#include <fmt/format.h>

namespace optischema::store::contract {

using model::Counters;
using model::StatementGroup;

std::vector<SnapshotWrite> SaveHourlyWorkload(Store& store, std::int64_t target_id, int seed) {
    const long long base = kWorkloadStartMs;
    std::vector<std::pair<long long, std::optional<std::int64_t>>> times;
    for (int k = 0; k <= 38; ++k) times.emplace_back(base - 1'800'000 + seed * 60'000LL + k * 600'000LL, 600'000);
    for (int h = 1; h <= 5; ++h) {
        for (long long d : {-1LL, 0LL, 1LL}) times.emplace_back(base + h * kHourMs + d, 1'000);
    }
    times.emplace_back(base + 3 * kHourMs + 5, 4);
    times.emplace_back(base + 2 * kHourMs + 1'000'000, std::nullopt);  // cumulative: never summed
    std::vector<SnapshotWrite> writes;
    for (std::size_t n = 0; n < times.size(); ++n) {
        const auto i = static_cast<std::int64_t>(n);
        const auto [taken_at_ms, interval_ms] = times[n];
        std::vector<StatementGroup> top;
        for (std::int64_t f = 0; f < 6; ++f) {
            // Fingerprint 5 copies 4's numbers: the two always tie and are ordered by fingerprint.
            const std::int64_t c = f == 5 ? 4 : f;
            if ((i + c + seed) % 4 == 0) continue;
            static constexpr const char* kVariants[] = {"-- a", "-- B", "-- \u00e9"};  // bytewise: B < a < é
            StatementGroup g;
            g.fingerprint = fmt::format("{:016x}", (f + 1) * 0x1111111);
            g.queryids = {f + 1, f + 100};
            g.query = fmt::format("SELECT {} {}", f, kVariants[(i * 2 + f + seed) % 3]);
            // Multiples of 1/16 or more: every sum of them is exact, in any order.
            g.counters = Counters{.calls = (i * 7 + c * 3 + seed) % 11 + 1,
                                  .total_exec_ms = 0.125 * static_cast<double>((i * 5 + c * 13 + seed * 3) % 37 + 1),
                                  .total_plan_ms = 0.5 * static_cast<double>((i + c) % 3),
                                  .rows = ((i * 7 + c * 3 + seed) % 11 + 1) * (c + 1),
                                  .shared_blks_hit = (i * 31 + c * 17) % 101,
                                  .shared_blks_read = (i + c) % 5,
                                  .shared_blks_dirtied = i % 3,
                                  .shared_blks_written = c % 2,
                                  .temp_blks_read = (i * c) % 4,
                                  .temp_blks_written = (i + 2 * c) % 3,
                                  .blk_read_ms = 0.25 * static_cast<double>(i % 4),
                                  .blk_write_ms = 0.0625 * static_cast<double>((i + c) % 5)};
            if (!interval_ms) g.counters = Counters{.calls = 1'000'000, .total_exec_ms = 1e5, .rows = 7};
            top.push_back(std::move(g));
        }
        std::optional<StatementGroup> other;
        if (n % 3 == 0) other = Group("other", {}, "12 other statements", 999, 5000.0);
        SnapshotWrite w = Write(target_id, taken_at_ms, interval_ms, std::move(top), std::move(other));
        auto id = store.SaveSnapshot(w);
        if (!id) throw std::runtime_error(id.error().ToString());
        writes.push_back(std::move(w));
    }
    return writes;
}

std::vector<StatementGroup> RawRange(const std::vector<SnapshotWrite>& writes,
                                     std::int64_t target_id,
                                     long long from_ms,
                                     long long to_ms,
                                     std::size_t limit) {
    std::map<std::string, std::pair<StatementGroup, double>> sums;  // with the sum of total times
    for (const auto& w : writes) {
        const long long t = ToUnixMs(w.snapshot.info.taken_at);
        if (w.snapshot.target_id != target_id || !w.snapshot.interval_ms || t < from_ms || t > to_ms) continue;
        for (const auto& g : w.ranking.top) {
            auto [it, fresh] = sums.try_emplace(g.fingerprint);
            StatementGroup& sum = it->second.first;
            if (fresh) {
                sum.fingerprint = g.fingerprint;
                sum.query = g.query;
            }
            sum.query = std::max(sum.query, g.query);
            model::ForEachCounterField([&](auto field) { sum.counters.*field += g.counters.*field; });
            it->second.second += g.counters.total_exec_ms + g.counters.total_plan_ms;
        }
    }
    std::vector<std::pair<StatementGroup, double>> ranked;
    for (auto& [fingerprint, sum] : sums) ranked.push_back(std::move(sum));
    std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    std::vector<StatementGroup> out;
    for (auto& [g, total] : ranked) {
        if (out.size() >= limit) break;
        out.push_back(std::move(g));
    }
    return out;
}

std::vector<long long> WorkloadInstants() {
    const long long base = kWorkloadStartMs;
    return {base - kHourMs - 1,
            base - 1'800'000 + 1,
            base - 1,
            base,
            base + 1,
            base + 1'234'567,
            base + kHourMs - 1,
            base + kHourMs,
            base + kHourMs + 1,
            base + 2 * kHourMs + 1'000'000,
            base + 2 * kHourMs + 1'800'000,
            base + 3 * kHourMs - 1,
            base + 3 * kHourMs,
            base + 3 * kHourMs + 5,
            base + 4 * kHourMs + 1,
            base + 5 * kHourMs - 1,
            base + 5 * kHourMs,
            base + 6 * kHourMs - 1,
            base + 6 * kHourMs + 1,
            base + 8 * kHourMs};
}

namespace {

// One line per group, every number in its shortest exact form: equal texts are equal results.
std::string Dump(const std::vector<StatementGroup>& groups) {
    std::string out;
    for (const auto& g : groups) {
        out += fmt::format("{} [{}]", g.fingerprint, g.query);
        model::ForEachCounterField([&](auto field) { out += fmt::format(" {}", g.counters.*field); });
        out += '\n';
    }
    return out;
}

}  // namespace

void ExpectRangesExact(Store& store, const std::vector<SnapshotWrite>& writes, std::int64_t target_id) {
    int failures = 0;
    std::size_t nonempty = 0;
    const auto instants = WorkloadInstants();
    for (long long from : instants) {
        for (long long to : instants) {
            for (std::size_t limit : {std::numeric_limits<std::size_t>::max(), std::size_t{3}}) {
                auto got = store.RangeGroups(target_id, FromUnixMs(from), FromUnixMs(to), limit);
                if (!got) {
                    ADD_FAILURE() << "RangeGroups failed: " << got.error().ToString();
                    return;
                }
                const auto expected = RawRange(writes, target_id, from, to, limit);
                nonempty += expected.empty() ? 0 : 1;
                if (Dump(*got) != Dump(expected)) {
                    ADD_FAILURE() << fmt::format("target {}, range [{}, {}] (start + {} ms, start + {} ms), limit {}",
                                                 target_id, from, to, from - kWorkloadStartMs, to - kWorkloadStartMs,
                                                 limit)
                                  << "\ngot:\n"
                                  << Dump(*got) << "expected:\n"
                                  << Dump(expected);
                    if (++failures == 3) return;
                }
            }
        }
    }
    EXPECT_GT(nonempty, instants.size()) << "the ranges should mostly hold snapshots";
    const long long first = instants.front();
    const long long last = instants.back();
    for (std::size_t limit : {std::size_t{0}, std::size_t{1}, std::size_t{6}}) {
        auto got = store.RangeGroups(target_id, FromUnixMs(first), FromUnixMs(last), limit);
        ASSERT_TRUE(got) << got.error().ToString();
        EXPECT_EQ(Dump(*got), Dump(RawRange(writes, target_id, first, last, limit))) << "limit " << limit;
        EXPECT_EQ(got->size(), limit) << "the workload has 6 fingerprints";
    }
}

TwoWorkloads SaveTwoHourlyWorkloads(Store& store) {
    auto a = store.EnsureTarget("a", "host=a");
    auto b = store.EnsureTarget("b", "host=b");
    if (!a || !b) throw std::runtime_error("cannot create the targets a and b");
    TwoWorkloads out;
    out.a = a->id;
    out.b = b->id;
    out.writes_a = SaveHourlyWorkload(store, out.a, 0);
    out.writes_b = SaveHourlyWorkload(store, out.b, 1);
    return out;
}

void ExpectRebuiltRollupsExact(Store& store, TwoWorkloads& workloads) {
    ExpectRangesExact(store, workloads.writes_a, workloads.a);
    ExpectRangesExact(store, workloads.writes_b, workloads.b);
    // New snapshots add to the backfilled hours.
    const long long t = kWorkloadStartMs + 2 * kHourMs + 7;
    SnapshotWrite more = Write(workloads.a, t, 1'000, {Group(kFpA, {1}, "SELECT 1", 5, 2.5)});
    ASSERT_TRUE(store.SaveSnapshot(more));
    workloads.writes_a.push_back(more);
    ExpectRangesExact(store, workloads.writes_a, workloads.a);
}

}  // namespace optischema::store::contract
