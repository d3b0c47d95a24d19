#include "llm/answer.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <initializer_list>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/strings.hpp"

namespace optischema::llm {
namespace {

using nlohmann::json;

constexpr int kMaxDepth = 64;

/// A JSON reader that forgives what models get wrong: raw newlines in strings, trailing commas, and
/// an end of text in the middle of a value (the answer hit the token limit). At the end of text, an
/// object keeps its complete members and a member whose array or object value was cut (with that
/// value's complete elements); an array keeps its complete elements; a cut scalar is dropped.
class TolerantReader {
public:
    enum class Status { kComplete, kCut, kSyntaxError };

    struct Value {
        Status status = Status::kSyntaxError;
        std::optional<json> value;  // set when complete, or when a cut container kept something
    };

    TolerantReader(std::string_view text, std::size_t pos) : text_(text), pos_(pos) {}

    Value Read(int depth = 0) {
        SkipSpace();
        if (AtEnd()) return {Status::kCut, std::nullopt};
        if (depth > kMaxDepth) return {};
        const char c = text_[pos_];
        if (c == '{') return ReadObject(depth);
        if (c == '[') return ReadArray(depth);
        if (c == '"') {
            auto s = ReadString();
            if (!s) return {cut_ ? Status::kCut : Status::kSyntaxError, std::nullopt};
            return {Status::kComplete, json(std::move(*s))};
        }
        if (c == 't') return ReadLiteral("true", json(true));
        if (c == 'f') return ReadLiteral("false", json(false));
        if (c == 'n') return ReadLiteral("null", json(nullptr));
        if (c == '-' || std::isdigit(static_cast<unsigned char>(c))) return ReadNumber();
        return {};
    }

private:
    bool AtEnd() const { return pos_ >= text_.size(); }

    void SkipSpace() {
        while (!AtEnd() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    }

    Value ReadLiteral(std::string_view word, json value) {
        const std::string_view rest = text_.substr(pos_);
        if (rest.starts_with(word)) {
            pos_ += word.size();
            return {Status::kComplete, std::move(value)};
        }
        if (word.starts_with(rest)) {
            pos_ = text_.size();
            return {Status::kCut, std::nullopt};
        }
        return {};
    }

    Value ReadNumber() {
        const std::size_t start = pos_;
        while (!AtEnd() && (std::isdigit(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '-' ||
                            text_[pos_] == '+' || text_[pos_] == '.' || text_[pos_] == 'e' || text_[pos_] == 'E')) {
            ++pos_;
        }
        // A number running into the end of the text may have lost digits.
        if (AtEnd()) return {Status::kCut, std::nullopt};
        const std::string digits(text_.substr(start, pos_ - start));
        char* end = nullptr;
        const double v = std::strtod(digits.c_str(), &end);
        if (end != digits.c_str() + digits.size()) return {};
        if (digits.find_first_of(".eE") == std::string::npos && std::abs(v) < 9e15) {
            return {Status::kComplete, json(static_cast<std::int64_t>(v))};
        }
        return {Status::kComplete, json(v)};
    }

    static void AppendUtf8(std::string& out, std::uint32_t cp) {
        if (cp < 0x80) {
            out += static_cast<char>(cp);
        } else if (cp < 0x800) {
            out += static_cast<char>(0xC0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out += static_cast<char>(0xE0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | (cp >> 18));
            out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        }
    }

    std::optional<std::uint32_t> Hex4() {
        if (pos_ + 4 > text_.size()) {
            pos_ = text_.size();
            cut_ = true;
            return std::nullopt;
        }
        std::uint32_t v = 0;
        for (int i = 0; i < 4; ++i) {
            const char c = text_[pos_++];
            v <<= 4;
            if (c >= '0' && c <= '9') {
                v |= static_cast<std::uint32_t>(c - '0');
            } else if (c >= 'a' && c <= 'f') {
                v |= static_cast<std::uint32_t>(c - 'a' + 10);
            } else if (c >= 'A' && c <= 'F') {
                v |= static_cast<std::uint32_t>(c - 'A' + 10);
            } else {
                return std::nullopt;
            }
        }
        return v;
    }

    // At a '"'. Returns the decoded string; nullopt with cut_ set when the text ends inside it.
    std::optional<std::string> ReadString() {
        cut_ = false;
        ++pos_;
        std::string out;
        while (!AtEnd()) {
            const char c = text_[pos_++];
            if (c == '"') return out;
            if (c != '\\') {
                out += c;  // raw control characters (a literal newline) are accepted
                continue;
            }
            if (AtEnd()) break;
            const char e = text_[pos_++];
            switch (e) {
                case 'n':
                    out += '\n';
                    break;
                case 't':
                    out += '\t';
                    break;
                case 'r':
                    out += '\r';
                    break;
                case 'b':
                    out += '\b';
                    break;
                case 'f':
                    out += '\f';
                    break;
                case 'u': {
                    auto cp = Hex4();
                    if (!cp) return std::nullopt;
                    if (*cp >= 0xD800 && *cp <= 0xDBFF && text_.substr(pos_).starts_with("\\u")) {
                        pos_ += 2;
                        auto low = Hex4();
                        if (!low) return std::nullopt;
                        if (*low >= 0xDC00 && *low <= 0xDFFF) {
                            *cp = 0x10000 + ((*cp - 0xD800) << 10) + (*low - 0xDC00);
                        }
                    }
                    AppendUtf8(out, *cp);
                    break;
                }
                default:
                    out += e;  // \" \\ \/ and unknown escapes stand for themselves
            }
        }
        cut_ = true;
        return std::nullopt;
    }

    Value ReadObject(int depth) {
        ++pos_;
        json object = json::object();
        auto cut = [&] { return Value{Status::kCut, std::move(object)}; };
        for (;;) {
            SkipSpace();
            if (AtEnd()) return cut();
            if (text_[pos_] == '}') {
                ++pos_;
                return {Status::kComplete, std::move(object)};
            }
            if (text_[pos_] == ',') {  // between members, or trailing before '}'
                ++pos_;
                continue;
            }
            if (text_[pos_] != '"') return {};
            auto key = ReadString();
            if (!key) return cut_ ? cut() : Value{};
            SkipSpace();
            if (AtEnd()) return cut();
            if (text_[pos_] != ':') return {};
            ++pos_;
            Value member = Read(depth + 1);
            if (member.status == Status::kSyntaxError) return {};
            if (member.status == Status::kCut) {
                if (member.value && (member.value->is_array() || member.value->is_object())) {
                    object[*key] = std::move(*member.value);
                }
                return cut();
            }
            object[*key] = std::move(*member.value);
        }
    }

    Value ReadArray(int depth) {
        ++pos_;
        json array = json::array();
        for (;;) {
            SkipSpace();
            if (AtEnd()) return {Status::kCut, std::move(array)};
            if (text_[pos_] == ']') {
                ++pos_;
                return {Status::kComplete, std::move(array)};
            }
            if (text_[pos_] == ',') {
                ++pos_;
                continue;
            }
            Value element = Read(depth + 1);
            if (element.status == Status::kSyntaxError) return {};
            if (element.status == Status::kCut) return {Status::kCut, std::move(array)};
            array.push_back(std::move(*element.value));
        }
    }

    std::string_view text_;
    std::size_t pos_;
    bool cut_ = false;
};

constexpr const char* kKeys[] = {"explanation", "rewrites", "index_ideas", "risks"};

bool HasAnswerKey(const json& object) {
    for (const char* k : kKeys) {
        if (object.contains(k)) return true;
    }
    return false;
}

struct Found {
    json object;
    bool cut = false;
};

// The first '{' that starts an object with at least one of the answer's keys; prose and code fences
// around it are skipped.
std::optional<Found> FindAnswerObject(std::string_view text) {
    // Each candidate may read to the end of the text: bound the work on an adversarial answer.
    constexpr int kMaxCandidates = 256;
    int candidates = 0;
    for (std::size_t pos = text.find('{'); pos != std::string_view::npos && candidates++ < kMaxCandidates;
         pos = text.find('{', pos + 1)) {
        TolerantReader reader(text, pos);
        auto v = reader.Read();
        if (v.status == TolerantReader::Status::kSyntaxError || !v.value || !v.value->is_object()) continue;
        if (!HasAnswerKey(*v.value)) continue;
        return Found{std::move(*v.value), v.status == TolerantReader::Status::kCut};
    }
    return std::nullopt;
}

bool LooksLikeProse(std::string_view text) {
    int words = 0;
    int letters = 0;
    for (const char c : text) {
        if (std::isalpha(static_cast<unsigned char>(c))) {
            ++letters;
        } else {
            if (letters >= 2) ++words;
            letters = 0;
        }
    }
    if (letters >= 2) ++words;
    return words >= 3;
}

// `text` without a fence around all of it whose language is empty or one of `langs`.
std::string StripFence(std::string_view text, std::initializer_list<std::string_view> langs) {
    const std::string_view t = Trim(text);
    if (!t.starts_with("```") || t.size() < 6 || !t.ends_with("```")) return std::string(t);
    const std::size_t first_newline = t.find('\n');
    if (first_newline == std::string_view::npos) return std::string(t);
    std::string lang(Trim(t.substr(3, first_newline - 3)));
    for (auto& c : lang) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!lang.empty() && std::find(langs.begin(), langs.end(), lang) == langs.end()) return std::string(t);
    const std::string_view inner = t.substr(first_newline + 1, t.size() - 3 - (first_newline + 1));
    // A bare fence wraps everything only when no other fence is inside ("```a```b```c```" is two
    // blocks); a ```markdown fence is a wrapper even around the code blocks of its text.
    const bool wrapper = lang == "markdown" || lang == "md";
    if (!wrapper && inner.find("```") != std::string_view::npos) return std::string(t);
    return std::string(Trim(inner));
}

std::string TypeName(const json& v) { return v.type_name(); }

// Reads an array of {text_key, "rationale"} objects.
template <typename Item>
std::vector<Item> ReadItems(const json& object,
                            const char* field,
                            const char* text_key,
                            std::string Item::*text,
                            std::vector<std::string>& warnings) {
    std::vector<Item> out;
    if (!object.contains(field) || object[field].is_null()) return out;
    const json& list = object[field];
    if (!list.is_array()) {
        warnings.push_back(fmt::format("\"{}\" is a {}, not a list: skipped", field, TypeName(list)));
        return out;
    }
    for (std::size_t i = 0; i < list.size(); ++i) {
        const json& item = list[i];
        if (!item.is_object() || !item.contains(text_key) || !item[text_key].is_string()) {
            warnings.push_back(
                fmt::format("{}[{}] skipped: it has no \"{}\" text (it is a {})", field, i, text_key, TypeName(item)));
            continue;
        }
        const std::string value = StripFence(item[text_key].get<std::string>(), {"sql"});
        if (value.empty()) {
            warnings.push_back(fmt::format("{}[{}] skipped: its \"{}\" is empty", field, i, text_key));
            continue;
        }
        Item parsed;
        parsed.*text = value;
        if (item.contains("rationale") && item["rationale"].is_string()) {
            parsed.rationale = std::string(Trim(item["rationale"].get<std::string>()));
        } else if (item.contains("rationale") && !item["rationale"].is_null()) {
            warnings.push_back(fmt::format("{}[{}]: the rationale is a {}, not text: left out", field, i,
                                           TypeName(item["rationale"])));
        }
        out.push_back(std::move(parsed));
    }
    return out;
}

}  // namespace

std::string StripWrappingFence(std::string_view text) { return StripFence(text, {"markdown", "md", "text"}); }

Result<Answer> ParseAnswer(std::string_view text) {
    const std::string_view trimmed = Trim(text);
    if (trimmed.empty()) return MakeError(ErrorCode::kQueryFailed, "the model's answer is empty");
    Answer answer;
    auto found = FindAnswerObject(trimmed);
    if (!found) {
        if (trimmed.find('{') == std::string_view::npos && LooksLikeProse(trimmed)) {
            answer.explanation = StripWrappingFence(trimmed);
            answer.warnings.emplace_back(
                "the model did not answer in the requested JSON: its text is shown as the explanation, with no "
                "rewrites or index ideas");
            return answer;
        }
        return MakeError(ErrorCode::kQueryFailed,
                         fmt::format("the model's answer contains no usable JSON object: \"{}\"; ask again or use "
                                     "another model",
                                     Ellipsize(CollapseWhitespace(trimmed), 120)));
    }
    const json& object = found->object;
    if (found->cut) {
        answer.warnings.emplace_back(
            "the answer was cut off before its end (truncated JSON; raise the max output tokens): only its complete "
            "parts are shown");
    }
    if (object.contains("explanation") && object["explanation"].is_string()) {
        answer.explanation = StripWrappingFence(object["explanation"].get<std::string>());
    } else if (object.contains("explanation") && !object["explanation"].is_null()) {
        answer.warnings.emplace_back(
            fmt::format("\"explanation\" is a {}, not text: skipped", TypeName(object["explanation"])));
    } else if (!found->cut) {
        answer.warnings.emplace_back("the answer has no explanation");
    }
    answer.rewrites = ReadItems<Rewrite>(object, "rewrites", "sql", &Rewrite::sql, answer.warnings);
    answer.index_ideas = ReadItems<IndexIdea>(object, "index_ideas", "ddl", &IndexIdea::ddl, answer.warnings);
    if (object.contains("risks") && !object["risks"].is_null()) {
        const json& risks = object["risks"];
        if (!risks.is_array()) {
            answer.warnings.emplace_back(fmt::format("\"risks\" is a {}, not a list: skipped", TypeName(risks)));
        } else {
            for (std::size_t i = 0; i < risks.size(); ++i) {
                if (risks[i].is_string() && !Trim(risks[i].get<std::string>()).empty()) {
                    answer.risks.emplace_back(Trim(risks[i].get<std::string>()));
                } else {
                    answer.warnings.emplace_back(
                        fmt::format("risks[{}] skipped: it is a {}, not text", i, TypeName(risks[i])));
                }
            }
        }
    }
    if (answer.explanation.empty() && answer.rewrites.empty() && answer.index_ideas.empty() && answer.risks.empty()) {
        return MakeError(ErrorCode::kQueryFailed,
                         fmt::format("the model's answer has nothing usable ({}); ask again or use another model",
                                     answer.warnings.empty() ? "all fields empty" : answer.warnings.front()));
    }
    return answer;
}

}  // namespace optischema::llm
