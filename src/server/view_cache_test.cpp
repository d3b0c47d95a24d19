#include "server/view_cache.hpp"

#include <gtest/gtest.h>

namespace optischema::server {
namespace {

TEST(ViewCacheTest, RendersOncePerSnapshotAndForgetsStaleViews) {
    ViewCache cache;
    int renders = 0;
    auto render = [&]() -> Result<std::string> { return "body " + std::to_string(++renders); };
    EXPECT_EQ(cache.GetOrRender(1, "statements", render), "body 1");
    EXPECT_EQ(cache.GetOrRender(1, "statements", render), "body 1") << "served from the cache";
    EXPECT_EQ(cache.GetOrRender(2, "statements", render), "body 2");
    cache.Invalidate(1);
    EXPECT_EQ(cache.Size(), 1u) << "target 1's views are gone, target 2's stay";
    EXPECT_EQ(cache.GetOrRender(1, "statements", render), "body 3");
    EXPECT_EQ(cache.GetOrRender(2, "statements", render), "body 2");
}

TEST(ViewCacheTest, KeepsAtMostItsLimitWhateverTheSearches) {
    ViewCache cache(std::chrono::seconds(30), 3);
    int renders = 0;
    auto render = [&]() -> Result<std::string> { return "body " + std::to_string(++renders); };
    for (int i = 0; i < 100; ++i) ASSERT_TRUE(cache.GetOrRender(1, "search=" + std::to_string(i), render));
    EXPECT_EQ(cache.Size(), 3u);
    EXPECT_EQ(cache.GetOrRender(1, "search=0", render), "body 1") << "the first views are kept";
    EXPECT_EQ(cache.GetOrRender(1, "search=99", render), "body 101") << "past the limit: rendered, not kept";
    cache.Refresh(1, "search=1", render);
    EXPECT_EQ(cache.GetOrRender(1, "search=1", render), "body 102") << "a kept view is replaced";
    cache.Invalidate(1);
    EXPECT_EQ(cache.Size(), 0u);
    EXPECT_EQ(cache.GetOrRender(1, "search=99", render), "body 103");
    EXPECT_EQ(cache.GetOrRender(1, "search=99", render), "body 103") << "room again after the snapshot";
}

TEST(ViewCacheTest, AFailedRenderIsNotKept) {
    ViewCache cache;
    auto fail = []() -> Result<std::string> { return MakeError(ErrorCode::kStorage, "store down"); };
    EXPECT_FALSE(cache.GetOrRender(1, "overview", fail));
    EXPECT_EQ(cache.Size(), 0u);
    EXPECT_EQ(cache.GetOrRender(1, "overview", []() -> Result<std::string> { return std::string("ok"); }), "ok");
}

}  // namespace
}  // namespace optischema::server
