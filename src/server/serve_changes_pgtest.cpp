// Changes through `optischema serve`: validations and an apply at once, and an apply cancelled from the API.
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "common/clock.hpp"
#include "common/format.hpp"
#include "pg/connection.hpp"
#include "pg_test_env.hpp"
#include "serve_fixture.hpp"

namespace optischema::server {
namespace {

using namespace optischema::testing;
using namespace std::chrono_literals;

// Two validations and an apply at once through the server. The validations share one managed cluster,
// and neither stops it under the other; the apply, held up by a writer's open transaction, is cancelled
// from the API: audited as cancelled, with no index (valid or INVALID) left behind.
TEST_F(ServeTest, TwoValidationsAndAnApplyAtOnceAndTheApplyIsCancelledFromTheApi) {
    const std::string dsn = FreshDatabase("serve_concurrent");
    std::string setup;
    for (const char* t : {"t1", "t2", "t3"}) {
        setup += fmt::format(
            "CREATE TABLE {0} (id int PRIMARY KEY, k int NOT NULL, pad text);"
            "INSERT INTO {0} SELECT g, g % 20000, repeat('x', 40) FROM generate_series(1, 100000) g;",
            t);
    }
    RunSql(dsn, setup + "ANALYZE");
    for (int i = 0; i < 3; ++i) {
        RunSql(dsn, fmt::format("SELECT * FROM t1 WHERE k = {0}; SELECT * FROM t2 WHERE k = {0};"
                                "SELECT * FROM t3 WHERE k = {0}",
                                i + 7));
    }
    Server server({"--target", "shop=" + dsn, "--interval", "60"});
    auto advised = server.Call("POST", "/api/v1/targets/1/advise");
    ASSERT_EQ(advised.status, 200) << advised.body;
    std::map<std::string, std::string> by_table;  // table -> recommendation id
    const Json advice = Json::parse(advised.body);
    for (const auto& r : advice["recommendations"]) by_table[r["table"]] = r["id"];
    ASSERT_EQ(by_table.size(), 3u) << "one index per table: " << advised.body;

    // A writer holds t3: CREATE INDEX CONCURRENTLY waits for it (up to its 5 s lock timeout).
    auto writer = pg::Connection::Open(dsn);
    ASSERT_TRUE(writer) << writer.error().message;
    ASSERT_TRUE(writer->ExecuteAll({"BEGIN", "LOCK TABLE public.t3 IN ROW EXCLUSIVE MODE"}));

    HttpTestResponse validated[2];
    std::thread validations[2];
    for (int i = 0; i < 2; ++i) {
        const std::string path = "/api/v1/recommendations/" + by_table[i == 0 ? "t1" : "t2"] + "/validate";
        validations[i] =
            std::thread([&server, &validated, i, path] { validated[i] = server.Call("POST", path, "{}"); });
    }
    const std::string apply = "/api/v1/recommendations/" + by_table["t3"] + "/apply";
    HttpTestResponse applied;
    std::thread applying([&] { applied = server.Call("POST", apply, "{}"); });
    // Cancel once the build waits for the writer (the text is "CREATE /* optischema */ INDEX ...").
    const std::string build_waits =
        "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%CREATE%INDEX CONCURRENTLY%' AND wait_event_type = "
        "'Lock'";
    bool waiting = false;
    for (int i = 0; i < 200 && !waiting; ++i) {
        std::this_thread::sleep_for(20ms);
        waiting = QueryValue(dsn, build_waits) == "1";
    }
    if (!waiting) {
        const std::string activity =
            QueryValue(dsn,
                       "SELECT string_agg(coalesce(wait_event_type, '-') || ' ' || left(query, 60), ' | ') FROM "
                       "pg_stat_activity WHERE backend_type = 'client backend'");
        (void)writer->Execute("ROLLBACK");
        applying.join();
        for (auto& t : validations) t.join();
        FAIL() << "the apply's build does not wait for the writer: " << activity << "; apply: " << applied.status << " "
               << applied.body;
    }
    EXPECT_EQ(server.Call("POST", apply, "{}").status, 409) << "a second apply of the same recommendation";
    auto cancelled = server.Call("POST", apply + "/cancel", "{}");
    EXPECT_EQ(cancelled.status, 202) << cancelled.body;
    // Once the build is cancelled, the writer ends, so the INVALID index the build left can be dropped.
    for (int i = 0; i < 200 && QueryValue(dsn, build_waits) != "0"; ++i) std::this_thread::sleep_for(20ms);
    (void)writer->Execute("ROLLBACK");
    applying.join();
    EXPECT_NE(applied.status, 200) << applied.body;
    EXPECT_NE(applied.body.find("cancelled"), std::string::npos) << applied.body;
    EXPECT_EQ(server.Call("POST", apply + "/cancel", "{}").status, 404) << "nothing runs any more";
    EXPECT_EQ(QueryValue(dsn,
                         "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
                         "WHERE c.relname = 't3' AND NOT i.indisprimary"),
              "0")
        << "no index, valid or INVALID, is left on t3";

    for (auto& t : validations) t.join();
    for (const auto& v : validated) {
        ASSERT_EQ(v.status, 200) << v.body;
        EXPECT_EQ(Json::parse(v.body)["verdict"], "improved") << v.body;
    }
    // The three ran at once: each validation's interval overlaps the apply's.
    const Json events = server.GetJson("/api/v1/audit")["events"];
    struct Interval {
        double start_ms = 0;
        double end_ms = 0;
    };
    std::vector<Interval> validate_runs;
    std::optional<Interval> apply_run;
    for (const auto& e : events) {
        const auto at = ParseTime(e["at"].get<std::string>());
        ASSERT_TRUE(at.has_value()) << e.dump();
        const double end_ms = static_cast<double>(ToUnixMs(*at));
        const Interval run{end_ms - e["duration_ms"].get<double>(), end_ms};
        if (e["action"] == "validate") validate_runs.push_back(run);
        if (e["action"] == "apply") {
            EXPECT_EQ(e["outcome"], "cancelled") << e.dump();
            apply_run = run;
        }
    }
    ASSERT_EQ(validate_runs.size(), 2u) << events.dump(2);
    ASSERT_TRUE(apply_run.has_value()) << events.dump(2);
    for (const auto& v : validate_runs) {
        EXPECT_LT(v.start_ms, apply_run->end_ms + 1);
        EXPECT_GT(v.end_ms + 1, apply_run->start_ms);
    }
}

}  // namespace
}  // namespace optischema::server
