#include "store/target_claims.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

namespace optischema::store {
namespace {

TEST(FairShareTest, IsTheCeilingOfTargetsPerInstance) {
    EXPECT_EQ(FairShare(10, 3), 4u);
    EXPECT_EQ(FairShare(9, 3), 3u);
    EXPECT_EQ(FairShare(1, 2), 1u);
    EXPECT_EQ(FairShare(5, 10), 1u) << "more instances than targets: one each, some idle";
    EXPECT_EQ(FairShare(7, 1), 7u);
    EXPECT_EQ(FairShare(0, 3), 0u);
}

TEST(FairShareTest, NoLiveInstanceCountsAsOne) {
    // The caller itself is alive even when the count failed or came back empty.
    EXPECT_EQ(FairShare(7, 0), 7u);
    EXPECT_EQ(FairShare(7, -2), 7u);
}

TEST(FairShareTest, SharesCoverEveryTarget) {
    for (std::size_t targets = 0; targets <= 50; ++targets) {
        for (int instances = 1; instances <= 12; ++instances) {
            const std::size_t share = FairShare(targets, instances);
            EXPECT_GE(share * static_cast<std::size_t>(instances), targets) << targets << " / " << instances;
            if (share > 0) {
                EXPECT_LT((share - 1) * static_cast<std::size_t>(instances), targets)
                    << "the share is the smallest that covers: " << targets << " / " << instances;
            }
        }
    }
}

TEST(LocalClaimsTest, EveryClaimSucceedsAndThereIsOneInstance) {
    LocalClaims claims;
    auto first = claims.TryClaim(1);
    ASSERT_TRUE(first);
    EXPECT_TRUE(*first);
    auto again = claims.TryClaim(1);
    ASSERT_TRUE(again);
    EXPECT_TRUE(*again);
    ASSERT_TRUE(claims.TryClaim(2));
    EXPECT_EQ(claims.Held(), (std::vector<std::int64_t>{1, 2}));
    ASSERT_TRUE(claims.Release(1));
    ASSERT_TRUE(claims.Release(99)) << "releasing what is not held is not an error";
    EXPECT_EQ(claims.Held(), (std::vector<std::int64_t>{2}));
    auto lost = claims.Heartbeat();
    ASSERT_TRUE(lost);
    EXPECT_TRUE(lost->empty());
    auto live = claims.LiveInstances();
    ASSERT_TRUE(live);
    EXPECT_EQ(*live, 1);
}

TEST(InstanceInfoTest, NamesHostAndPidAndIdsDiffer) {
    const InstanceInfo a = NewInstanceInfo();
    const InstanceInfo b = NewInstanceInfo();
    EXPECT_EQ(a.id.size(), 16u);
    EXPECT_NE(a.id, b.id);
    const std::string pid_suffix = ":" + std::to_string(::getpid());
    ASSERT_GT(a.name.size(), pid_suffix.size());
    EXPECT_EQ(a.name.substr(a.name.size() - pid_suffix.size()), pid_suffix);
}

}  // namespace
}  // namespace optischema::store
