#include "api/auth.hpp"

#include <filesystem>
#include <fstream>
#include <set>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

namespace optischema::api {
namespace {

namespace fs = std::filesystem;

class ScratchDir {
public:
    ScratchDir() {
        path_ = fs::temp_directory_path() /
                ("optischema-auth-test-" + std::to_string(::getpid()) + "-" + NewToken().substr(0, 8));
        fs::create_directories(path_);
    }
    ~ScratchDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    [[nodiscard]] const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

class FakeClock final : public Clock {
public:
    [[nodiscard]] TimePoint Now() const override { return now; }
    void Advance(std::chrono::seconds by) { now += by; }
    TimePoint now = FromUnixMs(1'700'000'000'000);
};

mode_t ModeOf(const fs::path& path) {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0);
    return st.st_mode & 07777;
}

TEST(PasswordTest, HashVerifiesOnlyTheRightPassword) {
    auto hash = HashPassword("correct horse battery staple");
    ASSERT_TRUE(hash) << hash.error().message;
    EXPECT_TRUE(hash->starts_with("$argon2id$"));
    EXPECT_EQ(hash->find("correct horse"), std::string::npos);
    EXPECT_TRUE(VerifyPassword(*hash, "correct horse battery staple"));
    EXPECT_FALSE(VerifyPassword(*hash, "correct horse battery stapl"));
    EXPECT_FALSE(VerifyPassword(*hash, ""));
    EXPECT_FALSE(PasswordNeedsRehash(*hash));

    auto again = HashPassword("correct horse battery staple");
    ASSERT_TRUE(again);
    EXPECT_NE(*hash, *again);  // salted
}

TEST(PasswordTest, MalformedHashesNeverVerify) {
    EXPECT_FALSE(VerifyPassword("", "x"));
    EXPECT_FALSE(VerifyPassword("plaintext", "plaintext"));
    EXPECT_FALSE(VerifyPassword(std::string(500, 'a'), "x"));
    EXPECT_TRUE(PasswordNeedsRehash("garbage"));
}

TEST(TokenTest, TokensAreUrlSafeUniqueAndOnlyHashesAreStored) {
    std::set<std::string> seen;
    for (int i = 0; i < 100; ++i) {
        const auto token = NewToken();
        EXPECT_EQ(token.size(), 43u);
        EXPECT_EQ(token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
                  std::string::npos);
        EXPECT_TRUE(seen.insert(token).second);
    }
    const auto token = NewToken();
    EXPECT_EQ(TokenHash(token), TokenHash(token));
    EXPECT_EQ(TokenHash(token).size(), 64u);
    EXPECT_NE(TokenHash(token), TokenHash(token + "x"));
    // BLAKE2b-256 of the empty string, a published test vector.
    EXPECT_EQ(TokenHash(""), "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
}

TEST(SecretBoxTest, CreatesKeyFileOwnerOnlyAndReloadsTheSameKey) {
    ScratchDir dir;
    const auto key_file = dir.path() / "sub" / "secret.key";
    auto box = SecretBox::LoadOrCreate(key_file);
    ASSERT_TRUE(box) << box.error().message;
    EXPECT_EQ(ModeOf(key_file), 0600);
    const auto sealed = box->Encrypt("hunter2", "target:1:password");
    EXPECT_TRUE(sealed.starts_with("v1:"));
    EXPECT_EQ(sealed.find("hunter2"), std::string::npos);

    auto reloaded = SecretBox::LoadOrCreate(key_file);
    ASSERT_TRUE(reloaded) << reloaded.error().message;
    EXPECT_EQ(reloaded->Decrypt(sealed, "target:1:password"), "hunter2");
    // Only one file remains: no temporary left behind.
    EXPECT_EQ(std::distance(fs::directory_iterator(key_file.parent_path()), fs::directory_iterator()), 1);
}

TEST(SecretBoxTest, RefusesKeyFileReadableByOthers) {
    ScratchDir dir;
    const auto key_file = dir.path() / "secret.key";
    ASSERT_TRUE(SecretBox::LoadOrCreate(key_file));
    fs::permissions(key_file, fs::perms(0644));
    auto box = SecretBox::LoadOrCreate(key_file);
    ASSERT_FALSE(box);
    EXPECT_NE(box.error().message.find("0644"), std::string::npos) << box.error().message;
    EXPECT_NE(box.error().message.find("chmod 600"), std::string::npos) << box.error().message;

    fs::permissions(key_file, fs::perms(0640));
    EXPECT_FALSE(SecretBox::LoadOrCreate(key_file));
    fs::permissions(key_file, fs::perms(0400));
    EXPECT_TRUE(SecretBox::LoadOrCreate(key_file));
}

TEST(SecretBoxTest, RefusesMalformedKeyFile) {
    ScratchDir dir;
    const auto key_file = dir.path() / "secret.key";
    {
        std::ofstream out(key_file);
        out << "not a key\n";
    }
    fs::permissions(key_file, fs::perms(0600));
    auto box = SecretBox::LoadOrCreate(key_file);
    ASSERT_FALSE(box);
    EXPECT_NE(box.error().message.find("malformed"), std::string::npos);
}

TEST(SecretBoxTest, RoundTripsAndDetectsTampering) {
    ScratchDir dir;
    auto box = SecretBox::LoadOrCreate(dir.path() / "k");
    ASSERT_TRUE(box);
    for (const std::string& plain :
         {std::string(), std::string("p"), std::string(10000, 'x'), std::string("\0\xff", 2)}) {
        const auto sealed = box->Encrypt(plain);
        EXPECT_EQ(box->Decrypt(sealed), plain);
    }
    const auto sealed = box->Encrypt("secret", "target:1:password");
    EXPECT_NE(sealed, box->Encrypt("secret", "target:1:password"));  // fresh nonce each time

    // Flip one base64 character in the ciphertext body.
    std::string tampered = sealed;
    tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(box->Decrypt(tampered, "target:1:password"));
    EXPECT_FALSE(box->Decrypt(sealed, "target:2:password"));  // moved to another field
    EXPECT_FALSE(box->Decrypt(sealed.substr(0, sealed.size() - 4), "target:1:password"));
    EXPECT_FALSE(box->Decrypt("v2:" + sealed.substr(3), "target:1:password"));
    EXPECT_FALSE(box->Decrypt("v1:!!!!", "target:1:password"));

    ScratchDir other_dir;
    auto other = SecretBox::LoadOrCreate(other_dir.path() / "k");
    ASSERT_TRUE(other);
    auto wrong_key = other->Decrypt(sealed, "target:1:password");
    ASSERT_FALSE(wrong_key);
    EXPECT_NE(wrong_key.error().message.find("another key file"), std::string::npos);
}

TEST(RoleTest, HigherRolesIncludeLowerOnes) {
    EXPECT_TRUE(Allows(Role::kAdmin, Role::kOperator));
    EXPECT_TRUE(Allows(Role::kOperator, Role::kOperator));
    EXPECT_TRUE(Allows(Role::kOperator, Role::kViewer));
    EXPECT_FALSE(Allows(Role::kViewer, Role::kOperator));
    EXPECT_FALSE(Allows(Role::kOperator, Role::kAdmin));
    EXPECT_EQ(ParseRole("operator"), Role::kOperator);
    EXPECT_EQ(RoleName(Role::kAdmin), "admin");
    EXPECT_FALSE(ParseRole("Admin"));
    EXPECT_FALSE(ParseRole(""));
}

HttpRequest CookieRequest(std::string method,
                          std::optional<std::string> cookie,
                          std::optional<std::string> header,
                          AuthMethod auth = AuthMethod::kCookie) {
    HttpRequest request;
    request.method = std::move(method);
    request.principal = Principal{"alice", Role::kOperator, auth};
    if (cookie) request.cookies[std::string(kCsrfCookie)] = *cookie;
    if (header) request.headers.Set(kCsrfHeader, *header);
    return request;
}

TEST(CsrfTest, CookieAuthenticatedMutationsNeedMatchingToken) {
    const std::string token = NewToken();
    EXPECT_TRUE(CsrfSatisfied(CookieRequest("POST", token, token)));
    EXPECT_FALSE(CsrfSatisfied(CookieRequest("POST", token, std::nullopt)));
    EXPECT_FALSE(CsrfSatisfied(CookieRequest("DELETE", std::nullopt, token)));
    EXPECT_FALSE(CsrfSatisfied(CookieRequest("PUT", token, token + "x")));
    EXPECT_FALSE(CsrfSatisfied(CookieRequest("POST", "", "")));
    EXPECT_FALSE(CsrfSatisfied(CookieRequest("PATCH", token, NewToken())));
}

TEST(CsrfTest, ReadsBearerTokensAndAnonymousRequestsNeedNoToken) {
    EXPECT_TRUE(CsrfSatisfied(CookieRequest("GET", std::nullopt, std::nullopt)));
    EXPECT_TRUE(CsrfSatisfied(CookieRequest("HEAD", std::nullopt, std::nullopt)));
    EXPECT_TRUE(CsrfSatisfied(CookieRequest("POST", std::nullopt, std::nullopt, AuthMethod::kBearer)));
    HttpRequest anonymous;
    anonymous.method = "POST";
    EXPECT_TRUE(CsrfSatisfied(anonymous));
}

TEST(CookieTest, BuildsStrictHttpOnlyCookies) {
    auto session = BuildSetCookie("optischema_session", "abc-_123");
    ASSERT_TRUE(session);
    EXPECT_EQ(*session, "optischema_session=abc-_123; Path=/; HttpOnly; SameSite=Strict");

    CookieAttributes csrf;
    csrf.http_only = false;
    csrf.secure = true;
    csrf.max_age = std::chrono::hours(12);
    EXPECT_EQ(BuildSetCookie(kCsrfCookie, "t", csrf),
              "optischema_csrf=t; Path=/; Max-Age=43200; Secure; SameSite=Strict");

    CookieAttributes expire;
    expire.max_age = std::chrono::seconds(0);
    EXPECT_EQ(BuildSetCookie("s", "", expire), "s=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");

    EXPECT_FALSE(BuildSetCookie("bad name", "v"));
    EXPECT_FALSE(BuildSetCookie("", "v"));
    EXPECT_FALSE(BuildSetCookie("s", "a;b"));
    EXPECT_FALSE(BuildSetCookie("s", "a\r\nSet-Cookie: x=y"));
    EXPECT_FALSE(BuildSetCookie("s", "a b"));
    CookieAttributes none;
    none.same_site = "None";
    EXPECT_FALSE(BuildSetCookie("s", "v", none));
}

TEST(CookieTest, ParsesOddCookieHeaders) {
    auto cookies = ParseCookies("  a=1;b = 2 ;; =nameless; novalue; c=\"quoted\"; a=second; d=x=y; e=; f=\"");
    EXPECT_EQ(cookies.at("a"), "1");  // the first wins
    EXPECT_EQ(cookies.at("b"), "2");
    EXPECT_EQ(cookies.at("c"), "quoted");
    EXPECT_EQ(cookies.at("d"), "x=y");
    EXPECT_EQ(cookies.at("e"), "");
    EXPECT_EQ(cookies.at("f"), "\"");
    EXPECT_FALSE(cookies.contains("novalue"));
    EXPECT_FALSE(cookies.contains(""));
    EXPECT_EQ(cookies.size(), 6u);
    EXPECT_TRUE(ParseCookies("").empty());
    EXPECT_TRUE(ParseCookies(";;;").empty());
    EXPECT_EQ(ParseCookies(std::string(100000, 'x') + "=1").size(), 1u);
}

TEST(LoginRateLimiterTest, BlocksAfterFiveFailuresUntilTheWindowSlides) {
    FakeClock clock;
    LoginRateLimiter limiter(clock);
    for (int i = 0; i < 5; ++i) {
        EXPECT_FALSE(limiter.RetryAfter("admin", "10.0.0.1")) << i;
        limiter.RecordFailure("admin", "10.0.0.1");
        clock.Advance(std::chrono::seconds(10));
    }
    // Failures at t=0,10,20,30,40; now t=50: the first leaves the window at t=300.
    auto wait = limiter.RetryAfter("admin", "10.0.0.1");
    ASSERT_TRUE(wait);
    EXPECT_EQ(*wait, std::chrono::seconds(250));
    EXPECT_TRUE(limiter.RetryAfter("ADMIN", "10.0.0.1"));      // usernames compare case-insensitively
    EXPECT_FALSE(limiter.RetryAfter("admin", "10.0.0.2"));     // another address
    EXPECT_FALSE(limiter.RetryAfter("operator", "10.0.0.1"));  // another user

    clock.Advance(std::chrono::seconds(249));
    EXPECT_EQ(limiter.RetryAfter("admin", "10.0.0.1"), std::chrono::seconds(1));
    clock.Advance(std::chrono::seconds(1));
    EXPECT_FALSE(limiter.RetryAfter("admin", "10.0.0.1"));
    // One more failure refills the window: four remain inside (t=10..40) plus this one.
    limiter.RecordFailure("admin", "10.0.0.1");
    EXPECT_EQ(limiter.RetryAfter("admin", "10.0.0.1"), std::chrono::seconds(10));
}

TEST(LoginRateLimiterTest, SuccessForgetsFailuresAndOptionsApply) {
    FakeClock clock;
    LoginRateLimiter limiter(clock, {.max_failures = 2, .window = std::chrono::seconds(60), .max_tracked_keys = 2});
    limiter.RecordFailure("a", "ip");
    limiter.RecordFailure("a", "ip");
    EXPECT_EQ(limiter.RetryAfter("a", "ip"), std::chrono::seconds(60));
    limiter.RecordSuccess("a", "ip");
    EXPECT_FALSE(limiter.RetryAfter("a", "ip"));

    // Memory bound: a third key evicts the stalest.
    limiter.RecordFailure("x", "ip");
    limiter.RecordFailure("x", "ip");
    clock.Advance(std::chrono::seconds(1));
    limiter.RecordFailure("y", "ip");
    limiter.RecordFailure("y", "ip");
    clock.Advance(std::chrono::seconds(1));
    limiter.RecordFailure("z", "ip");
    EXPECT_FALSE(limiter.RetryAfter("x", "ip"));
    EXPECT_TRUE(limiter.RetryAfter("y", "ip"));
}

TEST(LoginRateLimiterTest, ASprayOfUserNamesFromOneAddressIsLimitedToo) {
    FakeClock clock;
    LoginRateLimiter limiter(clock, {.max_failures = 5, .max_failures_per_address = 8});
    for (int i = 0; i < 8; ++i) {
        const std::string name = "user" + std::to_string(i);
        EXPECT_FALSE(limiter.RetryAfter(name, "10.0.0.9")) << i;
        limiter.RecordFailure(name, "10.0.0.9");
    }
    EXPECT_EQ(limiter.RetryAfter("admin", "10.0.0.9"), std::chrono::seconds(300));  // a name never tried
    EXPECT_FALSE(limiter.RetryAfter("admin", "10.0.0.10"));
    limiter.RecordSuccess("user0", "10.0.0.9");  // a success forgets the name, not the address's spray
    EXPECT_TRUE(limiter.RetryAfter("user0", "10.0.0.9"));

    // Names longer than any real account's count as one key (their first 64 bytes).
    const std::string base(64, 'n');
    for (int i = 0; i < 5; ++i) limiter.RecordFailure(base + std::to_string(i), "10.0.0.11");
    EXPECT_TRUE(limiter.RetryAfter(base + "zzz", "10.0.0.11"));
}

TEST(LoginRateLimiterTest, AnAccountBacksOffExponentiallyWhateverTheAddress) {
    FakeClock clock;
    LoginRateLimiter limiter(clock, {.account_backoff_after = 3,
                                     .account_backoff_base = std::chrono::seconds(2),
                                     .account_backoff_max = std::chrono::seconds(16),
                                     .account_forget_after = std::chrono::seconds(600)});
    int address = 0;
    const auto next_address = [&] { return "10.1.0." + std::to_string(++address); };
    // Every guess from a fresh address: the per-address limits never trigger, the account's does.
    for (int i = 0; i < 3; ++i) {
        EXPECT_FALSE(limiter.RetryAfter("Admin", next_address())) << i;
        limiter.RecordFailure("admin", next_address());
    }
    std::vector<long> waits;
    for (int i = 0; i < 5; ++i) {
        const auto wait = limiter.RetryAfter("admin", next_address());
        ASSERT_TRUE(wait) << i;
        waits.push_back(static_cast<long>(wait->count()));
        clock.Advance(*wait);
        EXPECT_FALSE(limiter.RetryAfter("admin", next_address()));
        limiter.RecordFailure("ADMIN", next_address());
    }
    EXPECT_EQ(waits, (std::vector<long>{2, 4, 8, 16, 16}));  // doubled per failure, up to the cap
    EXPECT_FALSE(limiter.RetryAfter("operator", next_address())) << "another account is not slowed";

    limiter.RecordSuccess("admin", next_address());
    EXPECT_FALSE(limiter.RetryAfter("admin", next_address())) << "a success ends the backoff";
    for (int i = 0; i < 4; ++i) limiter.RecordFailure("admin", next_address());
    EXPECT_TRUE(limiter.RetryAfter("admin", next_address()));
    clock.Advance(std::chrono::seconds(600));
    EXPECT_FALSE(limiter.RetryAfter("admin", next_address())) << "failures are forgotten after a quiet while";
    limiter.RecordFailure("admin", next_address());
    EXPECT_FALSE(limiter.RetryAfter("admin", next_address())) << "and counted from zero again";
}

TEST(LoginRateLimiterTest, AnIPv6ClientsWholeSlash64IsOneAddress) {
    FakeClock clock;
    LoginRateLimiter limiter(clock, {.max_failures = 3, .max_failures_per_address = 6, .account_backoff_after = 100});
    // A fresh /128 for every guess does not escape the per-user-and-address limit...
    for (int i = 1; i <= 3; ++i) limiter.RecordFailure("admin", fmt::format("2001:db8:0:7::{:x}", i));
    EXPECT_TRUE(limiter.RetryAfter("admin", "2001:db8:0:7:ffff:1:2:3"));
    EXPECT_FALSE(limiter.RetryAfter("admin", "2001:db8:0:8::1")) << "another /64";
    // ...nor the per-address one, across user names.
    for (int i = 1; i <= 3; ++i) limiter.RecordFailure("user" + std::to_string(i), fmt::format("2001:db8:0:7::{}:1", i));
    EXPECT_TRUE(limiter.RetryAfter("someone", "2001:db8:0:7::abcd"));
    // An IPv4 client reached over an IPv6 socket is the same client as over IPv4.
    for (int i = 0; i < 3; ++i) limiter.RecordFailure("admin", "::ffff:192.0.2.7");
    EXPECT_TRUE(limiter.RetryAfter("admin", "192.0.2.7"));
    EXPECT_FALSE(limiter.RetryAfter("admin", "192.0.2.8")) << "IPv4 counts per address";
}

TEST(LoginRateLimiterTest, TooManyAttemptsCarriesRetryAfter) {
    auto response = TooManyAttempts(std::chrono::seconds(42));
    EXPECT_EQ(response.status, 429);
    EXPECT_EQ(response.headers.Get("Retry-After"), "42");
}

}  // namespace
}  // namespace optischema::api
