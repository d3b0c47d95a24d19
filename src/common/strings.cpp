#include "common/strings.hpp"

#include <cstdlib>

namespace optischema {

std::vector<std::string> Split(std::string_view text, char sep) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (true) {
        const std::size_t pos = text.find(sep, start);
        if (pos == std::string_view::npos) {
            out.emplace_back(text.substr(start));
            return out;
        }
        out.emplace_back(text.substr(start, pos - start));
        start = pos + 1;
    }
}

static bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string Join(const std::vector<std::string>& parts, std::string_view sep) {
    std::string out;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (i > 0) out += sep;
        out += parts[i];
    }
    return out;
}

std::string_view Trim(std::string_view text) {
    while (!text.empty() && IsSpace(text.front())) text.remove_prefix(1);
    while (!text.empty() && IsSpace(text.back())) text.remove_suffix(1);
    return text;
}

std::string CollapseWhitespace(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    bool in_space = false;
    for (char c : Trim(text)) {
        if (IsSpace(c)) {
            in_space = true;
            continue;
        }
        if (in_space) out.push_back(' ');
        in_space = false;
        out.push_back(c);
    }
    return out;
}

static bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

std::size_t Utf8Length(std::string_view text) {
    std::size_t chars = 0;
    for (char c : text) chars += IsContinuationByte(c) ? 0 : 1;
    return chars;
}

std::string Ellipsize(std::string_view text, std::size_t max_chars) {
    if (max_chars == 0 || Utf8Length(text) <= max_chars) return std::string(text);
    // Keep max_chars - 1 characters, cutting only before a lead byte, and end with the ellipsis.
    std::size_t chars = 0;
    std::size_t i = 0;
    for (; i < text.size(); ++i) {
        if (IsContinuationByte(text[i])) continue;
        if (chars == max_chars - 1) break;
        ++chars;
    }
    return std::string(text.substr(0, i)) + "…";
}

std::string DefaultDataDir() {
    if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg != nullptr && *xdg != '\0') {
        return std::string(xdg) + "/optischema";
    }
    if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
        return std::string(home) + "/.local/share/optischema";
    }
    return ".optischema";
}

}  // namespace optischema
