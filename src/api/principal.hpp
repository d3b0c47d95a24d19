#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace optischema::api {

/// What a user may do; each role includes the ones before it.
enum class Role {
    kViewer = 0,    // read everything
    kOperator = 1,  // also validate, apply and roll back recommendations
    kAdmin = 2,     // also targets, users and settings
};

/// True when someone with `role` may call an endpoint that needs `required`.
[[nodiscard]] constexpr bool Allows(Role role, Role required) {
    return static_cast<int>(role) >= static_cast<int>(required);
}

/// "viewer", "operator" or "admin".
[[nodiscard]] std::string_view RoleName(Role role);

/// The inverse of RoleName; nullopt for anything else.
[[nodiscard]] std::optional<Role> ParseRole(std::string_view name);

/// How a request proved who it is. Only kCookie requests need the CSRF double-submit token.
enum class AuthMethod {
    kCookie,  // a session cookie, sent by the browser automatically
    kBearer,  // an `Authorization: Bearer` API token, sent deliberately by a program
    kLocal,   // no credentials: authentication is disabled (tests, local-only setups)
};

/// Who made a request, as resolved by the server's authenticator.
struct Principal {
    std::string username;
    Role role = Role::kViewer;
    AuthMethod method = AuthMethod::kCookie;
    std::string token_id;  // the API token's public id when method is kBearer, for the audit log
};

}  // namespace optischema::api
