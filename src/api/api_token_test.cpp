#include "api/api_token.hpp"

#include <set>
#include <string>

#include <gtest/gtest.h>

#include "api/auth.hpp"

namespace optischema::api {
namespace {

TEST(ApiTokenTest, MintedTokensAreRecognisableUniqueAndFoundByTheirId) {
    std::set<std::string> ids;
    std::set<std::string> tokens;
    for (int i = 0; i < 200; ++i) {
        const MintedApiToken minted = MintApiToken();
        EXPECT_TRUE(minted.token.starts_with("osk_")) << minted.token;
        EXPECT_EQ(minted.token.size(), 4u + 16 + 1 + 43);
        EXPECT_EQ(ApiTokenId(minted.token), minted.id);
        EXPECT_EQ(minted.secret_hash, TokenHash(minted.token));
        EXPECT_EQ(minted.token.find(minted.secret_hash), std::string::npos);
        EXPECT_TRUE(ApiTokenMatches(minted.token, minted.secret_hash));
        ids.insert(minted.id);
        tokens.insert(minted.token);
    }
    EXPECT_EQ(ids.size(), 200u);
    EXPECT_EQ(tokens.size(), 200u);
}

TEST(ApiTokenTest, OnlyTheExactTokenMatchesItsHash) {
    const MintedApiToken minted = MintApiToken();
    std::string altered = minted.token;
    altered.back() = altered.back() == 'A' ? 'B' : 'A';
    EXPECT_EQ(ApiTokenId(altered), minted.id) << "the same id, another secret";
    EXPECT_FALSE(ApiTokenMatches(altered, minted.secret_hash));
    EXPECT_FALSE(ApiTokenMatches(minted.token, MintApiToken().secret_hash));
    EXPECT_FALSE(ApiTokenMatches(minted.token, ""));
}

TEST(ApiTokenTest, TextsNotShapedAsATokenHaveNoId) {
    const std::string token = MintApiToken().token;
    EXPECT_FALSE(ApiTokenId(""));
    EXPECT_FALSE(ApiTokenId("osk_"));
    EXPECT_FALSE(ApiTokenId(NewToken())) << "a session token is not an API token";
    EXPECT_FALSE(ApiTokenId(token.substr(0, token.size() - 1)));
    EXPECT_FALSE(ApiTokenId(token + "x"));
    EXPECT_FALSE(ApiTokenId("OSK_" + token.substr(4)));
    std::string upper_id = token;
    upper_id[4] = 'G';
    EXPECT_FALSE(ApiTokenId(upper_id));
    std::string no_separator = token;
    no_separator[20] = 'x';
    EXPECT_FALSE(ApiTokenId(no_separator));
    std::string bad_secret = token;
    bad_secret[30] = '=';
    EXPECT_FALSE(ApiTokenId(bad_secret));
}

}  // namespace
}  // namespace optischema::api
