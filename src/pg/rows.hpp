#pragma once

#include <concepts>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "common/error.hpp"

namespace optischema::pg {

/// What a cell converts to: text, bool, the integer types and the floating-point types.
template <typename T>
concept CellValue = std::same_as<T, std::string> || std::same_as<T, bool> || std::same_as<T, short> ||
    std::same_as<T, int> || std::same_as<T, long> || std::same_as<T, long long> || std::same_as<T, unsigned short> ||
    std::same_as<T, unsigned int> || std::same_as<T, unsigned long> || std::same_as<T, unsigned long long> ||
    std::same_as<T, float> || std::same_as<T, double>;

namespace detail {

template <typename T>
struct OptionalCell : std::false_type {};
template <CellValue T>
struct OptionalCell<std::optional<T>> : std::true_type {};

}  // namespace detail

/// A cell type: a CellValue (NULL is an error) or a std::optional of one (NULL is std::nullopt).
template <typename T>
concept CellType = CellValue<T> || detail::OptionalCell<T>::value;

/// What a whole row reads as: the value itself for one column, a std::tuple for several.
template <CellType T, CellType... More>
using RowValue = std::conditional_t<sizeof...(More) == 0, T, std::tuple<T, More...>>;

/// Converts text as PostgreSQL prints it (libpq's text format) into T without throwing: integers in
/// full and in range, floating point as float8out prints it (exponents, Infinity, NaN), bool from
/// t/f (also true/false and on/off, as settings print). The error says what the text is not.
template <CellValue T>
[[nodiscard]] Result<T> ParseText(std::string_view text);

/// One row of a result, its cells as libpq's text (NULL is std::nullopt). Read it typed with Get
/// and As, which return an error naming the column and its text when a cell does not convert.
class Row {
public:
    using Cells = std::vector<std::optional<std::string>>;

    Row() = default;
    /// `names` are the result's column names (shared by its rows), for error messages; may be null.
    Row(Cells cells, std::shared_ptr<const std::vector<std::string>> names)
        : cells_(std::move(cells)), names_(std::move(names)) {}

    [[nodiscard]] std::size_t size() const { return cells_.size(); }
    [[nodiscard]] bool empty() const { return cells_.empty(); }
    /// The text of cell `i` (std::nullopt for NULL); `i` must be below size().
    [[nodiscard]] const std::optional<std::string>& operator[](std::size_t i) const { return cells_[i]; }
    [[nodiscard]] auto begin() const { return cells_.begin(); }
    [[nodiscard]] auto end() const { return cells_.end(); }
    /// The cells as text, for code that reads a whole row of text.
    [[nodiscard]] const Cells& cells() const { return cells_; }
    /// The same, implicitly, so that readers taking `const std::vector<std::optional<std::string>>&` accept a Row.
    operator const Cells&() const { return cells_; }

    /// Cell `i` as T. An error when there is no such column, when the text does not convert, or when
    /// the cell is NULL and T is not a std::optional.
    template <CellType T>
    [[nodiscard]] Result<T> Get(std::size_t i) const {
        if (i >= cells_.size()) return tl::unexpected(MissingColumn(i));
        const auto& cell = cells_[i];
        if constexpr (detail::OptionalCell<T>::value) {
            if (!cell) return T();
            auto value = ParseText<typename T::value_type>(*cell);
            if (!value) return tl::unexpected(CellError(i, value.error()));
            return T(std::move(*value));
        } else {
            if (!cell) return tl::unexpected(NullCell(i));
            auto value = ParseText<T>(*cell);
            if (!value) return tl::unexpected(CellError(i, value.error()));
            return value;
        }
    }

    /// Cell `i` as T, or `fallback` when it is NULL. Errors as Get.
    template <CellValue T>
    [[nodiscard]] Result<T> GetOr(std::size_t i, T fallback) const {
        return Get<std::optional<T>>(i).map([&](std::optional<T>&& v) { return std::move(v).value_or(fallback); });
    }

    /// The whole row, one type per column in order (see RowValue). An error when the row has another
    /// number of columns, or as Get for the first cell that does not read.
    template <CellType T, CellType... More>
    [[nodiscard]] Result<RowValue<T, More...>> As() const {
        if (cells_.size() != 1 + sizeof...(More)) return tl::unexpected(WidthMismatch(1 + sizeof...(More)));
        if constexpr (sizeof...(More) == 0) {
            return Get<T>(0);
        } else {
            return ReadAll<T, More...>(std::index_sequence_for<T, More...>{});
        }
    }

private:
    template <CellType... Ts, std::size_t... I>
    [[nodiscard]] Result<std::tuple<Ts...>> ReadAll(std::index_sequence<I...> /*columns*/) const {
        std::tuple<Result<Ts>...> read{Get<Ts>(I)...};
        std::optional<Error> failed;
        ((failed || std::get<I>(read) ? void() : void(failed = std::get<I>(read).error())), ...);
        if (failed) return tl::unexpected(std::move(*failed));
        return std::tuple<Ts...>(std::move(*std::get<I>(read))...);
    }
    [[nodiscard]] std::string Column(std::size_t i) const;
    [[nodiscard]] Error CellError(std::size_t i, const Error& parse) const;
    [[nodiscard]] Error NullCell(std::size_t i) const;
    [[nodiscard]] Error MissingColumn(std::size_t i) const;
    [[nodiscard]] Error WidthMismatch(std::size_t expected) const;

    Cells cells_;
    std::shared_ptr<const std::vector<std::string>> names_;
};

/// The rows of one result. Read them typed with As and Scalar, or a Row at a time.
class Rows {
public:
    Rows() = default;
    Rows(std::vector<std::string> columns, std::vector<Row::Cells> rows);

    [[nodiscard]] std::size_t size() const { return rows_.size(); }
    [[nodiscard]] bool empty() const { return rows_.empty(); }
    [[nodiscard]] const std::vector<std::string>& columns() const;
    /// Row `i`; `i` must be below size().
    [[nodiscard]] const Row& operator[](std::size_t i) const { return rows_[i]; }
    /// Index of a column by name, or -1.
    [[nodiscard]] int ColumnIndex(std::string_view name) const;
    [[nodiscard]] auto begin() const { return rows_.begin(); }
    [[nodiscard]] auto end() const { return rows_.end(); }

    /// Every row read with Row::As<Ts...>; the first error, prefixed with its row number.
    template <CellType T, CellType... More>
    [[nodiscard]] Result<std::vector<RowValue<T, More...>>> As() const {
        std::vector<RowValue<T, More...>> out;
        out.reserve(rows_.size());
        for (std::size_t r = 0; r < rows_.size(); ++r) {
            auto value = rows_[r].template As<T, More...>();
            if (!value) return tl::unexpected(InRow(r, value.error()));
            out.push_back(std::move(*value));
        }
        return out;
    }

    /// The first cell of the first row as T, e.g. a count(*) or an EXPLAIN's plan. An error when
    /// there is no row, or as Row::Get.
    template <CellType T>
    [[nodiscard]] Result<T> Scalar() const {
        if (rows_.empty()) return tl::unexpected(NoRow());
        return rows_.front().template Get<T>(0);
    }

private:
    [[nodiscard]] static Error InRow(std::size_t r, const Error& e);
    [[nodiscard]] static Error NoRow();

    std::shared_ptr<const std::vector<std::string>> columns_;
    std::vector<Row> rows_;
};

}  // namespace optischema::pg
