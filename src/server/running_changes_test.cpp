#include "server/running_changes.hpp"

#include <gtest/gtest.h>

namespace optischema::server {
namespace {

TEST(RunningChangesTest, OneChangeAtATimePerKeyAndCancelReachesIt) {
    RunningChanges changes;
    EXPECT_FALSE(changes.Cancel("idx-1")) << "nothing runs yet";
    {
        const RunningChanges::Handle first = changes.Start("idx-1");
        ASSERT_TRUE(first);
        EXPECT_FALSE(changes.Start("idx-1")) << "a second change of the same key is refused while the first runs";
        const RunningChanges::Handle other = changes.Start("idx-2");
        EXPECT_TRUE(other) << "another key runs beside it";
        EXPECT_FALSE(first.cancel()->load());
        EXPECT_TRUE(changes.Cancel("idx-1"));
        EXPECT_TRUE(first.cancel()->load());
        EXPECT_FALSE(other.cancel()->load()) << "only the named change is cancelled";
    }
    EXPECT_FALSE(changes.Cancel("idx-1")) << "a finished change is gone";
    const RunningChanges::Handle again = changes.Start("idx-1");
    ASSERT_TRUE(again) << "and the key may run again";
    EXPECT_FALSE(again.cancel()->load()) << "with a fresh cancel flag";
}

}  // namespace
}  // namespace optischema::server
