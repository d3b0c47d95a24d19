#pragma once

// Internal to store/: what the PgStore's and PgClaims' source files share. Parameters and results
// travel as text (pg::Connection speaks the text protocol); these helpers convert both ways, and PgRow
// gives read_records.hpp the cells of a text row.

#include <array>
#include <charconv>
#include <concepts>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "common/error.hpp"
#include "model/statement_stats.hpp"
#include "pg/connection.hpp"
#include "store/internal/columns.hpp"

namespace optischema::store::detail {

using Param = std::optional<std::string>;
using Row = std::vector<std::optional<std::string>>;

template <typename T>
requires std::integral<T> &&(!std::same_as<T, bool>)Param ToParam(T v) { return std::to_string(v); }
// fmt's shortest representation reads back to the same double (float8in is exact), so nothing is lost.
inline Param ToParam(double v) { return fmt::format("{}", v); }
inline Param ToParam(bool v) { return std::string(v ? "t" : "f"); }
inline Param ToParam(const std::string& v) { return v; }
inline Param ToParam(const char* v) { return std::string(v); }
template <typename T>
Param ToParam(const std::optional<T>& v) {
    if (!v) return std::nullopt;
    return ToParam(*v);
}

/// The text parameters $1..$n of one statement.
template <typename... T>
std::vector<Param> Params(const T&... values) {
    return {ToParam(values)...};
}

/// A LIMIT parameter: NULL (no limit) when the count does not fit a bigint.
inline Param LimitParam(std::size_t limit) {
    if (limit > static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max())) return std::nullopt;
    return std::to_string(limit);
}

/// Builds a one-dimensional array literal ('{...}') to pass a whole column as one parameter.
class ArrayLiteral {
public:
    /// A number or boolean: never needs quotes.
    void AddPlain(std::string_view value) {
        Separate();
        text_ += value;
    }
    template <typename T>
    requires std::integral<T> &&(!std::same_as<T, bool>)void Add(T v) { AddPlain(std::to_string(v)); }
    void Add(double v) { AddPlain(fmt::format("{}", v)); }
    void Add(bool v) { AddPlain(v ? "t" : "f"); }
    /// Any text, quoted: backslashes and double quotes escaped, so braces, commas and "NULL" stay text.
    void Add(std::string_view value) {
        Separate();
        text_ += '"';
        for (char c : value) {
            if (c == '"' || c == '\\') text_ += '\\';
            text_ += c;
        }
        text_ += '"';
    }
    void Add(const std::string& value) { Add(std::string_view(value)); }
    [[nodiscard]] std::string Finish() const { return text_ + "}"; }

private:
    void Separate() {
        if (text_.size() > 1) text_ += ',';
    }
    std::string text_ = "{";
};

/// ", $5::bigint[], $6::float8[], ..." from $`first` on: one array parameter per counter, for unnest().
inline std::string CounterArrayParams(int first) {
    std::string out;
    int i = first;
    model::ForEachCounterField([&](auto field) {
        using T = std::remove_reference_t<decltype(std::declval<model::Counters&>().*field)>;
        out += fmt::format(", ${}::{}[]", i++, std::is_same_v<T, double> ? "float8" : "bigint");
    });
    return out;
}

/// One array literal per counter column; Add appends one row's counters.
class CounterArrays {
public:
    void Add(const model::Counters& c) {
        std::size_t i = 0;
        model::ForEachCounterField([&](auto field) { arrays_[i++].Add(c.*field); });
    }
    void AppendTo(std::vector<Param>& params) const {
        for (const auto& a : arrays_) params.emplace_back(a.Finish());
    }

private:
    std::array<ArrayLiteral, kCounterNames.size()> arrays_;
};

inline std::int64_t AsInt(const Row& row, std::size_t i) {
    const auto& v = row[i];
    std::int64_t out = 0;
    if (v) std::from_chars(v->data(), v->data() + v->size(), out);
    return out;
}
inline std::optional<std::int64_t> AsOptInt(const Row& row, std::size_t i) {
    if (!row[i]) return std::nullopt;
    return AsInt(row, i);
}
inline double AsReal(const Row& row, std::size_t i) { return row[i] ? std::strtod(row[i]->c_str(), nullptr) : 0.0; }
inline std::optional<double> AsOptReal(const Row& row, std::size_t i) {
    if (!row[i]) return std::nullopt;
    return AsReal(row, i);
}
inline std::string AsText(const Row& row, std::size_t i) { return row[i].value_or(""); }
inline bool AsBool(const Row& row, std::size_t i) { return row[i] && *row[i] == "t"; }

/// A bigint[] as PostgreSQL prints it ("{1,-2}") back into numbers.
inline std::vector<std::int64_t> AsIntArray(const Row& row, std::size_t i) {
    std::vector<std::int64_t> out;
    if (!row[i]) return out;
    std::string_view text(*row[i]);
    if (text.size() < 2) return out;
    text = text.substr(1, text.size() - 2);
    while (!text.empty()) {
        const auto comma = text.find(',');
        const std::string_view item = text.substr(0, comma);
        std::int64_t v = 0;
        std::from_chars(item.data(), item.data() + item.size(), v);
        out.push_back(v);
        if (comma == std::string_view::npos) break;
        text.remove_prefix(comma + 1);
    }
    return out;
}

/// The cells of one text row (read_records.hpp's RowCells).
class PgRow {
public:
    explicit PgRow(const Row& row) : row_(row) {}
    [[nodiscard]] std::int64_t Int(int i) const { return AsInt(row_, At(i)); }
    [[nodiscard]] std::optional<std::int64_t> OptInt(int i) const { return AsOptInt(row_, At(i)); }
    [[nodiscard]] double Real(int i) const { return AsReal(row_, At(i)); }
    [[nodiscard]] std::optional<double> OptReal(int i) const { return AsOptReal(row_, At(i)); }
    [[nodiscard]] std::string Text(int i) const { return AsText(row_, At(i)); }
    [[nodiscard]] bool Bool(int i) const { return AsBool(row_, At(i)); }
    [[nodiscard]] std::vector<std::int64_t> Ids(int i) const { return AsIntArray(row_, At(i)); }

private:
    static std::size_t At(int i) { return static_cast<std::size_t>(i); }
    const Row& row_;
};

/// What `read` makes of a row.
template <typename Read>
using PgReadResult = std::invoke_result_t<Read, const PgRow&>;

/// Every row of a statement's result read with `read`, or the statement's error.
template <typename Read>
[[nodiscard]] Result<std::vector<PgReadResult<Read>>> ReadAll(const Result<pg::Rows>& rows, Read&& read) {
    if (!rows) return tl::unexpected(rows.error());
    std::vector<PgReadResult<Read>> out;
    out.reserve(rows->size());
    for (const Row& r : *rows) out.push_back(read(PgRow(r)));
    return out;
}

/// The first row of a statement's result read with `read` (nullopt when there is none), or the
/// statement's error.
template <typename Read>
[[nodiscard]] Result<std::optional<PgReadResult<Read>>> ReadFirst(const Result<pg::Rows>& rows, Read&& read) {
    if (!rows) return tl::unexpected(rows.error());
    if (rows->empty()) return std::optional<PgReadResult<Read>>();
    return std::optional<PgReadResult<Read>>(read(PgRow((*rows)[0])));
}

/// The SQLSTATE of unique_violation: an insert or update clashed with a UNIQUE key.
inline constexpr std::string_view kUniqueViolation = "23505";
/// The SQLSTATE of foreign_key_violation: a row names a parent that does not exist.
inline constexpr std::string_view kForeignKeyViolation = "23503";

}  // namespace optischema::store::detail
