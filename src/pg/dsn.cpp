#include "pg/dsn.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>

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

// libpq quotes the offending part of a malformed DSN, which may be a password ("invalid
// percent-encoded token", or the whole URI). Only quoted parts that look like an option name
// are kept; anything else is hidden, so the message is safe for logs, the audit trail and responses.
std::string HideQuotedValues(std::string_view message) {
    std::string out;
    std::size_t pos = 0;
    while (pos < message.size()) {
        const auto open = message.find('"', pos);
        const auto close = open == std::string_view::npos ? open : message.find('"', open + 1);
        if (close == std::string_view::npos) {
            out.append(message.substr(pos));
            break;
        }
        const auto quoted = message.substr(open + 1, close - open - 1);
        out.append(message.substr(pos, open - pos));
        out += IsShortIdentifier(quoted) ? fmt::format("\"{}\"", quoted) : std::string("(hidden)");
        pos = close + 1;
    }
    return out;
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
