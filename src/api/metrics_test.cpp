#include "api/metrics.hpp"

#include <stdexcept>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "api/exposition_check.hpp"

namespace optischema::api {
namespace {

using testing::ExpositionProblems;

TEST(MetricsTest, RendersCountersGaugesAndHistogramsInExpositionFormat) {
    MetricsRegistry registry;
    registry.GetCounter("app_requests_total", "Requests.", {{"route", "/a/{id}"}, {"method", "GET"}}).Increment();
    registry.GetCounter("app_requests_total", "Requests.", {{"method", "GET"}, {"route", "/a/{id}"}}).Increment(2);
    registry.GetGauge("app_clients", "Clients connected.").Set(3);
    auto& latency = registry.GetHistogram("app_latency_seconds", "Latency.", {0.01, 0.1, 1}, {{"route", "/a"}});
    latency.Observe(0.005);
    latency.Observe(0.01);  // le is inclusive
    latency.Observe(0.5);
    latency.Observe(7);

    const std::string text = registry.Render();
    EXPECT_EQ(ExpositionProblems(text), "") << text;
    EXPECT_EQ(text,
              "# HELP app_clients Clients connected.\n"
              "# TYPE app_clients gauge\n"
              "app_clients 3\n"
              "# HELP app_latency_seconds Latency.\n"
              "# TYPE app_latency_seconds histogram\n"
              "app_latency_seconds_bucket{route=\"/a\",le=\"0.01\"} 2\n"
              "app_latency_seconds_bucket{route=\"/a\",le=\"0.1\"} 2\n"
              "app_latency_seconds_bucket{route=\"/a\",le=\"1\"} 3\n"
              "app_latency_seconds_bucket{route=\"/a\",le=\"+Inf\"} 4\n"
              "app_latency_seconds_sum{route=\"/a\"} 7.515\n"
              "app_latency_seconds_count{route=\"/a\"} 4\n"
              "# HELP app_requests_total Requests.\n"
              "# TYPE app_requests_total counter\n"
              "app_requests_total{method=\"GET\",route=\"/a/{id}\"} 3\n");
}

TEST(MetricsTest, EscapesLabelValuesAndHelp) {
    MetricsRegistry registry;
    registry.GetCounter("x_total", "Line one\nback\\slash", {{"path", "a\"b\\c\nd"}}).Increment();
    const std::string text = registry.Render();
    EXPECT_EQ(ExpositionProblems(text), "") << text;
    EXPECT_NE(text.find("# HELP x_total Line one\\nback\\\\slash\n"), std::string::npos) << text;
    EXPECT_NE(text.find("x_total{path=\"a\\\"b\\\\c\\nd\"} 1\n"), std::string::npos) << text;
}

TEST(MetricsTest, CountersNeverDecreaseAndGaugesDo) {
    MetricsRegistry registry;
    auto& counter = registry.GetCounter("c_total", "C.");
    counter.Increment(5);
    counter.Increment(-3);
    EXPECT_EQ(counter.Value(), 5);
    auto& gauge = registry.GetGauge("g", "G.");
    gauge.Add(5);
    gauge.Add(-7);
    EXPECT_EQ(gauge.Value(), -2);
    EXPECT_EQ(&registry.GetGauge("g", "G."), &gauge);  // the same series
}

TEST(MetricsTest, RejectsProgrammingErrors) {
    MetricsRegistry registry;
    registry.GetCounter("dup_total", "Dup.");
    EXPECT_THROW(registry.GetGauge("dup_total", "Dup."), std::invalid_argument);
    EXPECT_THROW(registry.GetCounter("dup_total", "Other help."), std::invalid_argument);
    EXPECT_THROW(registry.GetCounter("1bad", "x"), std::invalid_argument);
    EXPECT_THROW(registry.GetCounter("bad-name", "x"), std::invalid_argument);
    EXPECT_THROW(registry.GetCounter("ok_total", "x", {{"bad-label", "v"}}), std::invalid_argument);
    EXPECT_THROW(registry.GetCounter("ok_total", "x", {{"__reserved", "v"}}), std::invalid_argument);
    EXPECT_THROW(registry.GetHistogram("h", "x", {1, 0.5}), std::invalid_argument);
    EXPECT_THROW(registry.GetHistogram("h", "x", {}), std::invalid_argument);
    EXPECT_THROW(registry.GetHistogram("h2", "x", {1}, {{"le", "1"}}), std::invalid_argument);
    registry.GetHistogram("h3", "x", {1, 2});
    EXPECT_THROW(registry.GetHistogram("h3", "x", {1, 3}), std::invalid_argument);
    EXPECT_EQ(ExpositionProblems(registry.Render()), "");
}

TEST(MetricsTest, ConcurrentUpdatesAreAllCounted) {
    MetricsRegistry registry;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&registry, t] {
            for (int i = 0; i < 10000; ++i) {
                registry.GetCounter("hits_total", "Hits.", {{"thread", std::to_string(t % 2)}}).Increment();
                registry.GetHistogram("lat_seconds", "Lat.", DefaultLatencyBuckets()).Observe(0.003);
                if (i % 1000 == 0) (void)registry.Render();
            }
        });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(registry.GetCounter("hits_total", "Hits.", {{"thread", "0"}}).Value(), 20000);
    EXPECT_EQ(registry.GetCounter("hits_total", "Hits.", {{"thread", "1"}}).Value(), 20000);
    const auto snapshot = registry.GetHistogram("lat_seconds", "Lat.", DefaultLatencyBuckets()).Read();
    EXPECT_EQ(snapshot.count, 40000u);
    EXPECT_EQ(snapshot.cumulative_counts[1], 0u);      // le=0.0025
    EXPECT_EQ(snapshot.cumulative_counts[2], 40000u);  // le=0.005
    EXPECT_EQ(ExpositionProblems(registry.Render()), "");
}

TEST(MetricsTest, CheckerCatchesBrokenExposition) {
    EXPECT_NE(ExpositionProblems("x 1\n"), "");  // no TYPE
    EXPECT_NE(ExpositionProblems("# TYPE x counter\nx{a=\"1} 1\n"), "");
    EXPECT_NE(ExpositionProblems("# TYPE x counter\nx one\n"), "");
    EXPECT_NE(ExpositionProblems("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"2\"} 1\n"
                                 "h_bucket{le=\"+Inf\"} 2\nh_count 2\n"),
              "");
    EXPECT_NE(ExpositionProblems("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_count 2\n"), "");
}

}  // namespace
}  // namespace optischema::api
