#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace optischema::api {

/// The Content-Type of the Prometheus text exposition format.
inline constexpr std::string_view kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

/// Label name → value. Order does not matter; names must match [a-zA-Z_][a-zA-Z0-9_]*.
using Labels = std::map<std::string, std::string>;

/// A monotonically increasing value. Thread-safe, lock-free.
class Counter {
public:
    /// Adds `amount` (negative amounts are ignored: a counter never goes down).
    void Increment(double amount = 1.0);
    [[nodiscard]] double Value() const { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<double> value_{0.0};
};

/// A value that goes up and down. Thread-safe, lock-free.
class Gauge {
public:
    void Set(double value) { value_.store(value, std::memory_order_relaxed); }
    void Add(double amount) { value_.fetch_add(amount, std::memory_order_relaxed); }
    [[nodiscard]] double Value() const { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<double> value_{0.0};
};

/// A distribution over fixed upper bounds (plus +Inf). Thread-safe.
class Histogram {
public:
    /// `bounds` must be sorted ascending; the registry checks.
    explicit Histogram(std::vector<double> bounds);
    void Observe(double value);

    struct Snapshot {
        std::vector<double> bounds;
        std::vector<std::uint64_t> cumulative_counts;  // one per bound, then +Inf
        double sum = 0.0;
        std::uint64_t count = 0;
    };
    /// A consistent copy: the +Inf bucket always equals count.
    [[nodiscard]] Snapshot Read() const;

private:
    mutable std::mutex mutex_;
    std::vector<double> bounds_;
    std::vector<std::uint64_t> counts_;  // per bucket, not cumulative; last is +Inf
    double sum_ = 0.0;
};

/// Default latency buckets in seconds, 1 ms to 10 s.
[[nodiscard]] std::vector<double> DefaultLatencyBuckets();

/// A registry of metric families rendered in the Prometheus text format. Thread-safe. Returned
/// references stay valid for the registry's lifetime, so hot paths look a metric up once and keep it.
/// Invalid names, a family registered again with another type, help or buckets, and unsorted buckets
/// are programming errors: they throw std::invalid_argument.
class MetricsRegistry {
public:
    Counter& GetCounter(std::string_view name, std::string_view help, const Labels& labels = {});
    Gauge& GetGauge(std::string_view name, std::string_view help, const Labels& labels = {});
    Histogram& GetHistogram(std::string_view name,
                            std::string_view help,
                            const std::vector<double>& bounds,
                            const Labels& labels = {});

    /// Every family in text exposition format 0.0.4, families and series sorted.
    [[nodiscard]] std::string Render() const;

private:
    enum class Type { kCounter, kGauge, kHistogram };
    struct Family {
        Type type;
        std::string help;
        std::vector<double> bounds;
        std::map<Labels, std::unique_ptr<Counter>> counters;
        std::map<Labels, std::unique_ptr<Gauge>> gauges;
        std::map<Labels, std::unique_ptr<Histogram>> histograms;
    };
    Family& FamilyFor(std::string_view name,
                      std::string_view help,
                      Type type,
                      const Labels& labels,
                      const std::vector<double>& bounds);

    mutable std::mutex mutex_;
    std::map<std::string, Family, std::less<>> families_;
};

}  // namespace optischema::api
