#include "server/auth_service.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

namespace optischema::server {
namespace {

// A name from a request as it may appear in a log line: control characters replaced, at most 64 bytes.
std::string Printable(std::string_view name) {
    std::string out(name.substr(0, 64));
    for (char& c : out) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
    }
    return fmt::format("'{}'{}", out, name.size() > 64 ? "..." : "");
}

// A valid Argon2id hash no password matches, made once.
const std::string& DecoyHash() {
    static const std::string hash = [] {
        auto made = api::HashPassword(api::NewToken());
        return made ? *made : std::string();
    }();
    return hash;
}

std::size_t AdminCount(const std::vector<store::UserRecord>& users) {
    return static_cast<std::size_t>(
        std::count_if(users.begin(), users.end(), [](const store::UserRecord& u) { return u.role == "admin"; }));
}

constexpr std::size_t kMinPasswordLength = 8;

std::optional<std::string> BearerToken(const api::HttpRequest& request) {
    auto header = request.headers.Get("Authorization");
    if (!header) return std::nullopt;
    constexpr std::string_view kPrefix = "Bearer ";
    if (header->size() <= kPrefix.size() || !api::EqualsIgnoreCase(header->substr(0, kPrefix.size()), kPrefix)) {
        return std::nullopt;
    }
    return std::string(header->substr(kPrefix.size()));
}

}  // namespace

AuthService::AuthService(store::StorePool& store, const Clock& clock, Options options)
    : store_(store), clock_(clock), options_(options), limiter_(clock) {}

Result<std::optional<std::string>> AuthService::Bootstrap(const std::string& password) {
    auto users = store_.With([](store::Store& s) { return s.ListUsers(); });
    if (!users) return tl::unexpected(users.error());
    if (!users->empty()) return std::optional<std::string>();
    const std::string chosen = password.empty() ? api::NewToken().substr(0, 20) : password;
    auto created = CreateUser("admin", chosen, "admin");
    if (!created) return tl::unexpected(created.error());
    return password.empty() ? std::optional<std::string>(chosen) : std::optional<std::string>(std::string());
}

Result<store::UserRecord> AuthService::CreateUser(const std::string& username,
                                                  const std::string& password,
                                                  const std::string& role) {
    if (username.empty() || username.size() > 64) {
        return MakeError(ErrorCode::kInvalidArgument, "a user name has 1 to 64 characters");
    }
    if (password.size() < kMinPasswordLength) {
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("a password needs at least {} characters", kMinPasswordLength));
    }
    if (!api::ParseRole(role)) {
        return MakeError(ErrorCode::kInvalidArgument, "the role is viewer, operator or admin");
    }
    auto hash = api::HashPassword(password);
    if (!hash) return tl::unexpected(hash.error());
    return store_.With([&](store::Store& s) { return s.CreateUser({0, username, *hash, role, {}}); });
}

Result<store::UserRecord> AuthService::UpdateUser(std::int64_t id,
                                                  const std::string& role,
                                                  const std::string& password,
                                                  const api::HttpRequest& by) {
    if (!role.empty() && !api::ParseRole(role)) {
        return MakeError(ErrorCode::kInvalidArgument, "the role is viewer, operator or admin");
    }
    if (!password.empty() && password.size() < kMinPasswordLength) {
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("a password needs at least {} characters", kMinPasswordLength));
    }
    std::lock_guard lock(users_mutex_);
    auto users = store_.With([](store::Store& s) { return s.ListUsers(); });
    if (!users) return tl::unexpected(users.error());
    auto it = std::find_if(users->begin(), users->end(), [&](const store::UserRecord& u) { return u.id == id; });
    if (it == users->end()) return MakeError(ErrorCode::kNotFound, fmt::format("no user {}", id));
    store::UserRecord user = *it;
    if (!role.empty() && role != "admin" && user.role == "admin" && AdminCount(*users) == 1) {
        return MakeError(ErrorCode::kPrerequisiteMissing,
                         fmt::format("{} is the only admin: make another user admin first", user.username));
    }
    if (!role.empty()) user.role = role;
    if (!password.empty()) {
        auto hash = api::HashPassword(password);
        if (!hash) return tl::unexpected(hash.error());
        user.password_hash = *hash;
    }
    if (auto ok = store_.With([&](store::Store& s) { return s.UpdateUser(user); }); !ok) {
        return tl::unexpected(ok.error());
    }
    if (!password.empty()) {
        // Whoever knew the old password is logged out; the one setting it stays logged in.
        const auto own = by.Cookie(kSessionCookie);
        const std::string keep = own && !own->empty() ? api::TokenHash(*own) : std::string();
        if (auto ok = store_.With([&](store::Store& s) { return s.DeleteBrowserSessions(user.id, keep); }); !ok) {
            return tl::unexpected(ok.error());
        }
    }
    return user;
}

Result<void> AuthService::DeleteUser(std::int64_t id) {
    std::lock_guard lock(users_mutex_);
    auto users = store_.With([](store::Store& s) { return s.ListUsers(); });
    if (!users) return tl::unexpected(users.error());
    auto it = std::find_if(users->begin(), users->end(), [&](const store::UserRecord& u) { return u.id == id; });
    if (it == users->end()) return MakeError(ErrorCode::kNotFound, fmt::format("no user {}", id));
    if (it->role == "admin" && AdminCount(*users) == 1) {
        return MakeError(ErrorCode::kPrerequisiteMissing,
                         fmt::format("{} is the only admin: make another user admin first", it->username));
    }
    return store_.With([&](store::Store& s) { return s.DeleteUser(id); });
}

Result<std::optional<api::Principal>> AuthService::Authenticate(const api::HttpRequest& request) {
    if (!options_.enabled) return api::Principal{"local", api::Role::kAdmin, api::AuthMethod::kLocal};
    std::optional<std::string> token;
    api::AuthMethod method = api::AuthMethod::kCookie;
    if (auto bearer = BearerToken(request)) {
        token = std::move(bearer);
        method = api::AuthMethod::kBearer;
    } else if (auto cookie = request.Cookie(kSessionCookie)) {
        token = std::move(cookie);
    }
    if (!token || token->empty()) return std::nullopt;
    if (method == api::AuthMethod::kBearer) return AuthenticateApiToken(*token);
    auto found = store_.With([&](store::Store& s) { return s.FindSession(api::TokenHash(*token), clock_.Now()); });
    if (!found) return tl::unexpected(found.error());
    if (!*found) return std::nullopt;
    const auto& [session, user] = **found;
    if (session.kind != "session") return std::nullopt;
    auto role = api::ParseRole(user.role);
    if (!role) return std::nullopt;
    return api::Principal{user.username, *role, method};
}

api::HttpResponse AuthService::Login(const api::HttpRequest& request) {
    const auto body = nlohmann::json::parse(request.body, nullptr, false);
    if (body.is_discarded() || !body.is_object() || !body.contains("username") || !body.contains("password") ||
        !body["username"].is_string() || !body["password"].is_string()) {
        return api::HttpResponse::Error(400, "bad_request", "send {\"username\": \"...\", \"password\": \"...\"}");
    }
    const std::string username = body["username"];
    const std::string password = body["password"];
    if (auto wait = limiter_.RetryAfter(username, request.remote_address)) return api::TooManyAttempts(*wait);
    if (!password_checks_.try_acquire()) {
        auto busy = api::HttpResponse::Error(503, "busy", "too many logins at this moment; try again in a second");
        busy.headers.Set("Retry-After", "1");
        return busy;
    }
    struct Release {
        std::counting_semaphore<16>& checks;
        ~Release() { checks.release(); }
    } release{password_checks_};
    auto user = store_.With([&](store::Store& s) { return s.FindUser(username); });
    if (!user) return api::HttpResponse::FromError(user.error());
    // The same answer for an unknown user and a wrong password, in the same time: an unknown user's
    // password is checked against a hash of nothing, so that timing tells no names.
    const bool verified = *user ? api::VerifyPassword((*user)->password_hash, password)
                                : (static_cast<void>(api::VerifyPassword(DecoyHash(), password)), false);
    if (!verified) {
        limiter_.RecordFailure(username, request.remote_address);
        spdlog::info("failed login for user {} from {}", Printable(username), request.remote_address);
        return api::HttpResponse::Error(401, "invalid_credentials", "wrong user name or password");
    }
    limiter_.RecordSuccess(username, request.remote_address);
    const std::string token = api::NewToken();
    const std::string csrf = api::NewToken();
    const TimePoint now = clock_.Now();
    store::SessionRecord session{api::TokenHash(token),          (*user)->id, "session", "", now,
                                 now + options_.session_lifetime};
    if (auto ok = store_.With([&](store::Store& s) { return s.SaveSession(session); }); !ok) {
        return api::HttpResponse::FromError(ok.error());
    }
    api::CookieAttributes attrs;
    attrs.secure = options_.secure_cookies;
    attrs.max_age = std::chrono::duration_cast<std::chrono::seconds>(options_.session_lifetime);
    auto session_cookie = api::BuildSetCookie(kSessionCookie, token, attrs);
    attrs.http_only = false;  // the page reads it to send X-CSRF-Token
    auto csrf_cookie = api::BuildSetCookie(api::kCsrfCookie, csrf, attrs);
    if (!session_cookie || !csrf_cookie) return api::HttpResponse::Error(500, "internal", "cannot build cookies");
    auto response = api::HttpResponse::Json(
        200, {{"user", {{"username", (*user)->username}, {"role", (*user)->role}}}, {"csrf_token", csrf}});
    response.headers.Add("Set-Cookie", *session_cookie);
    response.headers.Add("Set-Cookie", *csrf_cookie);
    return response;
}

api::HttpResponse AuthService::Logout(const api::HttpRequest& request) {
    if (auto cookie = request.Cookie(kSessionCookie)) {
        (void)store_.With([&](store::Store& s) { return s.DeleteSession(api::TokenHash(*cookie)); });
    }
    api::HttpResponse response;
    response.status = 204;
    api::CookieAttributes attrs;
    attrs.secure = options_.secure_cookies;
    attrs.max_age = std::chrono::seconds(0);
    if (auto c = api::BuildSetCookie(kSessionCookie, "", attrs)) response.headers.Add("Set-Cookie", *c);
    attrs.http_only = false;
    if (auto c = api::BuildSetCookie(api::kCsrfCookie, "", attrs)) response.headers.Add("Set-Cookie", *c);
    return response;
}

}  // namespace optischema::server
