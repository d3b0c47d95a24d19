#pragma once

// Internal to store/: what the PgStore's and PgClaims' source files share. Parameters and results
// travel as text (pg::Connection speaks the text protocol); these helpers convert both ways.

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

#include "model/statement_stats.hpp"
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

/// Counters read from consecutive columns starting at `first`.
inline model::Counters AsCounters(const Row& row, std::size_t first) {
    model::Counters c;
    std::size_t i = first;
    model::ForEachCounterField([&](auto field) {
        if constexpr (std::is_same_v<std::remove_reference_t<decltype(c.*field)>, double>) {
            c.*field = AsReal(row, i++);
        } else {
            c.*field = AsInt(row, i++);
        }
    });
    return c;
}

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

}  // namespace optischema::store::detail
