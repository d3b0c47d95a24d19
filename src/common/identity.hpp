#pragma once

#include <cctype>
#include <string>
#include <string_view>

namespace optischema {

/// The application_name of every session OptiSchema opens.
inline constexpr std::string_view kApplicationName = "optischema";

/// The comment in every statement OptiSchema sends. pg_stat_statements keeps comments but not
/// application_name, so this is how the collector recognises (and leaves out) its own statements.
inline constexpr std::string_view kStatementTag = "/* optischema */";

namespace identity_detail {
inline std::size_t FirstWordEnd(std::string_view sql, std::size_t start) {
    std::size_t end = start;
    while (end < sql.size() && std::isalpha(static_cast<unsigned char>(sql[end])) != 0) ++end;
    return end;
}
inline std::size_t FirstNonSpace(std::string_view sql) {
    std::size_t start = 0;
    while (start < sql.size() && std::isspace(static_cast<unsigned char>(sql[start])) != 0) ++start;
    return start;
}
}  // namespace identity_detail

/// `sql` with kStatementTag after its first keyword ("SELECT /* optischema */ 1"), or in front when it
/// does not start with a word. Not in front of a keyword: PostgreSQL 18's pg_stat_statements keeps a
/// statement's text from its first token on, dropping the comments that lead it.
inline std::string TagStatement(std::string_view sql) {
    const std::size_t start = identity_detail::FirstNonSpace(sql);
    const std::size_t end = identity_detail::FirstWordEnd(sql, start);
    if (end == start) return std::string(kStatementTag) + " " + std::string(sql);
    return std::string(sql.substr(0, end)) + " " + std::string(kStatementTag) + std::string(sql.substr(end));
}

/// Whether a text (as pg_stat_statements keeps it) carries the tag where TagStatement puts it, or in
/// front (as texts recorded from PostgreSQL 17 and earlier by older versions of OptiSchema do).
inline bool IsTaggedText(std::string_view text) {
    const std::size_t start = identity_detail::FirstNonSpace(text);
    if (text.substr(start).starts_with(kStatementTag)) return true;
    const std::size_t end = identity_detail::FirstWordEnd(text, start);
    return end > start && text.substr(end).starts_with(" " + std::string(kStatementTag));
}

}  // namespace optischema
