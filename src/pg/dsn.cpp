#include "pg/dsn.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
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
