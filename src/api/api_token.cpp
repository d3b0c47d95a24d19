#include "api/api_token.hpp"

#include <array>
#include <cstdlib>

#include <sodium.h>

#include "api/auth.hpp"

namespace optischema::api {
namespace {

constexpr std::size_t kIdHexDigits = 16;
constexpr std::size_t kSecretChars = 43;  // 32 bytes in URL-safe base64 without padding

bool IsLowerHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

bool IsUrlSafeBase64(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

}  // namespace

MintedApiToken MintApiToken() {
    // NewToken initialises libsodium; the id is random too, so ids say nothing about who made a token when.
    const std::string secret = NewToken();
    std::array<unsigned char, kIdHexDigits / 2> id_bytes{};
    randombytes_buf(id_bytes.data(), id_bytes.size());
    std::array<char, kIdHexDigits + 1> id{};
    sodium_bin2hex(id.data(), id.size(), id_bytes.data(), id_bytes.size());
    MintedApiToken out;
    out.id = std::string(id.data(), kIdHexDigits);
    out.token = std::string(kApiTokenPrefix) + out.id + "_" + secret;
    out.secret_hash = TokenHash(out.token);
    return out;
}

std::optional<std::string> ApiTokenId(std::string_view token) {
    if (token.size() != kApiTokenPrefix.size() + kIdHexDigits + 1 + kSecretChars ||
        !token.starts_with(kApiTokenPrefix)) {
        return std::nullopt;
    }
    const std::string_view id = token.substr(kApiTokenPrefix.size(), kIdHexDigits);
    const std::string_view secret = token.substr(kApiTokenPrefix.size() + kIdHexDigits + 1);
    if (token[kApiTokenPrefix.size() + kIdHexDigits] != '_') return std::nullopt;
    for (const char c : id) {
        if (!IsLowerHex(c)) return std::nullopt;
    }
    for (const char c : secret) {
        if (!IsUrlSafeBase64(c)) return std::nullopt;
    }
    return std::string(id);
}

bool ApiTokenMatches(std::string_view token, std::string_view secret_hash) {
    return ConstantTimeEquals(TokenHash(token), secret_hash);
}

}  // namespace optischema::api
