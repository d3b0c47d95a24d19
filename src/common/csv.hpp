#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace optischema {

/// One cell of a CSV row: text (guarded against formula injection), a number, or empty.
class CsvCell {
public:
    CsvCell(std::string_view text) : text_(text), is_text_(true) {}    // NOLINT: cells are written inline
    CsvCell(const std::string& text) : text_(text), is_text_(true) {}  // NOLINT
    CsvCell(const char* text) : text_(text), is_text_(true) {}         // NOLINT
    template <typename T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, int> = 0>
    CsvCell(T n) : text_(std::to_string(n)) {}  // NOLINT
    CsvCell(double x);                          // NOLINT
    CsvCell(std::nullopt_t) {}                  // NOLINT
    template <typename T>
    CsvCell(const std::optional<T>& v) : CsvCell(v ? CsvCell(*v) : CsvCell(std::nullopt)) {}  // NOLINT

    /// The field as it goes into the file (RFC 4180 quoting; a leading apostrophe for text a
    /// spreadsheet would run as a formula).
    [[nodiscard]] std::string Field() const;

private:
    std::string text_;
    bool is_text_ = false;
};

/// The one CSV writer of every export: RFC 4180 (CRLF line ends, quotes doubled, fields with a comma,
/// quote, CR or LF quoted), a header row, and text that starts with =, +, -, @, tab or CR (a formula to
/// a spreadsheet) prefixed with an apostrophe unless it is a plain number. The dashboard's
/// web/src/lib/csv.ts follows the same rules.
class CsvWriter {
public:
    explicit CsvWriter(const std::vector<std::string>& header);
    void AddRow(const std::vector<CsvCell>& cells);
    /// The document so far.
    [[nodiscard]] const std::string& str() const { return out_; }

private:
    std::string out_;
};

}  // namespace optischema
