// SQL text -> ParsedQuery: what OptiSchema does with a statement text anyone with a login can plant in
// pg_stat_statements (fingerprint, normalize, scan, parse, constants, split, index DDL), and the
// runnable sample the analyzer builds from a normalized text.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/sample.hpp"
#include "sqlparse/sqlparse.hpp"

namespace sql = optischema::sqlparse;
namespace analyzer = optischema::analyzer;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);

    (void)sql::Fingerprint(text);
    (void)sql::SplitStatements(text);
    if (auto tokens = sql::Scan(text)) {
        for (const auto& t : *tokens) {
            // Offsets are bytes into the text, in order: anything else would index past it.
            if (t.start > t.end || t.end > text.size()) __builtin_trap();
        }
    }
    if (auto parsed = sql::Parse(text)) {
        std::vector<analyzer::ParamContext> params;
        for (const auto& use : analyzer::ParamUses(*parsed)) params.push_back({use, "text", std::nullopt});
        (void)analyzer::BuildSample(text, *parsed, params);
    }
    if (auto normalized = sql::Normalize(text)) {
        if (auto normalized_parsed = sql::Parse(*normalized)) {
            (void)sql::ReplacedConstants(text, *normalized, *normalized_parsed);
        }
    }
    if (auto ddl = sql::ParseIndexDdl(text); ddl && ddl->create) {
        (void)sql::IndexColumns(text);
        (void)sql::WithIndexName(text, "optischema_fuzz_idx");
    }
    return 0;
}
