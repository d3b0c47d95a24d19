#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "pg_test_env.hpp"
#include "store/pg_claims.hpp"
#include "store/pg_store.hpp"

namespace optischema::store {
namespace {

using namespace std::chrono_literals;
using optischema::testing::ClusterDsn;
using optischema::testing::FreshDatabase;
using optischema::testing::QueryValue;

using Ids = std::vector<std::int64_t>;

/// A migrated store database; instances are opened on it with a given heartbeat interval.
class PgClaimsTest : public ::testing::Test {
protected:
    void SetUp() override {
        dsn_ = FreshDatabase("store_claims");
        auto store = PgStore::Open(dsn_);
        ASSERT_TRUE(store) << store.error().ToString();
    }

    std::unique_ptr<PgClaims> Instance(std::chrono::milliseconds heartbeat_interval = 10s) {
        auto claims = PgClaims::Open(dsn_, heartbeat_interval);
        if (!claims) throw std::runtime_error(claims.error().ToString());
        return std::move(*claims);
    }

    /// Claim locks of kLockClass that backend `pid` holds, as pg_locks shows them.
    int LocksHeldBy(int pid) {
        return std::stoi(QueryValue(dsn_, fmt::format("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                                                      "AND classid = {} AND objsubid = 2 AND granted AND pid = {}",
                                                      PgClaims::kLockClass, pid)));
    }

    /// Ends backend `pid` the way a crash or an administrator would, waiting until it is gone.
    static void Terminate(int pid) {
        ASSERT_EQ(QueryValue(ClusterDsn(), fmt::format("SELECT pg_terminate_backend({}, 5000)", pid)), "t");
    }

    static bool Claim(PgClaims& claims, std::int64_t target_id) {
        auto got = claims.TryClaim(target_id);
        if (!got) throw std::runtime_error(got.error().ToString());
        return *got;
    }

    static Ids Heartbeat(PgClaims& claims) {
        auto lost = claims.Heartbeat();
        if (!lost) throw std::runtime_error(lost.error().ToString());
        return *lost;
    }

    static int Live(PgClaims& claims) {
        auto live = claims.LiveInstances();
        if (!live) throw std::runtime_error(live.error().ToString());
        return *live;
    }

    std::string dsn_;
};

TEST_F(PgClaimsTest, ATargetClaimedByOneIsRefusedToTheOtherUntilReleased) {
    auto a = Instance();
    auto b = Instance();
    EXPECT_NE(a->Instance().id, b->Instance().id);
    EXPECT_TRUE(Claim(*a, 1));
    EXPECT_FALSE(Claim(*b, 1));
    EXPECT_TRUE(Claim(*b, 2));
    EXPECT_FALSE(Claim(*a, 2));
    EXPECT_EQ(a->Held(), Ids{1});
    EXPECT_EQ(b->Held(), Ids{2});
    EXPECT_EQ(LocksHeldBy(a->SessionPid()), 1);

    ASSERT_TRUE(a->Release(1));
    EXPECT_TRUE(a->Held().empty());
    EXPECT_EQ(LocksHeldBy(a->SessionPid()), 0);
    EXPECT_TRUE(Claim(*b, 1));
    EXPECT_FALSE(Claim(*a, 1));
    EXPECT_EQ(b->Held(), (Ids{1, 2}));
    ASSERT_TRUE(a->Release(7)) << "releasing what is not held is not an error";
    EXPECT_TRUE(Heartbeat(*a).empty());
    EXPECT_TRUE(Heartbeat(*b).empty());
}

TEST_F(PgClaimsTest, ClaimingTwiceNeedsOneRelease) {
    auto a = Instance();
    auto b = Instance();
    EXPECT_TRUE(Claim(*a, 1));
    EXPECT_TRUE(Claim(*a, 1));
    EXPECT_EQ(LocksHeldBy(a->SessionPid()), 1);
    ASSERT_TRUE(a->Release(1));
    EXPECT_TRUE(Claim(*b, 1)) << "one release gave it up, however often it was claimed";
}

TEST_F(PgClaimsTest, AKilledSessionLosesItsClaimsToThePeers) {
    auto a = Instance();
    auto b = Instance();
    ASSERT_TRUE(Claim(*a, 1));
    ASSERT_TRUE(Claim(*a, 2));
    ASSERT_TRUE(Claim(*b, 3));
    const int pid_a = a->SessionPid();
    ASSERT_EQ(LocksHeldBy(pid_a), 2);

    Terminate(pid_a);
    EXPECT_TRUE(Claim(*b, 1)) << "the dead session's lock is gone";

    EXPECT_EQ(Heartbeat(*a), (Ids{1, 2})) << "the heartbeat notices and reports every claim it held";
    EXPECT_TRUE(a->Held().empty());
    EXPECT_NE(a->SessionPid(), pid_a) << "reconnected";
    EXPECT_FALSE(Claim(*a, 1)) << "re-claiming: the peer has this one now";
    EXPECT_TRUE(Claim(*a, 2)) << "and this one is free";
    EXPECT_EQ(LocksHeldBy(a->SessionPid()), 1);
    EXPECT_TRUE(Heartbeat(*a).empty()) << "a loss is reported once";
    EXPECT_TRUE(Heartbeat(*b).empty());
    EXPECT_EQ(b->Held(), (Ids{1, 3}));
}

TEST_F(PgClaimsTest, AClaimAfterTheSessionDiedStillReportsTheEarlierLoss) {
    auto a = Instance();
    ASSERT_TRUE(Claim(*a, 1));
    Terminate(a->SessionPid());
    // The next call finds the session dead: it reconnects, claims on the new session, and remembers
    // that target 1 was lost in between.
    EXPECT_TRUE(Claim(*a, 5));
    EXPECT_EQ(a->Held(), Ids{5});
    EXPECT_EQ(Heartbeat(*a), Ids{1});
    EXPECT_EQ(a->Held(), Ids{5});
    EXPECT_EQ(LocksHeldBy(a->SessionPid()), 1);
}

TEST_F(PgClaimsTest, LiveInstancesCountsPeersWithAFreshHeartbeat) {
    constexpr auto kInterval = 500ms;  // fresh: heartbeat within 1.5 s
    auto a = Instance(kInterval);
    auto b = Instance(kInterval);
    ASSERT_TRUE(Heartbeat(*a).empty());
    ASSERT_TRUE(Heartbeat(*b).empty());
    EXPECT_EQ(Live(*a), 2);
    EXPECT_EQ(Live(*b), 2);
    EXPECT_EQ(QueryValue(dsn_, fmt::format("SELECT pid FROM optischema.instances WHERE id = '{}'", a->Instance().id)),
              std::to_string(::getpid()));

    // b stops heartbeating; a keeps going until b is no longer fresh.
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    int live = Live(*a);
    while (live != 1 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(kInterval / 5);
        ASSERT_TRUE(Heartbeat(*a).empty());
        live = Live(*a);
    }
    EXPECT_EQ(live, 1) << "b's heartbeat went stale";
    EXPECT_EQ(Live(*b), 2) << "b still sees a, and counts itself";

    ASSERT_TRUE(Heartbeat(*b).empty());
    EXPECT_EQ(Live(*a), 2) << "b is back";
    b.reset();
    EXPECT_EQ(Live(*a), 1) << "an instance that shuts down leaves at once";
}

TEST_F(PgClaimsTest, LongGoneInstancesAreForgotten) {
    constexpr auto kInterval = 20ms;  // forgotten after 10 freshness windows: 600 ms
    auto a = Instance(kInterval);
    auto b = Instance(kInterval);
    const std::string count = "SELECT count(*) FROM optischema.instances";
    ASSERT_EQ(QueryValue(dsn_, count), "2");
    const std::string b_id = b->Instance().id;
    // b vanishes without a goodbye (its row stays), as a killed process would.
    Terminate(b->SessionPid());
    b.reset();
    ASSERT_EQ(QueryValue(dsn_, count), "2");
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (QueryValue(dsn_, count) != "1" && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(100ms);
        ASSERT_TRUE(Heartbeat(*a).empty());
    }
    EXPECT_EQ(QueryValue(dsn_, fmt::format("SELECT count(*) FROM optischema.instances WHERE id = '{}'", b_id)), "0");
    EXPECT_EQ(
        QueryValue(dsn_, fmt::format("SELECT count(*) FROM optischema.instances WHERE id = '{}'", a->Instance().id)),
        "1");
}

TEST_F(PgClaimsTest, AHungPeersClaimsAreFreedOnceItIsForgotten) {
    constexpr auto kInterval = 20ms;  // forgotten after 10 freshness windows: 600 ms
    auto a = Instance(kInterval);
    auto b = Instance(kInterval);
    ASSERT_TRUE(Claim(*b, 7));
    const int pid_b = b->SessionPid();
    EXPECT_FALSE(Claim(*a, 7));
    // b hangs: its session stays connected and keeps the lock, but b heartbeats no more.
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    bool taken = false;
    while (!taken && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(100ms);
        ASSERT_TRUE(Heartbeat(*a).empty());
        taken = Claim(*a, 7);
    }
    EXPECT_TRUE(taken) << "a ended the hung peer's session and took its target";
    EXPECT_EQ(LocksHeldBy(pid_b), 0);
    EXPECT_EQ(Heartbeat(*b), Ids{7}) << "b, back, learns that it lost the claim";
    EXPECT_FALSE(Claim(*b, 7));
    EXPECT_TRUE(Heartbeat(*a).empty()) << "b heartbeats again: a leaves it alone";
    EXPECT_EQ(LocksHeldBy(a->SessionPid()), 1);
}

TEST_F(PgClaimsTest, ClaimsBelongToOneStoreDatabase) {
    const std::string other_dsn = FreshDatabase("store_claims_other");
    ASSERT_TRUE(PgStore::Open(other_dsn));
    auto a = Instance(20ms);
    auto other = PgClaims::Open(other_dsn, 20ms);
    ASSERT_TRUE(other) << other.error().ToString();
    EXPECT_TRUE(Claim(*a, 1));
    EXPECT_TRUE(Claim(**other, 1)) << "another store is another fleet";
    EXPECT_EQ(Live(*a), 1);
    // The other fleet's instance is not in this store's table, yet its session is no hung peer of a's.
    std::this_thread::sleep_for(200ms);
    ASSERT_TRUE(Heartbeat(*a).empty());
    EXPECT_EQ(LocksHeldBy((*other)->SessionPid()), 1) << "the other fleet's session still holds its claim";
    EXPECT_TRUE(Heartbeat(**other).empty()) << "the other fleet's session was left alone";
    EXPECT_EQ((*other)->Held(), Ids{1});
}

TEST_F(PgClaimsTest, RefusesTargetIdsBeyondTheLockKey) {
    auto a = Instance();
    auto got = a->TryClaim(std::int64_t{1} << 40);
    ASSERT_FALSE(got);
    EXPECT_EQ(got.error().code, ErrorCode::kInvalidArgument);
}

TEST(PgClaimsOpenTest, ADatabaseWithoutTheStoreIsRefused) {
    const std::string dsn = FreshDatabase("store_claims_bare");
    auto claims = PgClaims::Open(dsn, 10s);
    ASSERT_FALSE(claims);
    EXPECT_EQ(claims.error().code, ErrorCode::kStorage);
    EXPECT_NE(claims.error().message.find("open the store first"), std::string::npos) << claims.error().message;
}

}  // namespace
}  // namespace optischema::store
