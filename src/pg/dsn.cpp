#include "pg/dsn.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <vector>

#include <fmt/format.h>
#include <libpq-fe.h>

#include "common/strings.hpp"

namespace optischema::pg {
namespace {

struct Parsed {
    PQconninfoOption* opts = nullptr;
    std::string error;
    ~Parsed() {
        if (opts != nullptr) PQconninfoFree(opts);
    }
};

bool IsShortIdentifier(std::string_view s) {
    if (s.empty() || s.size() > 40 || std::isdigit(static_cast<unsigned char>(s.front())) != 0) return false;
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; });
}

// libpq quotes the offending part of a malformed DSN, which may hold a password ("invalid
// percent-encoded token", the whole URI, or a stray word: missing "=" after "hunter2"), and a
// password may itself hold quotes, so quotes cannot be paired. Everything from the first quote to
// the last is hidden except where it names what the user typed as a key: one quoted identifier
// (invalid connection option "hots") and missing "=" after a libpq keyword. The message
// is then safe for logs, the audit trail and responses.
std::string HideQuotedValues(std::string_view message) {
    std::vector<std::size_t> quotes;
    for (std::size_t i = 0; i < message.size(); ++i) {
        if (message[i] == '"') quotes.push_back(i);
    }
    if (quotes.empty()) return std::string(message);
    const auto quoted = [&](std::size_t pair) {
        return message.substr(quotes[2 * pair] + 1, quotes[2 * pair + 1] - quotes[2 * pair] - 1);
    };
    const auto prefix = message.substr(0, quotes.front());
    const auto suffix = message.substr(quotes.back() + 1);
    if (quotes.size() == 2 && IsShortIdentifier(quoted(0))) {
        return fmt::format("{}\"{}\"{}", prefix, quoted(0), suffix);
    }
    if (quotes.size() == 4 && quoted(0) == "=" && message.substr(quotes[1], quotes[2] - quotes[1]) == "\" after ") {
        if (IsLibpqKeyword(quoted(1))) return std::string(message);
        return fmt::format("{}\"=\" after a word that is not a keyword (hidden){}", prefix, suffix);
    }
    return fmt::format("{}(hidden){}", prefix, suffix);
}

void Parse(const std::string& dsn, Parsed& out) {
    char* err = nullptr;
    out.opts = PQconninfoParse(dsn.c_str(), &err);
    if (err != nullptr) {
        out.error = HideQuotedValues(CollapseWhitespace(err));
        PQfreemem(err);
    }
}

}  // namespace

bool IsLibpqKeyword(std::string_view keyword) {
    PQconninfoOption* defaults = PQconndefaults();
    if (defaults == nullptr) return false;
    bool found = false;
    for (PQconninfoOption* o = defaults; o->keyword != nullptr && !found; ++o) found = keyword == o->keyword;
    PQconninfoFree(defaults);
    return found;
}

std::vector<std::string> DsnKeywords(const std::string& dsn) {
    std::vector<std::string> out;
    Parsed parsed;
    Parse(dsn, parsed);
    if (parsed.opts == nullptr) return out;
    for (PQconninfoOption* o = parsed.opts; o->keyword != nullptr; ++o) {
        if (o->val != nullptr && *o->val != '\0') out.emplace_back(o->keyword);
    }
    return out;
}

Result<void> ValidateDsn(const std::string& dsn) {
    Parsed parsed;
    Parse(dsn, parsed);
    if (parsed.opts == nullptr) {
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("malformed DSN: {}; write it as postgresql://user@host:5432/dbname or as "
                                     "key=value pairs such as \"host=localhost dbname=app user=me\"",
                                     parsed.error.empty() ? "cannot parse it" : parsed.error));
    }
    for (PQconninfoOption* o = parsed.opts; o->keyword != nullptr; ++o) {
        if (std::strcmp(o->keyword, "port") != 0 || o->val == nullptr) continue;
        // A host list may carry a port list: "5432,5433".
        for (const auto& port : Split(o->val, ',')) {
            int n = 0;
            const auto end = port.data() + port.size();
            if (port.empty() || std::from_chars(port.data(), end, n).ptr != end || n < 1 || n > 65535) {
                return MakeError(ErrorCode::kInvalidArgument,
                                 fmt::format("malformed DSN: port \"{}\" is not a number from 1 to 65535", port));
            }
        }
    }
    return {};
}

namespace {

// A path no file can have (/dev/null is not a directory): libpq treats it as a missing file.
constexpr const char* kNoFile = "/dev/null/optischema-untrusted-dsn";

// A value in key=value form: quoted, with \ and ' escaped.
std::string QuoteDsnValue(std::string_view value) {
    std::string out = "'";
    for (const char c : value) {
        if (c == '\\' || c == '\'') out += '\\';
        out += c;
    }
    return out + "'";
}

}  // namespace

Result<void> CheckUntrustedDsn(const std::string& dsn,
                               const std::vector<std::string>& allowed,
                               std::string_view allow_hint) {
    if (auto ok = ValidateDsn(dsn); !ok) return ok;
    for (const auto& keyword : DsnKeywords(dsn)) {
        const bool server_side = std::find(std::begin(kServerSideDsnKeywords), std::end(kServerSideDsnKeywords),
                                           keyword) != std::end(kServerSideDsnKeywords);
        if (!server_side || std::find(allowed.begin(), allowed.end(), keyword) != allowed.end()) continue;
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("the DSN sets {}, which a target added through the API may not use: it would "
                                     "make the server use its own files or credentials for someone else's "
                                     "connection. Remove {} from the DSN, name the target in the server's config "
                                     "file instead, or allow it there with {}",
                                     keyword, keyword, allow_hint));
    }
    return {};
}

Result<std::string> ConfineUntrustedDsn(const std::string& dsn) {
    Parsed parsed;
    Parse(dsn, parsed);
    if (parsed.opts == nullptr) return tl::unexpected(ValidateDsn(dsn).error());
    bool has_password = false, has_passfile = false, has_service = false, has_sslcert = false, has_sslkey = false;
    std::string out;
    for (PQconninfoOption* o = parsed.opts; o->keyword != nullptr; ++o) {
        if (o->val == nullptr) continue;
        const std::string_view key = o->keyword;
        has_password |= key == "password";
        has_passfile |= key == "passfile";
        has_service |= key == "service";
        has_sslcert |= key == "sslcert";
        has_sslkey |= key == "sslkey";
        if (!out.empty()) out += ' ';
        out += fmt::format("{}={}", key, QuoteDsnValue(o->val));
    }
    const char* env_service = std::getenv("PGSERVICE");
    if (!has_service && env_service != nullptr && *env_service != '\0') {
        return MakeError(ErrorCode::kPrerequisiteMissing,
                         "PGSERVICE is set in the server's environment, and libpq would apply that service (its "
                         "host, user and password) to targets added through the API: unset PGSERVICE for the "
                         "server and name the service in the config file's targets (dsn = \"service=...\") instead");
    }
    const auto add = [&](std::string_view key, std::string_view value) {
        if (!out.empty()) out += ' ';
        out += fmt::format("{}={}", key, QuoteDsnValue(value));
    };
    if (!has_passfile) add("passfile", kNoFile);
    if (!has_password) add("password", "");
    if (!has_sslcert) add("sslcert", kNoFile);
    if (!has_sslkey) add("sslkey", kNoFile);
    return out;
}

std::string RedactDsn(const std::string& dsn) {
    if (Trim(dsn).empty()) return "(libpq defaults)";
    Parsed parsed;
    Parse(dsn, parsed);
    if (parsed.opts == nullptr) return "(malformed DSN)";
    std::string host, port, dbname, user;
    for (PQconninfoOption* o = parsed.opts; o->keyword != nullptr; ++o) {
        if (o->val == nullptr || *o->val == '\0') continue;
        const std::string_view key = o->keyword;
        if (key == "password") continue;
        if (key == "host" || key == "hostaddr") {
            host = o->val;
        } else if (key == "port") {
            port = o->val;
        } else if (key == "dbname") {
            dbname = o->val;
        } else if (key == "user") {
            user = o->val;
        }
    }
    // One readable shape whatever the input: user@host:port/dbname, empty parts left out.
    std::string out;
    if (!user.empty()) out += user + "@";
    out += host.empty() ? "localhost" : host;
    if (!port.empty()) out += ":" + port;
    if (!dbname.empty()) out += "/" + dbname;
    return out;
}

}  // namespace optischema::pg
