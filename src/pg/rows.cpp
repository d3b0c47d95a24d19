#include "pg/rows.hpp"

#include <charconv>
#include <climits>
#include <system_error>

#include <fmt/format.h>

#include "common/strings.hpp"

namespace optischema::pg {
namespace {

// Enough of a cell to recognise it in a message.
std::string Quoted(std::string_view text) { return "'" + Ellipsize(text, 60) + "'"; }

template <typename T>
std::string NumberName() {
    if constexpr (std::is_floating_point_v<T>) {
        return sizeof(T) == sizeof(float) ? "a float4" : "a float8";
    } else {
        return fmt::format("{} {}-bit integer", std::is_signed_v<T> ? "a" : "an unsigned", sizeof(T) * CHAR_BIT);
    }
}

// The whole text must be the number: from_chars alone would take "12abc" as 12.
template <typename T>
Result<T> ParseNumber(std::string_view text) {
    T out{};
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, out);
    if (ec == std::errc::result_out_of_range) {
        return MakeError(ErrorCode::kInternal, fmt::format("{}, which does not fit {}", Quoted(text), NumberName<T>()));
    }
    if (ec != std::errc() || ptr != end) {
        return MakeError(ErrorCode::kInternal, fmt::format("{}, which is not {}", Quoted(text), NumberName<T>()));
    }
    return out;
}

}  // namespace

template <CellValue T>
Result<T> ParseText(std::string_view text) {
    if constexpr (std::is_same_v<T, std::string>) {
        return std::string(text);
    } else if constexpr (std::is_same_v<T, bool>) {
        if (text == "t" || text == "true" || text == "on") return true;
        if (text == "f" || text == "false" || text == "off") return false;
        return MakeError(ErrorCode::kInternal, fmt::format("{}, which is not a boolean (t or f)", Quoted(text)));
    } else {
        return ParseNumber<T>(text);
    }
}

template Result<std::string> ParseText<std::string>(std::string_view);
template Result<bool> ParseText<bool>(std::string_view);
template Result<short> ParseText<short>(std::string_view);
template Result<int> ParseText<int>(std::string_view);
template Result<long> ParseText<long>(std::string_view);
template Result<long long> ParseText<long long>(std::string_view);
template Result<unsigned short> ParseText<unsigned short>(std::string_view);
template Result<unsigned int> ParseText<unsigned int>(std::string_view);
template Result<unsigned long> ParseText<unsigned long>(std::string_view);
template Result<unsigned long long> ParseText<unsigned long long>(std::string_view);
template Result<float> ParseText<float>(std::string_view);
template Result<double> ParseText<double>(std::string_view);

std::string Row::Column(std::size_t i) const {
    if (names_ != nullptr && i < names_->size()) return fmt::format("column {} ({})", i, (*names_)[i]);
    return fmt::format("column {}", i);
}

Error Row::CellError(std::size_t i, const Error& parse) const {
    return Error{ErrorCode::kInternal, fmt::format("{} holds {}", Column(i), parse.message), {}};
}

Error Row::NullCell(std::size_t i) const {
    return Error{ErrorCode::kInternal, fmt::format("{} is NULL where a value was expected", Column(i)), {}};
}

Error Row::MissingColumn(std::size_t i) const {
    return Error{ErrorCode::kInternal, fmt::format("{} does not exist: the row has {} columns", Column(i), size()), {}};
}

Error Row::WidthMismatch(std::size_t expected) const {
    return Error{
        ErrorCode::kInternal, fmt::format("the row has {} columns where {} were expected", size(), expected), {}};
}

Rows::Rows(std::vector<std::string> columns, std::vector<Row::Cells> rows)
    : columns_(std::make_shared<const std::vector<std::string>>(std::move(columns))) {
    rows_.reserve(rows.size());
    for (auto& cells : rows) rows_.emplace_back(std::move(cells), columns_);
}

const std::vector<std::string>& Rows::columns() const {
    static const std::vector<std::string> kNone;
    return columns_ != nullptr ? *columns_ : kNone;
}

int Rows::ColumnIndex(std::string_view name) const {
    const auto& names = columns();
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (names[i] == name) return static_cast<int>(i);
    }
    return -1;
}

Error Rows::InRow(std::size_t r, const Error& e) {
    return Error{e.code, fmt::format("row {}: {}", r, e.message), e.sqlstate};
}

Error Rows::NoRow() { return Error{ErrorCode::kInternal, "the query returned no row", {}}; }

}  // namespace optischema::pg
