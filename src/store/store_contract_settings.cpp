// The store contract: settings by key.
#include "store/store_contract.hpp"

namespace optischema::store::contract {
namespace {

TEST_P(StoreContract, SettingsAreKeptByKeyUntilDeleted) {
    auto none = store_->GetSetting("llm");
    ASSERT_TRUE(none);
    EXPECT_FALSE(*none);
    ASSERT_TRUE(store_->PutSetting("llm", R"({"model":"a"})"));
    ASSERT_TRUE(store_->PutSetting("llm", R"({"model":"b"})"));
    ASSERT_TRUE(store_->PutSetting("ui", "{}"));
    auto value = store_->GetSetting("llm");
    ASSERT_TRUE(value && *value);
    EXPECT_EQ(**value, R"({"model":"b"})") << "a second put replaces the first";
    ASSERT_TRUE(store_->DeleteSetting("llm"));
    auto gone = store_->GetSetting("llm");
    ASSERT_TRUE(gone);
    EXPECT_FALSE(*gone);
    auto other = store_->GetSetting("ui");
    ASSERT_TRUE(other && *other);
    ASSERT_TRUE(store_->DeleteSetting("never-set"));
}

}  // namespace
}  // namespace optischema::store::contract
