#include <cstdint>

#include "common/strings.hpp"
#include "sqlparse/internal/pg_query_result.hpp"
#include "sqlparse/sqlparse.hpp"

namespace optischema::sqlparse {
namespace {

// pg_query.proto's numbers: the ScanResult and ScanToken fields, and the tokens of its Token enum
// that are not keywords. Single-character tokens ("(", "-", ...) are their ASCII codes.
constexpr std::uint64_t kResultTokens = 2;
constexpr std::uint64_t kTokenStart = 1;
constexpr std::uint64_t kTokenEnd = 2;
constexpr std::uint64_t kTokenToken = 4;
constexpr std::uint64_t kTokenKeywordKind = 5;
constexpr std::uint64_t kIdent = 258;
constexpr std::uint64_t kUident = 259;
constexpr std::uint64_t kFconst = 260;
constexpr std::uint64_t kSconst = 261;
constexpr std::uint64_t kUsconst = 262;
constexpr std::uint64_t kBconst = 263;
constexpr std::uint64_t kXconst = 264;
constexpr std::uint64_t kIconst = 266;
constexpr std::uint64_t kParam = 267;
constexpr std::uint64_t kSqlComment = 275;
constexpr std::uint64_t kCComment = 276;

// The protobuf wire format (protobuf.dev/programming-guides/encoding): libpg_query's generated
// protobuf-c reader needs headers this build does not have, and a scan result is two message types
// of varints.
class WireReader {
public:
    explicit WireReader(std::string_view bytes) : bytes_(bytes) {}

    [[nodiscard]] bool Done() const { return pos_ >= bytes_.size(); }

    /// The next field's number and wire type; false at a malformed tag.
    bool Tag(std::uint64_t& field, std::uint64_t& wire_type) {
        std::uint64_t tag = 0;
        if (!Varint(tag)) return false;
        field = tag >> 3;
        wire_type = tag & 7;
        return true;
    }

    bool Varint(std::uint64_t& value) {
        value = 0;
        for (int shift = 0; shift < 64 && pos_ < bytes_.size(); shift += 7) {
            const auto byte = static_cast<std::uint8_t>(bytes_[pos_++]);
            value |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
            if ((byte & 0x80) == 0) return true;
        }
        return false;
    }

    /// A length-delimited field's bytes (wire type 2).
    bool Bytes(std::string_view& out) {
        std::uint64_t size = 0;
        if (!Varint(size) || size > bytes_.size() - pos_) return false;
        out = bytes_.substr(pos_, size);
        pos_ += size;
        return true;
    }

    /// Skips a field of a type this reader does not need.
    bool Skip(std::uint64_t wire_type) {
        std::uint64_t ignored = 0;
        std::string_view ignored_bytes;
        switch (wire_type) {
            case 0:
                return Varint(ignored);
            case 1:
                return Advance(8);
            case 2:
                return Bytes(ignored_bytes);
            case 5:
                return Advance(4);
            default:
                return false;
        }
    }

private:
    bool Advance(std::size_t n) {
        if (n > bytes_.size() - pos_) return false;
        pos_ += n;
        return true;
    }

    std::string_view bytes_;
    std::size_t pos_ = 0;
};

TokenKind KindOf(std::uint64_t token, std::uint64_t keyword_kind) {
    if (keyword_kind != 0) return TokenKind::kKeyword;
    switch (token) {
        case kIdent:
        case kUident:
            return TokenKind::kIdentifier;
        case kSconst:
        case kUsconst:
        case kBconst:
        case kXconst:
            return TokenKind::kString;
        case kFconst:
        case kIconst:
            return TokenKind::kNumber;
        case kParam:
            return TokenKind::kParam;
        case kSqlComment:
        case kCComment:
            return TokenKind::kComment;
        default:
            return TokenKind::kSymbol;
    }
}

struct RawToken {
    Token token;
    std::uint64_t id = 0;
};

bool ReadToken(std::string_view bytes, RawToken& out) {
    WireReader reader(bytes);
    std::uint64_t keyword_kind = 0;
    while (!reader.Done()) {
        std::uint64_t field = 0;
        std::uint64_t wire_type = 0;
        if (!reader.Tag(field, wire_type)) return false;
        std::uint64_t value = 0;
        if (wire_type != 0) {
            if (!reader.Skip(wire_type)) return false;
            continue;
        }
        if (!reader.Varint(value)) return false;
        if (field == kTokenStart) out.token.start = value;
        if (field == kTokenEnd) out.token.end = value;
        if (field == kTokenToken) out.id = value;
        if (field == kTokenKeywordKind) keyword_kind = value;
    }
    out.token.kind = KindOf(out.id, keyword_kind);
    return true;
}

Error Unreadable() {
    return Error{ErrorCode::kInternal, "cannot read libpg_query's scan result; report the statement as a bug", {}};
}

}  // namespace

Result<std::vector<Token>> Scan(std::string_view sql) {
    const std::string input = Terminated(sql);
    const PgQueryResult<PgQueryScanResult, pg_query_free_scan_result> r(pg_query_scan(input.c_str()));
    if (r->error != nullptr) return tl::unexpected(ParserError(*r->error, sql));
    std::vector<RawToken> raw;
    WireReader reader(std::string_view(r->pbuf.data, r->pbuf.len));
    while (!reader.Done()) {
        std::uint64_t field = 0;
        std::uint64_t wire_type = 0;
        if (!reader.Tag(field, wire_type)) return tl::unexpected(Unreadable());
        if (field != kResultTokens || wire_type != 2) {
            if (!reader.Skip(wire_type)) return tl::unexpected(Unreadable());
            continue;
        }
        std::string_view bytes;
        RawToken token;
        if (!reader.Bytes(bytes) || !ReadToken(bytes, token)) return tl::unexpected(Unreadable());
        raw.push_back(token);
    }
    std::vector<Token> out;
    out.reserve(raw.size());
    for (std::size_t i = 0; i < raw.size(); ++i) {
        Token token = raw[i].token;
        // libpg_query 15-4 gives U&'...' and U&"..." no length: they end where the next token starts.
        if (raw[i].id == kUsconst || raw[i].id == kUident) {
            const std::size_t next = i + 1 < raw.size() ? raw[i + 1].token.start : sql.size();
            token.end = token.start + Trim(sql.substr(token.start, next - token.start)).size();
        }
        if (token.start > token.end || token.end > sql.size()) return tl::unexpected(Unreadable());
        out.push_back(token);
    }
    return out;
}

}  // namespace optischema::sqlparse
