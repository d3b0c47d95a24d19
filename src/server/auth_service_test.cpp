// AuthService's API tokens and the deletion of ended credentials, on a real SQLite store in a scratch
// directory and a clock the test moves.
#include "server/auth_service.hpp"

#include <cstdlib>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "store/sqlite_store.hpp"

namespace optischema::server {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using api::AuthMethod;
using api::Principal;
using api::Role;

class MovableClock final : public Clock {
public:
    [[nodiscard]] TimePoint Now() const override { return now_; }
    void Advance(std::chrono::system_clock::duration by) { now_ += by; }

private:
    TimePoint now_ = FromUnixMs(1'800'000'000'000);
};

class AuthServiceTest : public ::testing::Test {
protected:
    AuthServiceTest() {
        std::string pattern = (fs::temp_directory_path() / "optischema_auth_test.XXXXXX").string();
        if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        dir_ = pattern;
        auto store = store::SqliteStore::Open(dir_.string());
        if (!store) throw std::runtime_error(store.error().message);
        pool_ = std::make_unique<store::StorePool>(std::unique_ptr<store::Store>(std::move(*store)));
        auth_ = std::make_unique<AuthService>(*pool_, clock_, AuthService::Options{});
        for (const auto& [name, role] : {std::pair{"ada", "admin"}, {"otto", "operator"}, {"vera", "viewer"}}) {
            if (!auth_->CreateUser(name, "a-long-password", role)) throw std::runtime_error("cannot create user");
        }
    }
    ~AuthServiceTest() override {
        auth_.reset();
        pool_.reset();
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }

    static Principal Session(const std::string& name, Role role) { return Principal{name, role, AuthMethod::kCookie}; }

    // Who a request with `Authorization: Bearer token` is.
    Result<std::optional<Principal>> WithBearer(const std::string& token) {
        api::HttpRequest request;
        request.headers.Set("Authorization", "Bearer " + token);
        return auth_->Authenticate(request);
    }

    std::string Create(const Principal& who, const std::string& role, std::optional<TimePoint> expires_at = {}) {
        auto created = auth_->CreateApiToken(who, {"ci", role, expires_at});
        if (!created) throw std::runtime_error(created.error().message);
        return created->token;
    }

    store::ApiTokenRecord Listed(const std::string& token) {
        auto all = auth_->ListApiTokens(Session("ada", Role::kAdmin));
        if (!all) throw std::runtime_error(all.error().message);
        for (const auto& t : *all) {
            if (token.find(t.id) != std::string::npos) return t;
        }
        throw std::runtime_error("token not listed");
    }

    fs::path dir_;
    MovableClock clock_;
    std::unique_ptr<store::StorePool> pool_;
    std::unique_ptr<AuthService> auth_;
};

TEST_F(AuthServiceTest, ATokenActsWithItsRoleForItsOwnerAndNotesItsUseOnceAMinute) {
    const std::string token = Create(Session("otto", Role::kOperator), "operator");
    auto who = WithBearer(token);
    ASSERT_TRUE(who && *who) << (who ? "no principal" : who.error().message);
    EXPECT_EQ((*who)->username, "otto");
    EXPECT_EQ((*who)->role, Role::kOperator);
    EXPECT_EQ((*who)->method, AuthMethod::kBearer);
    EXPECT_TRUE(token.find((*who)->token_id) != std::string::npos);
    const auto first_use = Listed(token).last_used_at;
    EXPECT_EQ(first_use, clock_.Now());

    clock_.Advance(30s);
    ASSERT_TRUE(WithBearer(token));
    EXPECT_EQ(Listed(token).last_used_at, first_use) << "not written again within a minute";
    clock_.Advance(31s);
    ASSERT_TRUE(WithBearer(token));
    EXPECT_EQ(Listed(token).last_used_at, clock_.Now());
}

TEST_F(AuthServiceTest, NoTokenAboveItsCreatorsRoleNorFromAnotherToken) {
    auto above = auth_->CreateApiToken(Session("vera", Role::kViewer), {"x", "operator"});
    ASSERT_FALSE(above);
    EXPECT_EQ(above.error().code, ErrorCode::kForbidden);
    EXPECT_NE(above.error().message.find("you are viewer"), std::string::npos) << above.error().message;
    // The role in the store counts, not the one the request claims.
    EXPECT_FALSE(auth_->CreateApiToken(Session("vera", Role::kAdmin), {"x", "admin"}));
    auto never = auth_->CreateApiToken(Session("otto", Role::kOperator), {"x", "viewer", std::nullopt, true});
    ASSERT_FALSE(never);
    EXPECT_EQ(never.error().code, ErrorCode::kForbidden);
    auto by_token = auth_->CreateApiToken(Principal{"ada", Role::kAdmin, AuthMethod::kBearer, "x"}, {"x", "viewer"});
    ASSERT_FALSE(by_token);
    EXPECT_EQ(by_token.error().code, ErrorCode::kForbidden);
    auto past = auth_->CreateApiToken(Session("otto", Role::kOperator), {"x", "viewer", clock_.Now() - 1s});
    ASSERT_FALSE(past);
    EXPECT_EQ(past.error().code, ErrorCode::kInvalidArgument);
    EXPECT_FALSE(auth_->CreateApiToken(Session("otto", Role::kOperator), {"", "viewer"}));
    EXPECT_FALSE(auth_->CreateApiToken(Session("otto", Role::kOperator), {"a\nb", "viewer"}));
    EXPECT_FALSE(auth_->CreateApiToken(Session("otto", Role::kOperator), {"x", "root"}));

    auto forever = auth_->CreateApiToken(Session("ada", Role::kAdmin), {"backup", "admin", std::nullopt, true});
    ASSERT_TRUE(forever) << forever.error().message;
    EXPECT_FALSE(forever->record.expires_at);
    auto by_default = auth_->CreateApiToken(Session("vera", Role::kViewer), {"grafana", ""});
    ASSERT_TRUE(by_default);
    EXPECT_EQ(by_default->record.role, "viewer");
    EXPECT_EQ(by_default->record.expires_at, clock_.Now() + std::chrono::hours(24 * 90));
}

TEST_F(AuthServiceTest, RevokedExpiredAndUnknownTokensAreRefusedWithTheReason) {
    const std::string revoked = Create(Session("otto", Role::kOperator), "viewer");
    const std::string expiring = Create(Session("otto", Role::kOperator), "viewer", clock_.Now() + 1h);
    auto gone = auth_->RevokeApiToken(Session("otto", Role::kOperator), Listed(revoked).id);
    ASSERT_TRUE(gone) << gone.error().message;
    auto refused = WithBearer(revoked);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::kUnauthenticated);
    EXPECT_NE(refused.error().message.find("was revoked at"), std::string::npos) << refused.error().message;
    EXPECT_EQ(refused.error().message.find(revoked), std::string::npos) << "the message never repeats the secret";

    ASSERT_TRUE(WithBearer(expiring));
    clock_.Advance(1h);
    auto expired = WithBearer(expiring);
    ASSERT_FALSE(expired);
    EXPECT_EQ(expired.error().code, ErrorCode::kUnauthenticated);
    EXPECT_NE(expired.error().message.find("expired at"), std::string::npos) << expired.error().message;

    std::string mistyped = Create(Session("otto", Role::kOperator), "viewer");
    mistyped.back() = mistyped.back() == 'a' ? 'b' : 'a';
    auto wrong = WithBearer(mistyped);
    ASSERT_FALSE(wrong);
    EXPECT_NE(wrong.error().message.find("not valid"), std::string::npos) << wrong.error().message;
    auto not_ours = WithBearer("ghp_something");
    ASSERT_FALSE(not_ours);
    EXPECT_NE(not_ours.error().message.find("osk_"), std::string::npos) << not_ours.error().message;
}

TEST_F(AuthServiceTest, AnOwnersDemotionOrRemovalReachesTheirTokens) {
    const std::string token = Create(Session("otto", Role::kOperator), "operator");
    api::HttpRequest by;
    auto users = pool_->With([](store::Store& s) { return s.ListUsers(); });
    ASSERT_TRUE(users);
    const auto otto = std::find_if(users->begin(), users->end(), [](const auto& u) { return u.username == "otto"; });
    ASSERT_TRUE(auth_->UpdateUser(otto->id, "viewer", "", by));
    auto demoted = WithBearer(token);
    ASSERT_TRUE(demoted && *demoted);
    EXPECT_EQ((*demoted)->role, Role::kViewer) << "never above the owner's role of now";
    ASSERT_TRUE(auth_->DeleteUser(otto->id));
    auto removed = WithBearer(token);
    ASSERT_FALSE(removed);
    EXPECT_EQ(removed.error().code, ErrorCode::kUnauthenticated);
}

TEST_F(AuthServiceTest, OwnersSeeAndRevokeTheirOwnAdminsEveryones) {
    const std::string ottos = Create(Session("otto", Role::kOperator), "viewer");
    const std::string veras = Create(Session("vera", Role::kViewer), "viewer");
    auto own = auth_->ListApiTokens(Session("vera", Role::kViewer));
    ASSERT_TRUE(own);
    ASSERT_EQ(own->size(), 1u);
    EXPECT_EQ((*own)[0].owner, "vera");
    auto all = auth_->ListApiTokens(Session("ada", Role::kAdmin));
    ASSERT_TRUE(all);
    EXPECT_EQ(all->size(), 2u);

    auto foreign = auth_->RevokeApiToken(Session("vera", Role::kViewer), Listed(ottos).id);
    ASSERT_FALSE(foreign);
    EXPECT_EQ(foreign.error().code, ErrorCode::kNotFound);
    ASSERT_TRUE(WithBearer(ottos)) << "still valid";
    ASSERT_TRUE(auth_->RevokeApiToken(Session("ada", Role::kAdmin), Listed(ottos).id));
    EXPECT_FALSE(WithBearer(ottos));
    EXPECT_TRUE(WithBearer(veras));
}

TEST_F(AuthServiceTest, EndedCredentialsAreDeletedAfterTheirTime) {
    api::HttpRequest login;
    login.body = R"({"username": "vera", "password": "a-long-password"})";
    ASSERT_EQ(auth_->Login(login).status, 200);
    const std::string token = Create(Session("otto", Role::kOperator), "viewer", clock_.Now() + 24h);
    const std::string id = Listed(token).id;

    clock_.Advance(13h);  // the session (12 h) has expired, the token (24 h) not
    auto purged = auth_->DeleteEndedCredentials();
    ASSERT_TRUE(purged) << purged.error().message;
    EXPECT_EQ(purged->sessions, 1);
    EXPECT_EQ(purged->api_tokens, 0);

    clock_.Advance(24h);  // expired, still listed so its owner sees why it stopped working
    purged = auth_->DeleteEndedCredentials();
    ASSERT_TRUE(purged);
    EXPECT_EQ(purged->api_tokens, 0);
    EXPECT_NO_THROW(Listed(token));
    clock_.Advance(std::chrono::hours(24 * 30));
    purged = auth_->DeleteEndedCredentials();
    ASSERT_TRUE(purged);
    EXPECT_EQ(purged->api_tokens, 1);
    EXPECT_THROW(Listed(token), std::runtime_error);
}

}  // namespace
}  // namespace optischema::server
