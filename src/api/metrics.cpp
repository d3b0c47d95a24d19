#include "api/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

namespace optischema::api {

namespace {

bool IsNameStart(char c, bool colon_ok) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon_ok && c == ':');
}

bool IsValidName(std::string_view name, bool colon_ok) {
    if (name.empty() || !IsNameStart(name.front(), colon_ok)) return false;
    return std::all_of(name.begin(), name.end(),
                       [&](char c) { return IsNameStart(c, colon_ok) || (c >= '0' && c <= '9'); });
}

std::string FormatValue(double value) {
    if (std::isnan(value)) return "NaN";
    if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
    return fmt::format("{}", value);
}

std::string EscapeHelp(std::string_view help) {
    std::string out;
    for (const char c : help) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

std::string EscapeLabelValue(std::string_view value) {
    std::string out;
    for (const char c : value) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '"') {
            out += "\\\"";
        } else {
            out += c;
        }
    }
    return out;
}

// `{a="1",le="0.5"}`, or "" without labels.
std::string RenderLabels(const Labels& labels, std::string_view extra_name = {}, std::string_view extra_value = {}) {
    if (labels.empty() && extra_name.empty()) return {};
    std::string out = "{";
    bool first = true;
    for (const auto& [name, value] : labels) {
        if (!first) out += ',';
        first = false;
        out += fmt::format("{}=\"{}\"", name, EscapeLabelValue(value));
    }
    if (!extra_name.empty()) {
        if (!first) out += ',';
        out += fmt::format("{}=\"{}\"", extra_name, EscapeLabelValue(extra_value));
    }
    out += '}';
    return out;
}

}  // namespace

void Counter::Increment(double amount) {
    if (amount > 0) value_.fetch_add(amount, std::memory_order_relaxed);
}

Histogram::Histogram(std::vector<double> bounds) : bounds_(std::move(bounds)), counts_(bounds_.size() + 1, 0) {}

void Histogram::Observe(double value) {
    const auto bucket =
        static_cast<std::size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin());
    std::lock_guard lock(mutex_);
    ++counts_[bucket];
    sum_ += value;
}

Histogram::Snapshot Histogram::Read() const {
    Snapshot snapshot;
    snapshot.bounds = bounds_;
    std::lock_guard lock(mutex_);
    std::uint64_t running = 0;
    for (const auto count : counts_) {
        running += count;
        snapshot.cumulative_counts.push_back(running);
    }
    snapshot.count = running;
    snapshot.sum = sum_;
    return snapshot;
}

std::vector<double> DefaultLatencyBuckets() {
    return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0};
}

MetricsRegistry::Family& MetricsRegistry::FamilyFor(
    std::string_view name, std::string_view help, Type type, const Labels& labels, const std::vector<double>& bounds) {
    if (!IsValidName(name, true)) throw std::invalid_argument(fmt::format("invalid metric name '{}'", name));
    for (const auto& [label, value] : labels) {
        if (!IsValidName(label, false) || label.starts_with("__") || (type == Type::kHistogram && label == "le")) {
            throw std::invalid_argument(fmt::format("invalid label name '{}' on metric '{}'", label, name));
        }
    }
    if (type == Type::kHistogram) {
        if (bounds.empty() || !std::is_sorted(bounds.begin(), bounds.end()) ||
            std::adjacent_find(bounds.begin(), bounds.end()) != bounds.end() ||
            std::any_of(bounds.begin(), bounds.end(), [](double b) { return !std::isfinite(b); })) {
            throw std::invalid_argument(fmt::format("histogram '{}' needs finite, strictly ascending buckets", name));
        }
    }
    auto it = families_.find(name);
    if (it == families_.end()) {
        it = families_.emplace(std::string(name), Family{type, std::string(help), bounds, {}, {}, {}}).first;
    } else if (it->second.type != type || it->second.help != help || it->second.bounds != bounds) {
        throw std::invalid_argument(
            fmt::format("metric '{}' registered again with another type, help or buckets", name));
    }
    return it->second;
}

Counter& MetricsRegistry::GetCounter(std::string_view name, std::string_view help, const Labels& labels) {
    std::lock_guard lock(mutex_);
    auto& slot = FamilyFor(name, help, Type::kCounter, labels, {}).counters[labels];
    if (!slot) slot = std::make_unique<Counter>();
    return *slot;
}

Gauge& MetricsRegistry::GetGauge(std::string_view name, std::string_view help, const Labels& labels) {
    std::lock_guard lock(mutex_);
    auto& slot = FamilyFor(name, help, Type::kGauge, labels, {}).gauges[labels];
    if (!slot) slot = std::make_unique<Gauge>();
    return *slot;
}

Histogram& MetricsRegistry::GetHistogram(std::string_view name,
                                         std::string_view help,
                                         const std::vector<double>& bounds,
                                         const Labels& labels) {
    std::lock_guard lock(mutex_);
    auto& family = FamilyFor(name, help, Type::kHistogram, labels, bounds);
    auto& slot = family.histograms[labels];
    if (!slot) slot = std::make_unique<Histogram>(bounds);
    return *slot;
}

std::string MetricsRegistry::Render() const {
    std::string out;
    std::lock_guard lock(mutex_);
    for (const auto& [name, family] : families_) {
        const char* type = family.type == Type::kCounter ? "counter"
                           : family.type == Type::kGauge ? "gauge"
                                                         : "histogram";
        out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, EscapeHelp(family.help), name, type);
        for (const auto& [labels, counter] : family.counters) {
            out += fmt::format("{}{} {}\n", name, RenderLabels(labels), FormatValue(counter->Value()));
        }
        for (const auto& [labels, gauge] : family.gauges) {
            out += fmt::format("{}{} {}\n", name, RenderLabels(labels), FormatValue(gauge->Value()));
        }
        for (const auto& [labels, histogram] : family.histograms) {
            const auto snapshot = histogram->Read();
            for (std::size_t i = 0; i < snapshot.cumulative_counts.size(); ++i) {
                const std::string le = i < snapshot.bounds.size() ? FormatValue(snapshot.bounds[i]) : "+Inf";
                out += fmt::format("{}_bucket{} {}\n", name, RenderLabels(labels, "le", le),
                                   snapshot.cumulative_counts[i]);
            }
            out += fmt::format("{}_sum{} {}\n", name, RenderLabels(labels), FormatValue(snapshot.sum));
            out += fmt::format("{}_count{} {}\n", name, RenderLabels(labels), snapshot.count);
        }
    }
    return out;
}

}  // namespace optischema::api
