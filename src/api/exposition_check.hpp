#pragma once

// Test helper (header-only, used by api_test): checks Prometheus text exposition format 0.0.4.

#include <cstdint>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <string_view>

namespace optischema::api::testing {

/// Every problem found in `text`, one per line; empty when it is valid exposition format: HELP and TYPE
/// once per family before its samples, well-formed names, labels and values, samples under the last
/// TYPE, and histograms whose buckets are cumulative and end in +Inf equal to _count.
inline std::string ExpositionProblems(std::string_view text) {
    static const std::regex kHelp(R"(^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .*$)");
    static const std::regex kType(R"(^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$)");
    static const std::regex kSample(
        R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:\\[\\"n]|[^"\\\n])*",?)*)\})? ([^ ]+)$)");
    static const std::regex kLabel(R"re(([a-zA-Z_][a-zA-Z0-9_]*)="((?:\\[\\"n]|[^"\\])*)")re");
    static const std::regex kNumber(R"(^([+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|[+-]Inf|NaN)$)");

    std::ostringstream problems;
    if (!text.empty() && text.back() != '\n') problems << "does not end in a newline\n";
    std::set<std::string> typed;
    std::set<std::string> helped;
    std::string family;
    std::string type;
    struct Buckets {
        double last_le = -1e300;
        double last_count = -1;
        bool has_inf = false;
        double inf_count = -1;
        double count = -1;
    };
    std::map<std::string, Buckets> histograms;  // by family + labels without le
    std::istringstream lines{std::string(text)};
    std::string line;
    int number = 0;
    while (std::getline(lines, line)) {
        ++number;
        std::smatch m;
        if (line.starts_with("# HELP")) {
            if (!std::regex_match(line, m, kHelp)) {
                problems << number << ": bad HELP: " << line << "\n";
            } else if (!helped.insert(m[1]).second) {
                problems << number << ": second HELP for " << m[1] << "\n";
            }
        } else if (line.starts_with("# TYPE")) {
            if (!std::regex_match(line, m, kType)) {
                problems << number << ": bad TYPE: " << line << "\n";
                continue;
            }
            family = m[1];
            type = m[2];
            if (!typed.insert(family).second) problems << number << ": second TYPE for " << family << "\n";
        } else if (line.starts_with("#") || line.empty()) {
            if (line.empty()) problems << number << ": empty line\n";
        } else {
            if (!std::regex_match(line, m, kSample)) {
                problems << number << ": bad sample: " << line << "\n";
                continue;
            }
            const std::string name = m[1];
            const std::string labels = m[3];
            const std::string value = m[4];
            if (!std::regex_match(value, kNumber)) problems << number << ": bad value: " << line << "\n";
            std::string suffix;
            if (type == "histogram") {
                for (const char* s : {"_bucket", "_sum", "_count"}) {
                    if (name == family + s) suffix = s;
                }
                if (suffix.empty())
                    problems << number << ": " << name << " is not part of histogram " << family << "\n";
            } else if (name != family) {
                problems << number << ": sample " << name << " outside its family (last TYPE was " << family << ")\n";
            }
            if (type != "histogram") continue;
            std::string key = family + "{";
            std::string le;
            std::set<std::string> names;
            for (auto it = std::sregex_iterator(labels.begin(), labels.end(), kLabel); it != std::sregex_iterator();
                 ++it) {
                if (!names.insert((*it)[1]).second) problems << number << ": repeated label " << (*it)[1] << "\n";
                if ((*it)[1] == "le") {
                    le = (*it)[2];
                } else {
                    key += (*it)[0].str() + ",";
                }
            }
            auto& buckets = histograms[key];
            const double v = value == "+Inf" ? 1e308 : std::stod(value);
            if (suffix == "_bucket") {
                if (le.empty()) {
                    problems << number << ": bucket without le\n";
                    continue;
                }
                const double bound = le == "+Inf" ? 1e308 : std::stod(le);
                if (bound <= buckets.last_le) problems << number << ": buckets out of order\n";
                if (v < buckets.last_count) problems << number << ": bucket counts not cumulative\n";
                buckets.last_le = bound;
                buckets.last_count = v;
                if (le == "+Inf") {
                    buckets.has_inf = true;
                    buckets.inf_count = v;
                }
            } else if (suffix == "_count") {
                buckets.count = v;
            }
        }
    }
    for (const auto& [key, buckets] : histograms) {
        if (!buckets.has_inf) problems << key << ": no +Inf bucket\n";
        if (buckets.count != buckets.inf_count) problems << key << ": +Inf bucket differs from _count\n";
    }
    return problems.str();
}

}  // namespace optischema::api::testing
