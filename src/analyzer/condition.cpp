#include "analyzer/internal/condition.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace optischema::analyzer::internal {
namespace {

// Words of a plan condition that are not column names.
constexpr std::array<std::string_view, 23> kConditionKeywords = {
    "AND",  "OR",   "NOT",  "IS",  "NULL", "ANY",  "ALL",      "TRUE", "FALSE", "SubPlan", "hashed",  "CASE",
    "WHEN", "THEN", "ELSE", "END", "IN",   "LIKE", "DISTINCT", "FROM", "ARRAY", "returns", "InitPlan"};

// Reads an identifier (plain or double-quoted) at `i`; returns false when there is none.
bool ReadIdent(std::string_view text, std::size_t& i, std::string& out) {
    out.clear();
    if (i < text.size() && text[i] == '"') {
        for (++i; i < text.size(); ++i) {
            if (text[i] == '"') {
                if (i + 1 < text.size() && text[i + 1] == '"') {
                    out += '"';
                    ++i;
                    continue;
                }
                ++i;
                return true;
            }
            out += text[i];
        }
        return true;
    }
    if (i >= text.size() || !IsIdentStart(text[i])) return false;
    while (i < text.size() && IsIdentChar(text[i])) out += text[i++];
    return true;
}

// Calls visit(i, depth) for each character of `text` outside string literals (a closing quote
// included), with the parenthesis depth after it, until visit returns false.
template <typename Visit>
void ScanOutsideLiterals(std::string_view text, Visit visit) {
    int depth = 0;
    bool quoted = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\'') quoted = !quoted;
        if (quoted) continue;
        if (text[i] == '(') ++depth;
        if (text[i] == ')') --depth;
        if (!visit(i, depth)) return;
    }
}

// Strips the parentheses that wrap the whole of `s`: "((a) OR (b))" -> "(a) OR (b)".
std::string_view StripWrappingParens(std::string_view s) {
    while (s.size() >= 2 && s.front() == '(' && s.back() == ')') {
        bool wraps = true;
        ScanOutsideLiterals(s, [&](std::size_t i, int depth) {
            if (depth == 0 && i + 1 < s.size()) wraps = false;
            return wraps;
        });
        if (!wraps) break;
        s = s.substr(1, s.size() - 2);
    }
    return s;
}

}  // namespace

bool IsIdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_'; }

bool IsIdentChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '$'; }

std::vector<CondRef> ConditionRefs(std::string_view text) {
    std::vector<CondRef> out;
    char prev = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        const char c = text[i];
        if (c == '\'') {
            for (++i; i < text.size(); ++i) {
                if (text[i] == '\'') {
                    if (i + 1 < text.size() && text[i + 1] == '\'') {
                        ++i;
                        continue;
                    }
                    break;
                }
            }
            ++i;
            prev = '\'';
            continue;
        }
        if (std::isdigit(static_cast<unsigned char>(c)) != 0) {
            while (i < text.size() && (IsIdentChar(text[i]) || text[i] == '.')) ++i;
            prev = '0';
            continue;
        }
        if (!IsIdentStart(c) && c != '"') {
            if (std::isspace(static_cast<unsigned char>(c)) == 0) prev = c;
            ++i;
            continue;
        }
        const bool after_cast = prev == ':';
        const char before = prev;
        std::string first;
        std::string second;
        ReadIdent(text, i, first);
        if (i + 1 < text.size() && text[i] == '.' && (IsIdentStart(text[i + 1]) || text[i + 1] == '"')) {
            ++i;
            ReadIdent(text, i, second);
        }
        prev = 'a';
        std::size_t j = i;
        while (j < text.size() && text[j] == ' ') ++j;
        if (j < text.size() && text[j] == '(') continue;  // a function name
        if (after_cast) continue;
        if (second.empty() &&
            std::find(kConditionKeywords.begin(), kConditionKeywords.end(), first) != kConditionKeywords.end())
            continue;
        CondRef ref;
        if (second.empty()) {
            ref.column = first;
        } else {
            ref.qualifier = first;
            ref.column = second;
        }
        ref.before = before;
        std::size_t k = j;
        while (k < text.size() && std::string_view("=<>!~*").find(text[k]) != std::string_view::npos) ++k;
        if (k > j) {
            ref.op_after = std::string(text.substr(j, k - j));
        } else if (text.substr(j).starts_with("IS ")) {
            ref.op_after = "IS";
        }
        out.push_back(std::move(ref));
    }
    return out;
}

bool QualifierMatches(const CondRef& ref, const model::PlanNode& scan) {
    return ref.qualifier.empty() || ref.qualifier == scan.alias || ref.qualifier == scan.relation;
}

bool ContainsWord(std::string_view text, std::string_view word) {
    if (word.empty()) return false;
    for (std::size_t pos = text.find(word); pos != std::string_view::npos; pos = text.find(word, pos + 1)) {
        const bool left = pos == 0 || !IsIdentChar(text[pos - 1]);
        const bool right = pos + word.size() >= text.size() || !IsIdentChar(text[pos + word.size()]);
        if (left && right) return true;
    }
    return false;
}

std::vector<std::string> OrBranches(std::string_view cond) {
    const std::string_view body = StripWrappingParens(cond);
    std::vector<std::string> out;
    std::size_t start = 0;
    ScanOutsideLiterals(body, [&](std::size_t i, int depth) {
        // Characters of an " OR " already split at are not looked at again.
        if (i >= start && depth == 0 && body.substr(i).starts_with(" OR ")) {
            out.emplace_back(body.substr(start, i - start));
            start = i + 4;
        }
        return true;
    });
    if (out.empty()) return {};
    out.emplace_back(body.substr(start));
    return out;
}

}  // namespace optischema::analyzer::internal
