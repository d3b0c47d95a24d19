#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace optischema::api {

/// What every API token starts with, so secret scanners (and people) recognise one.
inline constexpr std::string_view kApiTokenPrefix = "osk_";

/// A new API token, "osk_" + 16 hex digits of public id + "_" + 43 characters of secret (32 random bytes,
/// URL-safe base64), and what the store keeps of it. Thread-safe.
struct MintedApiToken {
    std::string id;           // the public part, to look the token up and to name it in lists and the audit log
    std::string token;        // shown once to its creator, never stored
    std::string secret_hash;  // TokenHash(token), what the store keeps
};
[[nodiscard]] MintedApiToken MintApiToken();

/// The public id of a text shaped as an API token from MintApiToken; nullopt for anything else.
[[nodiscard]] std::optional<std::string> ApiTokenId(std::string_view token);

/// True when `token` is the one whose hash the store keeps (compared in constant time).
[[nodiscard]] bool ApiTokenMatches(std::string_view token, std::string_view secret_hash);

}  // namespace optischema::api
