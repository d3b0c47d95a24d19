#include "common/quote.hpp"

#include <algorithm>
#include <iterator>

namespace optischema {
namespace {

// PostgreSQL 15's reserved keywords (and those reserved as column/function names); sorted.
constexpr std::string_view kReserved[] = {"all",
                                          "analyse",
                                          "analyze",
                                          "and",
                                          "any",
                                          "array",
                                          "as",
                                          "asc",
                                          "asymmetric",
                                          "authorization",
                                          "between",
                                          "bigint",
                                          "binary",
                                          "bit",
                                          "boolean",
                                          "both",
                                          "case",
                                          "cast",
                                          "char",
                                          "character",
                                          "check",
                                          "coalesce",
                                          "collate",
                                          "collation",
                                          "column",
                                          "concurrently",
                                          "constraint",
                                          "create",
                                          "cross",
                                          "current_catalog",
                                          "current_date",
                                          "current_role",
                                          "current_schema",
                                          "current_time",
                                          "current_timestamp",
                                          "current_user",
                                          "dec",
                                          "decimal",
                                          "default",
                                          "deferrable",
                                          "desc",
                                          "distinct",
                                          "do",
                                          "else",
                                          "end",
                                          "except",
                                          "exists",
                                          "extract",
                                          "false",
                                          "fetch",
                                          "float",
                                          "for",
                                          "foreign",
                                          "freeze",
                                          "from",
                                          "full",
                                          "grant",
                                          "group",
                                          "having",
                                          "ilike",
                                          "in",
                                          "initially",
                                          "inner",
                                          "int",
                                          "integer",
                                          "intersect",
                                          "interval",
                                          "into",
                                          "is",
                                          "isnull",
                                          "join",
                                          "lateral",
                                          "leading",
                                          "left",
                                          "like",
                                          "limit",
                                          "localtime",
                                          "localtimestamp",
                                          "natural",
                                          "not",
                                          "notnull",
                                          "null",
                                          "numeric",
                                          "offset",
                                          "on",
                                          "only",
                                          "or",
                                          "order",
                                          "outer",
                                          "overlaps",
                                          "placing",
                                          "primary",
                                          "references",
                                          "returning",
                                          "right",
                                          "select",
                                          "session_user",
                                          "similar",
                                          "smallint",
                                          "some",
                                          "symmetric",
                                          "table",
                                          "tablesample",
                                          "then",
                                          "time",
                                          "timestamp",
                                          "to",
                                          "trailing",
                                          "true",
                                          "union",
                                          "unique",
                                          "user",
                                          "using",
                                          "values",
                                          "varchar",
                                          "variadic",
                                          "verbose",
                                          "when",
                                          "where",
                                          "window",
                                          "with"};

bool IsReserved(std::string_view word) { return std::binary_search(std::begin(kReserved), std::end(kReserved), word); }

}  // namespace

std::string QuoteIdent(std::string_view name) {
    bool safe = !name.empty() && ((name[0] >= 'a' && name[0] <= 'z') || name[0] == '_');
    for (char c : name) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) safe = false;
    }
    if (safe && !IsReserved(name)) return std::string(name);
    std::string out = "\"";
    for (char c : name) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

namespace {

// The length of the control character at text[i] (HasControlCharacters), 0 when there is none.
std::size_t ControlLength(std::string_view text, std::size_t i) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    if (byte(i) < 0x20 || byte(i) == 0x7f) return 1;
    if (byte(i) == 0xc2 && i + 1 < text.size() && byte(i + 1) >= 0x80 && byte(i + 1) <= 0x9f) return 2;
    if (byte(i) == 0xe2 && i + 2 < text.size() && byte(i + 1) == 0x80 && (byte(i + 2) == 0xa8 || byte(i + 2) == 0xa9))
        return 3;
    return 0;
}

}  // namespace

bool HasControlCharacters(std::string_view text) {
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (ControlLength(text, i) > 0) return true;
    }
    return false;
}

std::string SqlCommentText(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        if (const auto n = ControlLength(text, i); n > 0) {
            out += ' ';
            i += n;
        } else if (text.substr(i, 2) == "*/" || text.substr(i, 2) == "/*") {
            out += text[i] == '*' ? "* " : " *";
            i += 2;
        } else {
            out += text[i++];
        }
    }
    return out;
}

std::string QuoteLiteral(std::string_view value) {
    const bool has_backslash = value.find('\\') != std::string_view::npos;
    std::string out = has_backslash ? "E'" : "'";
    for (char c : value) {
        if (c == '\'') out += '\'';
        if (c == '\\') out += '\\';
        out += c;
    }
    return out + "'";
}

}  // namespace optischema
