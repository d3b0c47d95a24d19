#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"

/// Reading a model's answer to the explain prompt (llm/prompt.hpp). Pure.
namespace optischema::llm {

/// A rewritten query the model proposes; unverified until the engine checks it.
struct Rewrite {
    std::string sql;
    std::string rationale;
};

/// An index the model proposes; unverified until what-if costing checks it.
struct IndexIdea {
    std::string ddl;
    std::string rationale;
};

/// The structured answer.
struct Answer {
    std::string explanation;  // markdown as the model wrote it, without a code fence wrapping all of it
    std::vector<Rewrite> rewrites;
    std::vector<IndexIdea> index_ideas;
    std::vector<std::string> risks;
    std::vector<std::string> warnings;  // what was wrong with the answer and skipped or recovered
};

/// Reads the answer from bare JSON, JSON in a ```json fence, JSON with prose before or after it,
/// or truncated JSON (the complete parts are kept, with a warning). Items of the wrong type are
/// skipped with a warning. An answer with no JSON object at all but some prose becomes the
/// explanation, with a warning. Fails (kQueryFailed) on an empty answer or when nothing usable is left.
[[nodiscard]] Result<Answer> ParseAnswer(std::string_view text);

/// `text` without a code fence (```markdown ... ```, ```md, ```text or bare ```) wrapping all of it.
[[nodiscard]] std::string StripWrappingFence(std::string_view text);

}  // namespace optischema::llm
