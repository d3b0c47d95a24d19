#include <algorithm>

#include <fmt/format.h>

#include "sqlparse/sqlparse.hpp"

namespace optischema::sqlparse {

Result<std::vector<ReplacedConstant>> ReplacedConstants(std::string_view sql,
                                                        std::string_view normalized,
                                                        const model::ParsedQuery& normalized_parsed) {
    auto mismatch = [] {
        return MakeError(ErrorCode::kInternal, "the normalized statement does not line up with the statement");
    };
    auto tokens = Scan(sql);
    if (!tokens) return tl::unexpected(tokens.error());
    std::vector<model::ParamRef> refs = normalized_parsed.param_refs;
    std::sort(refs.begin(), refs.end(), [](const auto& a, const auto& b) { return a.location < b.location; });
    std::vector<ReplacedConstant> out;
    std::size_t i = 0;  // in sql
    std::size_t j = 0;  // in normalized
    std::size_t t = 0;  // in tokens
    for (const auto& ref : refs) {
        const auto location = static_cast<std::size_t>(ref.location);
        const std::string param = fmt::format("${}", ref.number);
        if (location < j || location >= normalized.size() || normalized.substr(location, param.size()) != param) {
            return mismatch();
        }
        const std::string_view same = normalized.substr(j, location - j);
        if (sql.substr(i, same.size()) != same) return mismatch();
        i += same.size();
        j = location + param.size();
        while (t < tokens->size() && (*tokens)[t].start < i) ++t;
        if (t == tokens->size() || (*tokens)[t].start != i) return mismatch();
        const Token& token = (*tokens)[t];
        if (token.kind == TokenKind::kParam && sql.substr(i, token.end - i) == param) {
            i = token.end;  // a parameter the statement already had
            continue;
        }
        // As in pg_stat_statements, a minus sign and the token after it are one negative constant.
        std::size_t end = token.end;
        if (sql.substr(i, end - i) == "-" && t + 1 < tokens->size()) end = (*tokens)[t + 1].end;
        out.push_back({ref.number, std::string(sql.substr(i, end - i))});
        i = end;
    }
    if (sql.substr(i) != normalized.substr(j)) return mismatch();
    return out;
}

}  // namespace optischema::sqlparse
