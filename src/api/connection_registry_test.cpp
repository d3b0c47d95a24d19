#include "api/connection_registry.hpp"

#include <chrono>
#include <future>
#include <memory>
#include <string>

#include <gtest/gtest.h>

namespace optischema::api {
namespace {

using namespace std::chrono_literals;

TEST(ConnectionRegistryTest, LiveListsOnlyConnectionsStillAlive) {
    ConnectionRegistry<std::string> registry;
    auto one = std::make_shared<std::string>("one");
    auto two = std::make_shared<std::string>("two");
    const auto one_id = registry.Add(one);
    const auto two_id = registry.Add(two);
    EXPECT_NE(one_id, two_id);
    EXPECT_EQ(registry.size(), 2u);
    two.reset();  // destroyed, not yet removed (its destructor is still running, say)
    const auto live = registry.Live();
    ASSERT_EQ(live.size(), 1u);
    EXPECT_EQ(*live[0], "one");
    EXPECT_EQ(registry.size(), 2u) << "a connection counts until it removes itself";
    registry.Remove(two_id);
    registry.Remove(two_id);  // an unknown id is ignored
    EXPECT_EQ(registry.size(), 1u);
}

TEST(ConnectionRegistryTest, WaitUntilEmptyReturnsOnceTheLastConnectionIsRemoved) {
    ConnectionRegistry<std::string> registry;
    EXPECT_TRUE(registry.WaitUntilEmpty(0ms)) << "nothing registered";
    auto connection = std::make_shared<std::string>("c");
    const auto id = registry.Add(connection);
    EXPECT_FALSE(registry.WaitUntilEmpty(20ms)) << "still registered";
    auto waiting = std::async(std::launch::async, [&registry] { return registry.WaitUntilEmpty(10s); });
    registry.Remove(id);
    EXPECT_TRUE(waiting.get());
}

}  // namespace
}  // namespace optischema::api
