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

TEST(ViewCacheTest, KeepsAtMostItsLimitAndDisplacesTheLeastRecentlyUsed) {
    ViewCache cache(std::chrono::seconds(30), 3);
    int renders = 0;
    auto render = [&]() -> Result<std::string> { return "body " + std::to_string(++renders); };
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(cache.GetOrRender(1, "search=" + std::to_string(i), render));
    EXPECT_EQ(cache.GetOrRender(1, "search=0", render), "body 1") << "used again: now the most recent";
    EXPECT_EQ(cache.GetOrRender(1, "search=3", render), "body 4");
    EXPECT_EQ(cache.Size(), 3u);
    EXPECT_EQ(cache.GetOrRender(1, "search=0", render), "body 1") << "kept";
    EXPECT_EQ(cache.GetOrRender(1, "search=3", render), "body 4") << "kept in place of search=1";
    EXPECT_EQ(cache.GetOrRender(1, "search=1", render), "body 5") << "displaced, rendered again";
    cache.Invalidate(1);
    EXPECT_EQ(cache.Size(), 0u);
}

TEST(ViewCacheTest, AFloodOfSearchesNeverDisplacesTheViewsRenderedAhead) {
    ViewCache cache(std::chrono::seconds(30), 3);
    int renders = 0;
    auto render = [&]() -> Result<std::string> { return "body " + std::to_string(++renders); };
    cache.Refresh(1, "statements", render);
    cache.Refresh(2, "statements", render);
    for (int i = 0; i < 100; ++i) ASSERT_TRUE(cache.GetOrRender(9'999, "search=" + std::to_string(i), render));
    EXPECT_EQ(cache.Size(), 3u);
    EXPECT_EQ(cache.GetOrRender(1, "statements", render), "body 1");
    EXPECT_EQ(cache.GetOrRender(2, "statements", render), "body 2");
    EXPECT_EQ(cache.GetOrRender(9'999, "search=99", render), "body 102") << "the last search holds the free place";
    // A view rendered ahead stays pinned when a request renders it again (after max age).
    ViewCache aging(std::chrono::milliseconds(0), 1);
    aging.Refresh(1, "statements", render);
    ASSERT_TRUE(aging.GetOrRender(1, "statements", render));
    ASSERT_TRUE(aging.GetOrRender(1, "search=x", render));
    EXPECT_EQ(aging.Size(), 1u);
    const std::string next = "body " + std::to_string(renders + 1);
    EXPECT_EQ(aging.GetOrRender(1, "search=x", render), next) << "not kept: the only place is pinned";
}

TEST(ViewCacheTest, KeepsAtMostItsBytesWhateverTheNumberOfViews) {
    ViewCache cache(std::chrono::seconds(30), 1000, 10000);
    const auto body = [](char c) { return [c]() -> Result<std::string> { return std::string(3000, c); }; };
    int renders = 0;
    const auto counted = [&]() -> Result<std::string> {
        ++renders;
        return std::string(3000, 'x');
    };
    ASSERT_TRUE(cache.GetOrRender(1, "a", counted));
    ASSERT_TRUE(cache.GetOrRender(1, "b", body('b')));
    ASSERT_TRUE(cache.GetOrRender(1, "c", body('c')));
    EXPECT_EQ(cache.Size(), 3u);
    EXPECT_EQ(cache.Bytes(), 9003u);
    // A fourth would pass 10,000 bytes: the least recently used ("a") makes room.
    ASSERT_TRUE(cache.GetOrRender(1, "d", body('d')));
    EXPECT_EQ(cache.Size(), 3u);
    EXPECT_LE(cache.Bytes(), 10000u);
    ASSERT_TRUE(cache.GetOrRender(1, "a", counted));
    EXPECT_EQ(renders, 2) << "a was displaced";
    // A view larger than the whole budget is served, not kept; long search keys count too.
    auto huge = cache.GetOrRender(1, "huge", [] { return Result<std::string>(std::string(20000, 'h')); });
    ASSERT_TRUE(huge);
    EXPECT_EQ(huge->size(), 20000u);
    EXPECT_LE(cache.Bytes(), 10000u);
    ASSERT_TRUE(cache.GetOrRender(1, std::string(9990, 'k'), body('k')));
    EXPECT_LE(cache.Bytes(), 10000u);
    cache.Invalidate(1);
    EXPECT_EQ(cache.Bytes(), 0u);
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
