// Load and latency of `optischema serve`'s read endpoints (see bench/api/run.sh).
//
//   api_benchmark populate DATA_DIR [FINGERPRINTS] [SNAPSHOTS]   a target "bench" with that many distinct
//                                                               statements in each of SNAPSHOTS one-minute
//                                                               delta snapshots ending now
//   api_benchmark load PORT PATH RATE SECONDS CONNECTIONS       paced GETs: achieved rate and latency percentiles
//   api_benchmark stream PORT EVENTS                            collection time, and from a stored snapshot to its push
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/format.hpp"
#include "http_test_client.hpp"
#include "store/sqlite_store.hpp"

namespace {

using namespace optischema;
using Clock = std::chrono::steady_clock;

int Populate(const std::string& data_dir, int fingerprints, int snapshots) {
    auto store = store::SqliteStore::Open(data_dir);
    if (!store) {
        fmt::print(stderr, "{}\n", store.error().message);
        return 1;
    }
    auto target = (*store)->EnsureTarget("bench", "bench@localhost/bench");
    if (!target) return 1;
    const auto now = std::chrono::system_clock::now();
    for (int s = 0; s < snapshots; ++s) {
        store::SnapshotWrite w;
        w.snapshot.target_id = target->id;
        w.snapshot.info.taken_at = now - std::chrono::minutes(snapshots - s);
        w.snapshot.info.server_version = "15.18";
        w.snapshot.interval_ms = 60'000;
        for (int f = 0; f < fingerprints; ++f) {
            model::StatementGroup g;
            g.fingerprint = fmt::format("{:016x}", 0x1000 + f);
            g.queryids = {f + 1};
            g.query = fmt::format("SELECT c{}, c{} FROM bench_table_{:03} WHERE c{} = $1 ORDER BY c{} LIMIT $2", f % 7,
                                  (f + 1) % 7, f % 100, (f + 2) % 7, (f + 3) % 7);
            g.counters.calls = 1 + (f * 7 + s) % 50;
            g.counters.total_exec_ms = 0.05 * g.counters.calls * (1 + f % 40);
            g.counters.rows = g.counters.calls;
            g.counters.shared_blks_hit = 10 * g.counters.calls;
            w.ranking.total_ms += g.counters.TotalMs();
            w.ranking.top.push_back(std::move(g));
        }
        w.ranking.group_count = w.ranking.top.size();
        if (auto ok = (*store)->SaveSnapshot(w); !ok) {
            fmt::print(stderr, "{}\n", ok.error().message);
            return 1;
        }
    }
    fmt::print("populated {} snapshots x {} statements\n", snapshots, fingerprints);
    return 0;
}

double Percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

int Load(std::uint16_t port, const std::string& path, double rate, double seconds, int connections) {
    std::vector<std::vector<double>> latencies(connections);
    std::atomic<int> errors{0};
    {
        // Steady state: the server renders the default views once per snapshot, so only the very first
        // request after a start renders on the request path. It is timed apart.
        testing::HttpTestClient warm(port);
        const auto t = Clock::now();
        (void)warm.Get(path);
        fmt::print("{}: first request {:.1f} ms\n", path,
                   std::chrono::duration<double, std::milli>(Clock::now() - t).count());
    }
    const auto start = Clock::now() + std::chrono::milliseconds(100);
    const auto end = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
    // Each connection sends at rate / connections, at fixed times, so the offered load stays constant
    // whatever the latency (latency is measured from the intended send time: no coordinated omission).
    const auto period = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(connections / rate));
    std::vector<std::thread> threads;
    for (int c = 0; c < connections; ++c) {
        threads.emplace_back([&, c] {
            testing::HttpTestClient client(port);
            auto next = start + period * c / connections;
            while (next < end) {
                std::this_thread::sleep_until(next);
                auto r = client.Get(path);
                latencies[c].push_back(std::chrono::duration<double, std::milli>(Clock::now() - next).count());
                if (r.status != 200) ++errors;
                next += period;
            }
        });
    }
    for (auto& t : threads) t.join();
    std::vector<double> all;
    for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
    const double elapsed = std::chrono::duration<double>(end - start).count();
    fmt::print(
        "{}: {} requests in {:.1f} s = {:.0f}/s (offered {:.0f}/s), errors {}; latency p50 {:.2f} ms, "
        "p90 {:.2f} ms, p99 {:.2f} ms, max {:.2f} ms\n",
        path, all.size(), elapsed, static_cast<double>(all.size()) / elapsed, rate, errors.load(), Percentile(all, 0.5),
        Percentile(all, 0.9), Percentile(all, 0.99), Percentile(all, 1.0));
    return errors.load() == 0 ? 0 : 1;
}

int Stream(std::uint16_t port, int events) {
    testing::WebSocketTestClient ws(port, "/api/v1/stream");
    std::vector<double> delays;
    std::vector<double> collections;
    while (static_cast<int>(delays.size()) < events) {
        auto text = ws.ReadText(std::chrono::seconds(120));
        if (!text) break;
        const auto received = std::chrono::system_clock::now();
        const auto event = nlohmann::json::parse(*text);
        if (event["data"].value("kind", "") != "snapshot") continue;
        auto taken = ParseTime(event["data"]["taken_at"].get<std::string>());
        auto stored = ParseTime(event["data"]["stored_at"].get<std::string>());
        if (taken && stored) {
            collections.push_back(std::chrono::duration<double, std::milli>(*stored - *taken).count());
            delays.push_back(std::chrono::duration<double, std::milli>(received - *stored).count());
        }
    }
    fmt::print(
        "stream: {} snapshots; collection (read + store) p50 {:.1f} ms, max {:.1f} ms; from a snapshot "
        "stored to its push received: p50 {:.1f} ms, p99 {:.1f} ms, max {:.1f} ms\n",
        delays.size(), Percentile(collections, 0.5), Percentile(collections, 1.0), Percentile(delays, 0.5),
        Percentile(delays, 0.99), Percentile(delays, 1.0));
    return delays.empty() ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
    const std::vector<std::string> a(argv + 1, argv + argc);
    try {
        if (a.size() >= 2 && a[0] == "populate") {
            return Populate(a[1], a.size() > 2 ? std::stoi(a[2]) : 5000, a.size() > 3 ? std::stoi(a[3]) : 60);
        }
        if (a.size() == 6 && a[0] == "load") {
            return Load(static_cast<std::uint16_t>(std::stoi(a[1])), a[2], std::stod(a[3]), std::stod(a[4]),
                        std::stoi(a[5]));
        }
        if (a.size() == 3 && a[0] == "stream")
            return Stream(static_cast<std::uint16_t>(std::stoi(a[1])), std::stoi(a[2]));
    } catch (const std::exception& e) {
        fmt::print(stderr, "api_benchmark: {}\n", e.what());
        return 1;
    }
    fmt::print(stderr,
               "usage: api_benchmark populate DATA_DIR [N] [SNAPSHOTS] | load PORT PATH RATE SECONDS CONNS | "
               "stream PORT EVENTS\n");
    return 2;
}
