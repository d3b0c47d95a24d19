// The store contract: users, login sessions and API tokens.
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "store/store_contract.hpp"

namespace optischema::store::contract {
namespace {

TEST_P(StoreContract, UsersSessionsAndTokens) {
    auto admin = store_->CreateUser({0, "Admin", "$argon2id$hash", "admin", {}});
    ASSERT_TRUE(admin) << admin.error().message;
    auto dup = store_->CreateUser({0, "admin", "h", "viewer", {}});
    ASSERT_FALSE(dup) << "names are unique, case-insensitively";
    EXPECT_EQ(dup.error().code, ErrorCode::kInvalidArgument);
    auto found = store_->FindUser("ADMIN");
    ASSERT_TRUE(found && *found);
    EXPECT_EQ((*found)->role, "admin");
    EXPECT_EQ((*found)->username, "Admin");

    const TimePoint now = FromUnixMs(1'700'000'000'000);
    ASSERT_TRUE(store_->SaveSession({"hash-1", admin->id, "session", "", now, now + std::chrono::hours(12)}));
    ASSERT_TRUE(store_->SaveSession({"hash-2", admin->id, "api", "ci", now, std::nullopt}));
    auto live = store_->FindSession("hash-1", now + std::chrono::hours(1));
    ASSERT_TRUE(live && *live);
    EXPECT_EQ((*live)->second.username, "Admin");
    EXPECT_EQ((*live)->first.expires_at, now + std::chrono::hours(12));
    auto expired = store_->FindSession("hash-1", now + std::chrono::hours(13));
    ASSERT_TRUE(expired);
    EXPECT_FALSE(*expired) << "an expired session is not found";
    auto tokens = store_->ListApiTokens(admin->id);
    ASSERT_TRUE(tokens);
    ASSERT_EQ(tokens->size(), 1u);
    EXPECT_EQ((*tokens)[0].label, "ci");
    EXPECT_FALSE((*tokens)[0].expires_at);
    ASSERT_TRUE(store_->DeleteSession("hash-2"));
    auto gone = store_->FindSession("hash-2", now);
    ASSERT_TRUE(gone);
    EXPECT_FALSE(*gone);

    ASSERT_TRUE(store_->SaveSession({"hash-3", admin->id, "api", "ci", now, std::nullopt}));
    ASSERT_TRUE(store_->SaveSession({"hash-4", admin->id, "session", "", now, now + std::chrono::hours(12)}));
    auto other = store_->CreateUser({0, "other", "$argon2id$o", "viewer", {}});
    ASSERT_TRUE(other);
    ASSERT_TRUE(store_->SaveSession({"hash-5", other->id, "session", "", now, now + std::chrono::hours(12)}));
    ASSERT_TRUE(store_->DeleteBrowserSessions(admin->id, "hash-4"));  // the one changing the password stays
    for (const auto& [hash, kept] : std::vector<std::pair<std::string, bool>>{
             {"hash-1", false}, {"hash-4", true}, {"hash-3", true}, {"hash-5", true}}) {
        auto s = store_->FindSession(hash, now);
        ASSERT_TRUE(s);
        EXPECT_EQ(s->has_value(), kept) << hash << ": only the user's browser sessions end";
    }
    ASSERT_TRUE(store_->DeleteUser(other->id));
    ASSERT_TRUE(store_->SaveSession({"hash-1", admin->id, "session", "", now, now + std::chrono::hours(12)}));

    admin->role = "operator";
    admin->password_hash = "$argon2id$new";
    ASSERT_TRUE(store_->UpdateUser(*admin));
    auto updated = store_->FindUser("admin");
    ASSERT_TRUE(updated && *updated);
    EXPECT_EQ((*updated)->role, "operator");
    EXPECT_EQ((*updated)->password_hash, "$argon2id$new");
    ASSERT_TRUE(store_->DeleteUser(admin->id));
    auto orphan = store_->FindSession("hash-1", now);
    ASSERT_TRUE(orphan);
    EXPECT_FALSE(*orphan) << "a deleted user's sessions go with it";
    EXPECT_EQ(harness_->RawInt("SELECT count(*) FROM sessions"), 0);
    EXPECT_EQ(store_->DeleteUser(admin->id).error().code, ErrorCode::kNotFound);
    EXPECT_EQ(store_->UpdateUser(*admin).error().code, ErrorCode::kNotFound);
}

TEST_P(StoreContract, UsersAreListedByNameIgnoringCase) {
    for (const char* name : {"carol", "Bob", "alice"}) ASSERT_TRUE(store_->CreateUser({0, name, "h", "viewer", {}}));
    auto users = store_->ListUsers();
    ASSERT_TRUE(users);
    ASSERT_EQ(users->size(), 3u);
    EXPECT_EQ((*users)[0].username, "alice");
    EXPECT_EQ((*users)[1].username, "Bob");
    EXPECT_EQ((*users)[2].username, "carol");
}

}  // namespace
}  // namespace optischema::store::contract
