#include "api/auth.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include <fcntl.h>
#include <fmt/format.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/request_pipeline.hpp"
#include "common/strings.hpp"

namespace optischema::api {

namespace {

constexpr std::string_view kCiphertextPrefix = "v1:";

// libsodium must be initialised once before use; failure means no usable randomness, which no caller
// could recover from.
void EnsureSodium() {
    static const bool ready = [] {
        if (sodium_init() < 0) {
            std::fputs("optischema: libsodium failed to initialise (no source of randomness)\n", stderr);
            std::abort();
        }
        return true;
    }();
    (void)ready;
}

std::string ToBase64(const unsigned char* data, std::size_t size, int variant) {
    std::string out(sodium_base64_ENCODED_LEN(size, variant), '\0');
    sodium_bin2base64(out.data(), out.size(), data, size, variant);
    out.resize(std::strlen(out.c_str()));
    return out;
}

std::optional<std::vector<unsigned char>> FromBase64(std::string_view text, int variant) {
    std::vector<unsigned char> out(text.size() * 3 / 4 + 3);
    std::size_t size = 0;
    if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &size, nullptr, variant) != 0) {
        return std::nullopt;
    }
    out.resize(size);
    return out;
}

std::string SysError(std::string_view what, const std::filesystem::path& path) {
    return fmt::format("{} {}: {}", what, path.string(), std::strerror(errno));
}

bool IsTokenChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool IsCookieOctet(char c) {
    const auto b = static_cast<unsigned char>(c);
    return b == 0x21 || (b >= 0x23 && b <= 0x2B) || (b >= 0x2D && b <= 0x3A) || (b >= 0x3C && b <= 0x5B) ||
           (b >= 0x5D && b <= 0x7E);
}

Result<void> CreateKeyFile(const std::filesystem::path& key_file) {
    std::error_code ec;
    if (key_file.has_parent_path() && !std::filesystem::exists(key_file.parent_path(), ec)) {
        std::filesystem::create_directories(key_file.parent_path(), ec);
        if (ec) {
            return MakeError(ErrorCode::kStorage, fmt::format("cannot create the directory of the key file {}: {}",
                                                              key_file.string(), ec.message()));
        }
    }
    std::array<unsigned char, SecretBox::kKeyBytes> key{};
    randombytes_buf(key.data(), key.size());
    const std::string contents = ToBase64(key.data(), key.size(), sodium_base64_VARIANT_ORIGINAL) + "\n";
    sodium_memzero(key.data(), key.size());

    // Written under a temporary name and linked into place, so a crash never leaves a half-written key
    // and two processes starting at once agree on one key.
    std::filesystem::path temp = key_file;
    temp += fmt::format(".tmp-{}-{}", ::getpid(), randombytes_random());
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return MakeError(ErrorCode::kStorage, SysError("cannot create the key file", temp));
    bool ok = ::fchmod(fd, 0600) == 0 &&
              ::write(fd, contents.data(), contents.size()) == static_cast<ssize_t>(contents.size()) &&
              ::fsync(fd) == 0;
    const std::string write_error = ok ? std::string() : SysError("cannot write the key file", temp);
    ::close(fd);
    if (!ok) {
        ::unlink(temp.c_str());
        return MakeError(ErrorCode::kStorage, write_error);
    }
    const int linked = ::link(temp.c_str(), key_file.c_str());
    const int link_errno = errno;
    ::unlink(temp.c_str());
    if (linked != 0 && link_errno != EEXIST) {
        errno = link_errno;
        return MakeError(ErrorCode::kStorage, SysError("cannot create the key file", key_file));
    }
    const auto dir = key_file.has_parent_path() ? key_file.parent_path() : std::filesystem::path(".");
    if (const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dir_fd >= 0) {
        ::fsync(dir_fd);
        ::close(dir_fd);
    }
    return {};
}

}  // namespace

std::string_view RoleName(Role role) {
    switch (role) {
        case Role::kViewer:
            return "viewer";
        case Role::kOperator:
            return "operator";
        case Role::kAdmin:
            return "admin";
    }
    return "viewer";
}

std::optional<Role> ParseRole(std::string_view name) {
    for (const Role role : {Role::kViewer, Role::kOperator, Role::kAdmin}) {
        if (RoleName(role) == name) return role;
    }
    return std::nullopt;
}

Result<std::string> HashPassword(std::string_view password) {
    EnsureSodium();
    std::array<char, crypto_pwhash_STRBYTES> out{};
    if (crypto_pwhash_str(out.data(), password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
        return MakeError(ErrorCode::kInternal, "hashing a password ran out of memory (Argon2id needs 64 MiB)");
    }
    return std::string(out.data());
}

bool VerifyPassword(std::string_view hash, std::string_view password) {
    EnsureSodium();
    std::array<char, crypto_pwhash_STRBYTES> stored{};
    if (hash.empty() || hash.size() >= stored.size()) return false;
    std::copy(hash.begin(), hash.end(), stored.begin());
    return crypto_pwhash_str_verify(stored.data(), password.data(), password.size()) == 0;
}

bool PasswordNeedsRehash(std::string_view hash) {
    EnsureSodium();
    std::array<char, crypto_pwhash_STRBYTES> stored{};
    if (hash.empty() || hash.size() >= stored.size()) return true;
    std::copy(hash.begin(), hash.end(), stored.begin());
    return crypto_pwhash_str_needs_rehash(stored.data(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0;
}

std::string NewToken() {
    EnsureSodium();
    std::array<unsigned char, 32> bytes{};
    randombytes_buf(bytes.data(), bytes.size());
    return ToBase64(bytes.data(), bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

std::string TokenHash(std::string_view token) {
    EnsureSodium();
    std::array<unsigned char, 32> digest{};
    crypto_generichash(digest.data(), digest.size(), reinterpret_cast<const unsigned char*>(token.data()), token.size(),
                       nullptr, 0);
    std::string hex(digest.size() * 2 + 1, '\0');
    sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
    hex.pop_back();
    return hex;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    if (a.empty()) return true;
    return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

Result<SecretBox> SecretBox::LoadOrCreate(const std::filesystem::path& key_file) {
    EnsureSodium();
    int fd = ::open(key_file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
        if (auto created = CreateKeyFile(key_file); !created) return tl::unexpected(created.error());
        fd = ::open(key_file.c_str(), O_RDONLY | O_CLOEXEC);
    }
    if (fd < 0) return MakeError(ErrorCode::kStorage, SysError("cannot open the key file", key_file));
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        const auto message = SysError("cannot inspect the key file", key_file);
        ::close(fd);
        return MakeError(ErrorCode::kStorage, message);
    }
    if (!S_ISREG(st.st_mode)) {
        ::close(fd);
        return MakeError(ErrorCode::kStorage, fmt::format("the key file {} is not a regular file", key_file.string()));
    }
    if (st.st_uid != ::geteuid()) {
        ::close(fd);
        return MakeError(ErrorCode::kStorage,
                         fmt::format("the key file {} belongs to uid {}, not to the user running optischema (uid {}); "
                                     "fix its owner with chown",
                                     key_file.string(), st.st_uid, ::geteuid()));
    }
    if ((st.st_mode & 077) != 0) {
        ::close(fd);
        return MakeError(ErrorCode::kStorage,
                         fmt::format("the key file {} has mode {:04o}, so other users may read it; it must be readable "
                                     "by its owner only: run chmod 600 {}",
                                     key_file.string(), st.st_mode & 07777, key_file.string()));
    }
    std::array<char, 256> buffer{};
    const ssize_t size = ::read(fd, buffer.data(), buffer.size());
    ::close(fd);
    if (size < 0) return MakeError(ErrorCode::kStorage, SysError("cannot read the key file", key_file));
    const std::string_view text = Trim(std::string_view(buffer.data(), static_cast<std::size_t>(size)));
    auto key = FromBase64(text, sodium_base64_VARIANT_ORIGINAL);
    sodium_memzero(buffer.data(), buffer.size());
    if (!key || key->size() != kKeyBytes) {
        return MakeError(ErrorCode::kStorage,
                         fmt::format("the key file {} is malformed (expected 32 bytes in base64); restore it from a "
                                     "backup, since secrets encrypted with it cannot be read without it",
                                     key_file.string()));
    }
    SecretBox box;
    std::copy(key->begin(), key->end(), box.key_.begin());
    sodium_memzero(key->data(), key->size());
    return box;
}

SecretBox::SecretBox(SecretBox&& other) noexcept : key_(other.key_) {
    sodium_memzero(other.key_.data(), other.key_.size());
}

SecretBox& SecretBox::operator=(SecretBox&& other) noexcept {
    if (this != &other) {
        key_ = other.key_;
        sodium_memzero(other.key_.data(), other.key_.size());
    }
    return *this;
}

SecretBox::~SecretBox() { sodium_memzero(key_.data(), key_.size()); }

std::string SecretBox::Encrypt(std::string_view plaintext, std::string_view context) const {
    constexpr std::size_t kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
    std::vector<unsigned char> out(kNonce + plaintext.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES);
    randombytes_buf(out.data(), kNonce);
    unsigned long long cipher_size = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(
        out.data() + kNonce, &cipher_size, reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
        reinterpret_cast<const unsigned char*>(context.data()), context.size(), nullptr, out.data(), key_.data());
    return std::string(kCiphertextPrefix) + ToBase64(out.data(), kNonce + cipher_size, sodium_base64_VARIANT_ORIGINAL);
}

Result<std::string> SecretBox::Decrypt(std::string_view ciphertext, std::string_view context) const {
    constexpr std::size_t kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
    if (!ciphertext.starts_with(kCiphertextPrefix)) {
        return MakeError(ErrorCode::kInvalidArgument, "the encrypted secret has an unknown format (no 'v1:' prefix)");
    }
    auto raw = FromBase64(ciphertext.substr(kCiphertextPrefix.size()), sodium_base64_VARIANT_ORIGINAL);
    if (!raw || raw->size() < kNonce + crypto_aead_xchacha20poly1305_ietf_ABYTES) {
        return MakeError(ErrorCode::kInvalidArgument, "the encrypted secret is truncated or not valid base64");
    }
    std::string plain(raw->size() - kNonce - crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
    unsigned long long plain_size = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(reinterpret_cast<unsigned char*>(plain.data()), &plain_size, nullptr,
                                                   raw->data() + kNonce, raw->size() - kNonce,
                                                   reinterpret_cast<const unsigned char*>(context.data()),
                                                   context.size(), raw->data(), key_.data()) != 0) {
        return MakeError(ErrorCode::kInvalidArgument,
                         "cannot decrypt the secret: it was altered, or encrypted with another key file");
    }
    plain.resize(plain_size);
    return plain;
}

bool IsMutatingMethod(std::string_view method) { return method != "GET" && method != "HEAD" && method != "OPTIONS"; }

bool CsrfSatisfied(const HttpRequest& request) {
    if (!IsMutatingMethod(request.method)) return true;
    if (!request.principal || request.principal->method != AuthMethod::kCookie) return true;
    const auto cookie = request.Cookie(kCsrfCookie);
    const auto header = request.headers.Get(kCsrfHeader);
    if (!cookie || !header || cookie->empty()) return false;
    return ConstantTimeEquals(*cookie, *header);
}

Result<std::string> BuildSetCookie(std::string_view name, std::string_view value, const CookieAttributes& attributes) {
    if (name.empty() || !std::all_of(name.begin(), name.end(), IsTokenChar)) {
        return MakeError(ErrorCode::kInvalidArgument, fmt::format("'{}' is not a valid cookie name", name));
    }
    if (!std::all_of(value.begin(), value.end(), IsCookieOctet)) {
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("the value of cookie '{}' has characters a cookie may not hold", name));
    }
    const auto& path = attributes.path;
    if (path.empty() || path.front() != '/' || std::any_of(path.begin(), path.end(), [](char c) {
            return c == ';' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
        })) {
        return MakeError(ErrorCode::kInvalidArgument, fmt::format("'{}' is not a valid cookie path", path));
    }
    if (attributes.same_site != "Strict" && attributes.same_site != "Lax" && attributes.same_site != "None") {
        return MakeError(ErrorCode::kInvalidArgument, "SameSite must be Strict, Lax or None");
    }
    if (attributes.same_site == "None" && !attributes.secure) {
        return MakeError(ErrorCode::kInvalidArgument, "browsers reject SameSite=None without Secure");
    }
    std::string cookie = fmt::format("{}={}; Path={}", name, value, path);
    if (attributes.max_age) cookie += fmt::format("; Max-Age={}", std::max<long long>(0, attributes.max_age->count()));
    if (attributes.http_only) cookie += "; HttpOnly";
    if (attributes.secure) cookie += "; Secure";
    cookie += "; SameSite=" + attributes.same_site;
    return cookie;
}

LoginRateLimiter::LoginRateLimiter(const Clock& clock, Options options) : clock_(clock), options_(options) {}

std::string LoginRateLimiter::Account(std::string_view username) {
    // User names are short; a longer one cannot be a real account, and must not cost memory per attempt.
    constexpr std::size_t kMaxUsernameBytes = 64;
    username = username.substr(0, kMaxUsernameBytes);
    std::string account;
    account.reserve(username.size());
    for (const char c : username) account += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    return account;
}

std::string LoginRateLimiter::Key(std::string_view username, std::string_view remote_address) {
    return Account(username) + '\n' + AddressGroup(remote_address);
}

void LoginRateLimiter::Prune(Entry& entry, TimePoint now) const {
    const TimePoint oldest_kept = now - options_.window;
    std::erase_if(entry.failures, [&](TimePoint t) { return t <= oldest_kept; });
}

std::optional<std::chrono::seconds> LoginRateLimiter::Wait(Table& table,
                                                           const std::string& key,
                                                           int limit,
                                                           TimePoint now) const {
    auto it = table.find(key);
    if (it == table.end()) return std::nullopt;
    Prune(it->second, now);
    const auto& failures = it->second.failures;
    if (static_cast<int>(failures.size()) < limit) return std::nullopt;
    // Allowed again once the count drops below the limit, i.e. when this failure leaves the window.
    const TimePoint frees_at = failures[failures.size() - static_cast<std::size_t>(limit)] + options_.window;
    const auto wait = std::chrono::ceil<std::chrono::seconds>(frees_at - now);
    return std::max(wait, std::chrono::seconds(1));
}

std::optional<std::chrono::seconds> LoginRateLimiter::AccountWait(const std::string& account, TimePoint now) {
    auto it = accounts_.find(account);
    if (it == accounts_.end()) return std::nullopt;
    if (now - it->second.last_failure >= options_.account_forget_after) {
        accounts_.erase(it);
        return std::nullopt;
    }
    const int over = it->second.failures - options_.account_backoff_after;
    if (over < 0) return std::nullopt;
    // base * 2^over, capped; the shift is bounded so it cannot overflow.
    auto backoff = options_.account_backoff_base * (std::int64_t{1} << std::min(over, 30));
    backoff = std::min<std::chrono::seconds>(backoff, options_.account_backoff_max);
    const TimePoint allowed_at = it->second.last_failure + backoff;
    if (now >= allowed_at) return std::nullopt;
    return std::max(std::chrono::ceil<std::chrono::seconds>(allowed_at - now), std::chrono::seconds(1));
}

std::optional<std::chrono::seconds> LoginRateLimiter::RetryAfter(std::string_view username,
                                                                 std::string_view remote_address) {
    const TimePoint now = clock_.Now();
    std::lock_guard lock(mutex_);
    std::optional<std::chrono::seconds> longest;
    for (const auto wait : {Wait(by_user_, Key(username, remote_address), options_.max_failures, now),
                            Wait(by_address_, AddressGroup(remote_address), options_.max_failures_per_address, now),
                            AccountWait(Account(username), now)}) {
        if (wait && (!longest || *wait > *longest)) longest = wait;
    }
    return longest;
}

void LoginRateLimiter::Add(Table& table, std::string key, TimePoint now) const {
    if (!table.contains(key) && table.size() >= options_.max_tracked_keys) {
        for (auto it = table.begin(); it != table.end();) {
            Prune(it->second, now);
            it = it->second.failures.empty() ? table.erase(it) : std::next(it);
        }
        if (table.size() >= options_.max_tracked_keys) {
            auto stalest = std::min_element(table.begin(), table.end(), [](const auto& a, const auto& b) {
                return a.second.last_seen < b.second.last_seen;
            });
            table.erase(stalest);
        }
    }
    Entry& entry = table[std::move(key)];
    Prune(entry, now);
    entry.failures.push_back(now);
    entry.last_seen = now;
}

void LoginRateLimiter::AddAccountFailure(std::string account, TimePoint now) {
    if (!accounts_.contains(account) && accounts_.size() >= options_.max_tracked_keys) {
        std::erase_if(accounts_,
                      [&](const auto& item) { return now - item.second.last_failure >= options_.account_forget_after; });
        if (accounts_.size() >= options_.max_tracked_keys) {
            auto stalest = std::min_element(accounts_.begin(), accounts_.end(), [](const auto& a, const auto& b) {
                return a.second.last_failure < b.second.last_failure;
            });
            accounts_.erase(stalest);
        }
    }
    AccountEntry& entry = accounts_[std::move(account)];
    if (entry.failures > 0 && now - entry.last_failure >= options_.account_forget_after) entry.failures = 0;
    ++entry.failures;
    entry.last_failure = now;
}

void LoginRateLimiter::RecordFailure(std::string_view username, std::string_view remote_address) {
    const TimePoint now = clock_.Now();
    std::lock_guard lock(mutex_);
    Add(by_user_, Key(username, remote_address), now);
    Add(by_address_, AddressGroup(remote_address), now);
    AddAccountFailure(Account(username), now);
}

void LoginRateLimiter::RecordSuccess(std::string_view username, std::string_view remote_address) {
    std::lock_guard lock(mutex_);
    by_user_.erase(Key(username, remote_address));
    accounts_.erase(Account(username));
}

HttpResponse TooManyAttempts(std::chrono::seconds retry_after) {
    auto response = HttpResponse::Error(
        429, "too_many_requests", fmt::format("too many failed logins; try again in {} seconds", retry_after.count()));
    response.headers.Set("Retry-After", std::to_string(retry_after.count()));
    return response;
}

}  // namespace optischema::api
