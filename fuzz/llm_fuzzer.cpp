// LLM answers: a provider's response body (OpenAI-compatible and Gemini), the model's answer text in
// it, and the SQL the answer proposes, which OptiSchema reads before it checks a rewrite or an index.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "llm/answer.hpp"
#include "llm/gemini_client.hpp"
#include "llm/openai_client.hpp"
#include "sqlparse/sqlparse.hpp"

namespace llm = optischema::llm;

namespace {

void ReadAnswer(std::string_view text) {
    (void)llm::StripWrappingFence(text);
    auto answer = llm::ParseAnswer(text);
    if (!answer) return;
    for (const auto& rewrite : answer->rewrites) (void)optischema::sqlparse::Parse(rewrite.sql);
    for (const auto& idea : answer->index_ideas) {
        if (auto ddl = optischema::sqlparse::ParseIndexDdl(idea.ddl); ddl && ddl->create) {
            (void)optischema::sqlparse::IndexColumns(idea.ddl);
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    ReadAnswer(body);
    if (auto completion = llm::ParseOpenAiResponse(body, "https://llm.invalid/v1/chat/completions")) {
        ReadAnswer(completion->text);
    }
    if (auto completion = llm::ParseGeminiResponse(body, "https://llm.invalid/v1beta/models/m:generateContent")) {
        ReadAnswer(completion->text);
    }
    return 0;
}
