// The store contract: users, login sessions and API tokens.
#include <algorithm>
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
    ASSERT_TRUE(store_->SaveSession({"hash-2", admin->id, "session", "", now, now + std::chrono::hours(12)}));
    auto live = store_->FindSession("hash-1", now + std::chrono::hours(1));
    ASSERT_TRUE(live && *live);
    EXPECT_EQ((*live)->second.username, "Admin");
    EXPECT_EQ((*live)->first.expires_at, now + std::chrono::hours(12));
    auto expired = store_->FindSession("hash-1", now + std::chrono::hours(13));
    ASSERT_TRUE(expired);
    EXPECT_FALSE(*expired) << "an expired session is not found";
    ASSERT_TRUE(store_->DeleteSession("hash-2"));
    auto gone = store_->FindSession("hash-2", now);
    ASSERT_TRUE(gone);
    EXPECT_FALSE(*gone);

    ASSERT_TRUE(store_->CreateApiToken({"tok3", "ci", admin->id, "", "viewer", "hash-3", now, std::nullopt}));
    ASSERT_TRUE(store_->SaveSession({"hash-4", admin->id, "session", "", now, now + std::chrono::hours(12)}));
    auto other = store_->CreateUser({0, "other", "$argon2id$o", "viewer", {}});
    ASSERT_TRUE(other);
    ASSERT_TRUE(store_->SaveSession({"hash-5", other->id, "session", "", now, now + std::chrono::hours(12)}));
    ASSERT_TRUE(store_->DeleteBrowserSessions(admin->id, "hash-4"));  // the one changing the password stays
    for (const auto& [hash, kept] :
         std::vector<std::pair<std::string, bool>>{{"hash-1", false}, {"hash-4", true}, {"hash-5", true}}) {
        auto s = store_->FindSession(hash, now);
        ASSERT_TRUE(s);
        EXPECT_EQ(s->has_value(), kept) << hash << ": only the user's browser sessions end";
    }
    auto token = store_->FindApiToken("tok3");
    ASSERT_TRUE(token && *token);
    EXPECT_FALSE((*token)->first.revoked_at) << "API tokens outlive a new password";
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
    auto orphan_token = store_->FindApiToken("tok3");
    ASSERT_TRUE(orphan_token);
    EXPECT_FALSE(*orphan_token) << "a deleted user's API tokens go with it";
    EXPECT_EQ(harness_->RawInt("SELECT count(*) FROM api_tokens"), 0);
    EXPECT_EQ(store_->DeleteUser(admin->id).error().code, ErrorCode::kNotFound);
    EXPECT_EQ(store_->UpdateUser(*admin).error().code, ErrorCode::kNotFound);
}

TEST_P(StoreContract, ApiTokensAreFoundByIdRevokedAndListedPerOwner) {
    auto ann = store_->CreateUser({0, "ann", "h", "operator", {}});
    auto bob = store_->CreateUser({0, "bob", "h", "admin", {}});
    ASSERT_TRUE(ann && bob);
    const TimePoint t0 = FromUnixMs(1'700'000'000'000);
    const ApiTokenRecord ci{"id-ci", "ci", ann->id, "", "operator", "hash-ci", t0, t0 + std::chrono::hours(24 * 90)};
    ASSERT_TRUE(store_->CreateApiToken(ci));
    ASSERT_TRUE(store_->CreateApiToken(
        {"id-graf", "grafana", ann->id, "", "viewer", "hash-graf", t0 + std::chrono::seconds(1), std::nullopt}));
    ASSERT_TRUE(store_->CreateApiToken(
        {"id-bob", "backup", bob->id, "", "admin", "hash-bob", t0 + std::chrono::seconds(2), std::nullopt}));
    auto taken = store_->CreateApiToken({"id-ci", "again", bob->id, "", "viewer", "x", t0, std::nullopt});
    ASSERT_FALSE(taken) << "ids are unique";
    EXPECT_EQ(taken.error().code, ErrorCode::kInvalidArgument);
    auto orphan = store_->CreateApiToken({"id-x", "x", 999'999, "", "viewer", "x", t0, std::nullopt});
    ASSERT_FALSE(orphan) << "a token belongs to an existing user";
    EXPECT_EQ(orphan.error().code, ErrorCode::kInvalidArgument);

    auto found = store_->FindApiToken("id-ci");
    ASSERT_TRUE(found && *found);
    const auto& [token, owner] = **found;
    EXPECT_EQ(token.name, "ci");
    EXPECT_EQ(token.owner, "ann");
    EXPECT_EQ(token.role, "operator");
    EXPECT_EQ(token.secret_hash, "hash-ci");
    EXPECT_EQ(token.created_at, t0);
    EXPECT_EQ(token.expires_at, t0 + std::chrono::hours(24 * 90));
    EXPECT_FALSE(token.last_used_at);
    EXPECT_FALSE(token.revoked_at);
    EXPECT_EQ(owner.username, "ann");
    EXPECT_EQ(owner.role, "operator");
    auto unknown = store_->FindApiToken("id-nope");
    ASSERT_TRUE(unknown);
    EXPECT_FALSE(*unknown);

    auto anns = store_->ListApiTokens(ann->id);
    ASSERT_TRUE(anns);
    ASSERT_EQ(anns->size(), 2u);
    EXPECT_EQ((*anns)[0].id, "id-graf") << "newest first";
    EXPECT_EQ((*anns)[1].id, "id-ci");
    auto all = store_->ListApiTokens(std::nullopt);
    ASSERT_TRUE(all);
    ASSERT_EQ(all->size(), 3u);
    EXPECT_EQ((*all)[0].owner, "bob");

    ASSERT_TRUE(store_->TouchApiToken("id-ci", t0 + std::chrono::minutes(5)));
    ASSERT_TRUE(store_->RevokeApiToken("id-ci", t0 + std::chrono::hours(1)));
    ASSERT_TRUE(store_->RevokeApiToken("id-ci", t0 + std::chrono::hours(2)));
    EXPECT_EQ(store_->RevokeApiToken("id-nope", t0).error().code, ErrorCode::kNotFound);
    auto revoked = store_->FindApiToken("id-ci");
    ASSERT_TRUE(revoked && *revoked);
    EXPECT_EQ((*revoked)->first.last_used_at, t0 + std::chrono::minutes(5));
    EXPECT_EQ((*revoked)->first.revoked_at, t0 + std::chrono::hours(1)) << "a second revocation keeps the first time";
}

TEST_P(StoreContract, EndedCredentialsAreDeleted) {
    auto ann = store_->CreateUser({0, "ann", "h", "admin", {}});
    ASSERT_TRUE(ann);
    const TimePoint now = FromUnixMs(1'700'000'000'000);
    const auto day = std::chrono::hours(24);
    ASSERT_TRUE(store_->SaveSession({"s-expired", ann->id, "session", "", now - day, now - std::chrono::seconds(1)}));
    ASSERT_TRUE(store_->SaveSession({"s-live", ann->id, "session", "", now, now + std::chrono::hours(12)}));
    const TimePoint cutoff = now - 30 * day;
    // Ended long ago, ended recently, live, never expiring.
    ASSERT_TRUE(
        store_->CreateApiToken({"t-old-exp", "a", ann->id, "", "viewer", "h1", now - 200 * day, now - 31 * day}));
    ApiTokenRecord old_revoked{"t-old-rev", "b", ann->id, "", "viewer", "h2", now - 200 * day, now + 100 * day};
    old_revoked.revoked_at = now - 40 * day;
    ASSERT_TRUE(store_->CreateApiToken(old_revoked));
    ASSERT_TRUE(
        store_->CreateApiToken({"t-new-exp", "c", ann->id, "", "viewer", "h3", now - 100 * day, now - 2 * day}));
    ApiTokenRecord new_revoked{"t-new-rev", "d", ann->id, "", "viewer", "h4", now - 100 * day, std::nullopt};
    new_revoked.revoked_at = now - day;
    ASSERT_TRUE(store_->CreateApiToken(new_revoked));
    ASSERT_TRUE(store_->CreateApiToken({"t-live", "e", ann->id, "", "viewer", "h5", now - day, now + day}));
    ASSERT_TRUE(store_->CreateApiToken({"t-never", "f", ann->id, "", "viewer", "h6", now - 400 * day, std::nullopt}));

    auto purged = store_->DeleteEndedCredentials(now, cutoff);
    ASSERT_TRUE(purged) << purged.error().message;
    EXPECT_EQ(purged->sessions, 1);
    EXPECT_EQ(purged->api_tokens, 2);
    EXPECT_EQ(harness_->RawInt("SELECT count(*) FROM sessions WHERE token_hash = 's-live'"), 1);
    auto left = store_->ListApiTokens(ann->id);
    ASSERT_TRUE(left);
    std::vector<std::string> ids;
    for (const auto& t : *left) ids.push_back(t.id);
    std::sort(ids.begin(), ids.end());
    EXPECT_EQ(ids, (std::vector<std::string>{"t-live", "t-never", "t-new-exp", "t-new-rev"}));
    auto again = store_->DeleteEndedCredentials(now, cutoff);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->sessions + again->api_tokens, 0);
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
