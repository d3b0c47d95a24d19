#include <algorithm>

#include <fmt/format.h>

#include "sqlparse/internal/extractor.hpp"
#include "sqlparse/internal/parse_tree.hpp"
#include "sqlparse/sqlparse.hpp"

namespace optischema::sqlparse {
namespace {

// Deeper parse trees are rejected because the walk recurses per level: 1000 JSON levels (about 480
// chained operators such as `a + a + ... + a`) take under 1 MiB of stack even in a debug build.
constexpr std::size_t kMaxTreeDepth = 1000;

}  // namespace

Result<model::ParsedQuery> Parse(std::string_view sql) {
    auto tree = ParseTree(sql);
    if (!tree) return tl::unexpected(tree.error());
    try {
        const json* stmts = Field(*tree, "stmts");
        const json* stmt =
            stmts != nullptr && stmts->is_array() && !stmts->empty() ? Field((*stmts)[0], "stmt") : nullptr;
        if (stmt == nullptr) {
            return MakeError(ErrorCode::kParseError,
                             "cannot parse SQL: the input holds no statement (empty, or only comments); "
                             "pass one SQL statement");
        }
        if (TreeDepth(*stmt, kMaxTreeDepth) > kMaxTreeDepth) {
            return MakeError(ErrorCode::kParseError,
                             fmt::format("cannot analyse SQL: its parse tree nests more than {} levels deep; "
                                         "simplify the deepest expression (e.g. a long chain of operators)",
                                         kMaxTreeDepth));
        }
        auto parsed = Extractor(sql).Run(*stmt);
        std::sort(parsed.param_refs.begin(), parsed.param_refs.end(),
                  [](const auto& a, const auto& b) { return a.location < b.location; });
        parsed.statement_count = static_cast<int>(stmts->size());
        return parsed;
    } catch (const json::exception& e) {
        return MakeError(
            ErrorCode::kInternal,
            fmt::format("cannot read libpg_query's parse tree: {}; report the statement as a bug", e.what()));
    }
}

}  // namespace optischema::sqlparse
