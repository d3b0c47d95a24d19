// AuthService's API tokens: created from a login session with at most the creator's role, found by their
// public id and checked by hash, refused with the reason once revoked or expired.
#include <algorithm>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "api/api_token.hpp"
#include "common/format.hpp"
#include "server/auth_service.hpp"

namespace optischema::server {
namespace {

constexpr std::size_t kMaxTokenNameLength = 100;
// last_used_at is written at most this often per token: one store write a minute, not one per request.
constexpr auto kLastUsedResolution = std::chrono::minutes(1);
constexpr std::string_view kMakeANewOne = "create a new one in Settings > API tokens";

api::Role Lower(api::Role a, api::Role b) { return static_cast<int>(a) < static_cast<int>(b) ? a : b; }

tl::unexpected<Error> Refused(std::string message) {
    return MakeError(ErrorCode::kUnauthenticated, std::move(message));
}

}  // namespace

Result<store::UserRecord> AuthService::UserOf(const api::Principal& who) {
    if (who.method == api::AuthMethod::kLocal) {
        return MakeError(ErrorCode::kForbidden,
                         "authentication is off, so API tokens are neither needed nor checked (every request to "
                         "localhost is an admin): turn authentication on to use them");
    }
    auto user = store_.With([&](store::Store& s) { return s.FindUser(who.username); });
    if (!user) return tl::unexpected(user.error());
    if (!*user) return MakeError(ErrorCode::kForbidden, fmt::format("the user {} no longer exists", who.username));
    return **user;
}

Result<AuthService::CreatedApiToken> AuthService::CreateApiToken(const api::Principal& creator,
                                                                 const ApiTokenRequest& request) {
    if (creator.method == api::AuthMethod::kBearer) {
        return MakeError(ErrorCode::kForbidden,
                         "an API token cannot create API tokens: create them while logged in to the dashboard");
    }
    if (request.name.empty() || request.name.size() > kMaxTokenNameLength ||
        std::any_of(request.name.begin(), request.name.end(),
                    [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("a token's name has 1 to {} characters and no control characters (e.g. "
                                     "\"ci\" or \"grafana\")",
                                     kMaxTokenNameLength));
    }
    const std::string role_name = request.role.empty() ? "viewer" : request.role;
    const auto role = api::ParseRole(role_name);
    if (!role) return MakeError(ErrorCode::kInvalidArgument, "the role is viewer, operator or admin");
    auto user = UserOf(creator);
    if (!user) return tl::unexpected(user.error());
    const auto user_role = api::ParseRole(user->role).value_or(api::Role::kViewer);
    if (!api::Allows(user_role, *role)) {
        return MakeError(ErrorCode::kForbidden,
                         fmt::format("you are {}: a token can have your role or a lower one, not {}",
                                     api::RoleName(user_role), role_name));
    }
    const TimePoint now = clock_.Now();
    std::optional<TimePoint> expires_at = now + options_.token_lifetime;
    if (request.never_expires) {
        if (user_role != api::Role::kAdmin) {
            return MakeError(ErrorCode::kForbidden,
                             "only an admin may create a token that never expires: give expires_at, or leave it out "
                             "for 90 days");
        }
        expires_at.reset();
    } else if (request.expires_at) {
        if (*request.expires_at <= now) {
            return MakeError(ErrorCode::kInvalidArgument, "expires_at must be in the future");
        }
        expires_at = request.expires_at;
    }
    const api::MintedApiToken minted = api::MintApiToken();
    store::ApiTokenRecord record{minted.id, request.name,       user->id, user->username,
                                 role_name, minted.secret_hash, now,      expires_at};
    if (auto ok = store_.With([&](store::Store& s) { return s.CreateApiToken(record); }); !ok) {
        return tl::unexpected(ok.error());
    }
    return CreatedApiToken{std::move(record), minted.token};
}

Result<std::vector<store::ApiTokenRecord>> AuthService::ListApiTokens(const api::Principal& who) {
    if (who.role == api::Role::kAdmin)
        return store_.With([](store::Store& s) { return s.ListApiTokens(std::nullopt); });
    auto user = UserOf(who);
    if (!user) return tl::unexpected(user.error());
    return store_.With([&](store::Store& s) { return s.ListApiTokens(user->id); });
}

Result<store::ApiTokenRecord> AuthService::RevokeApiToken(const api::Principal& who, const std::string& id) {
    auto found = store_.With([&](store::Store& s) { return s.FindApiToken(id); });
    if (!found) return tl::unexpected(found.error());
    // Another user's token is as unknown as one that does not exist: ids are not for guessing.
    if (!*found || (who.role != api::Role::kAdmin && (*found)->second.username != who.username)) {
        return MakeError(ErrorCode::kNotFound, fmt::format("no API token {} of yours", id));
    }
    if (auto ok = store_.With([&](store::Store& s) { return s.RevokeApiToken(id, clock_.Now()); }); !ok) {
        return tl::unexpected(ok.error());
    }
    return (*found)->first;
}

Result<store::CredentialPurge> AuthService::DeleteEndedCredentials() {
    const TimePoint now = clock_.Now();
    return store_.With(
        [&](store::Store& s) { return s.DeleteEndedCredentials(now, now - options_.ended_token_retention); });
}

Result<std::optional<api::Principal>> AuthService::AuthenticateApiToken(const std::string& token) {
    const auto id = api::ApiTokenId(token);
    if (!id) {
        return Refused(fmt::format("the bearer token is not an OptiSchema API token (those start with {}); {}",
                                   api::kApiTokenPrefix, kMakeANewOne));
    }
    auto found = store_.With([&](store::Store& s) { return s.FindApiToken(*id); });
    if (!found) return tl::unexpected(found.error());
    if (!*found || !api::ApiTokenMatches(token, (*found)->first.secret_hash)) {
        return Refused(fmt::format(
            "the API token is not valid: it is mistyped, or was deleted with its owner or long after it ended; {}",
            kMakeANewOne));
    }
    const auto& [record, owner] = **found;
    const TimePoint now = clock_.Now();
    if (record.revoked_at) {
        return Refused(fmt::format("the API token {} (\"{}\") was revoked at {}; {}", record.id, record.name,
                                   IsoTime(*record.revoked_at), kMakeANewOne));
    }
    if (record.expires_at && *record.expires_at <= now) {
        return Refused(fmt::format("the API token {} (\"{}\") expired at {}; {}", record.id, record.name,
                                   IsoTime(*record.expires_at), kMakeANewOne));
    }
    const auto token_role = api::ParseRole(record.role);
    const auto owner_role = api::ParseRole(owner.role);
    if (!token_role || !owner_role) return Refused(fmt::format("the API token {} has no valid role", record.id));
    if (!record.last_used_at || now - *record.last_used_at >= kLastUsedResolution) {
        const auto id = record.id;  // clang 14 cannot capture a structured binding
        if (auto ok = store_.With([&](store::Store& s) { return s.TouchApiToken(id, now); }); !ok) {
            spdlog::warn("cannot note the use of API token {}: {}", record.id, ok.error().message);
        }
    }
    // A token never acts above its owner's role of now: demoting a user demotes their tokens.
    return api::Principal{owner.username, Lower(*token_role, *owner_role), api::AuthMethod::kBearer, record.id};
}

}  // namespace optischema::server
