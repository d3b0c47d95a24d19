#include "common/csv.hpp"

#include <cmath>
#include <regex>

#include <fmt/format.h>

namespace optischema {
namespace {

// A plain number such as -3.5 or 1e-3 is data, not a formula.
bool PlainNumber(std::string_view s) {
    static const std::regex kNumber(R"([-+]?\d+(\.\d+)?([eE][-+]?\d+)?)");
    return std::regex_match(s.begin(), s.end(), kNumber);
}

}  // namespace

CsvCell::CsvCell(double x) {
    // The shortest text that reads back as the same double; nothing for NaN and infinities.
    if (std::isfinite(x)) text_ = fmt::format("{}", x);
}

std::string CsvCell::Field() const {
    std::string s = text_;
    if (is_text_ && !s.empty() && std::string_view("=+-@\t\r").find(s[0]) != std::string_view::npos &&
        !PlainNumber(s)) {
        s.insert(s.begin(), '\'');
    }
    if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
    std::string out = "\"";
    for (const char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

CsvWriter::CsvWriter(const std::vector<std::string>& header) {
    std::vector<CsvCell> cells(header.begin(), header.end());
    AddRow(cells);
}

void CsvWriter::AddRow(const std::vector<CsvCell>& cells) {
    for (std::size_t i = 0; i < cells.size(); ++i) {
        if (i > 0) out_ += ',';
        out_ += cells[i].Field();
    }
    out_ += "\r\n";
}

}  // namespace optischema
