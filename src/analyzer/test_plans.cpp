#include "analyzer/internal/test_plans.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <variant>

#include "analyzer/findings.hpp"
#include "analyzer/plan.hpp"
#include "sqlparse/sqlparse.hpp"

namespace optischema::analyzer::test_plans {
namespace {

namespace fs = std::filesystem;

bool IsSessionCommand(std::string_view statement) {
    std::string head;
    for (char c : statement.substr(0, 9)) head += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return head.starts_with("SET ") || head.starts_with("BEGIN") || head.starts_with("ROLLBACK") ||
           head.starts_with("COMMIT") || head.starts_with("RESET");
}

// The statement a fixture explained: its .sql holds a comment line, SET/BEGIN lines and the statement
// (one per line, ending in ';'); the last statement that is not a session command.
std::string ExplainedStatement(const std::string& name) {
    std::istringstream in(ReadFile(PlansDir() / (name + ".sql")));
    std::string line;
    std::string current;
    std::string last;
    while (std::getline(in, line)) {
        if (line.starts_with("--")) continue;
        current += line + "\n";
        if (!line.empty() && line.back() == ';') {
            const auto begin = current.find_first_not_of(" \n\t");
            if (begin != std::string::npos && !IsSessionCommand(std::string_view(current).substr(begin))) {
                last = current.substr(begin);
            }
            current.clear();
        }
    }
    return last;
}

template <typename T>
T Evidence(const model::Finding& f, std::string_view key, const char* kind) {
    for (const auto& [k, v] : f.evidence) {
        if (k != key) continue;
        if (const T* value = std::get_if<T>(&v)) return *value;
        throw std::runtime_error(std::string(key) + " is not " + kind);
    }
    throw std::runtime_error(f.rule + " has no evidence " + std::string(key));
}

}  // namespace

fs::path PlansDir() { return fs::path(OPTISCHEMA_TESTDATA_DIR) / "plans"; }

std::string ReadFile(const fs::path& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read " + path.string());
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

model::Plan LoadPlan(const std::string& name) {
    auto plan = ParsePlan(ReadFile(PlansDir() / (name + ".json")));
    if (!plan) throw std::runtime_error(name + ": " + plan.error().ToString());
    return std::move(*plan);
}

model::ParsedQuery LoadQuery(const std::string& name) {
    auto query = sqlparse::Parse(ExplainedStatement(name));
    if (!query) throw std::runtime_error(name + ".sql: " + query.error().ToString());
    return std::move(*query);
}

std::vector<std::string> AllCases() {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(PlansDir())) {
        if (e.path().extension() == ".json" && fs::exists(fs::path(e.path()).replace_extension(".sql"))) {
            out.push_back(e.path().stem().string());
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

Case::Case(const std::string& name) : plan(LoadPlan(name)), query(LoadQuery(name)) { findings = Analyze(plan, &query); }

std::vector<const model::Finding*> Case::Of(std::string_view rule) const {
    std::vector<const model::Finding*> out;
    for (const model::Finding& f : findings) {
        if (f.rule == rule) out.push_back(&f);
    }
    return out;
}

const model::Finding& Case::One(std::string_view rule) const {
    const auto found = Of(rule);
    if (found.size() != 1) {
        throw std::runtime_error("expected one " + std::string(rule) + " finding, got " + std::to_string(found.size()));
    }
    return *found.front();
}

const model::PlanNode& Case::Node(std::size_t id) const { return *Flatten(plan).at(id); }

const model::PlanNode& Case::First(std::string_view type) const {
    for (const model::PlanNode* n : Flatten(plan)) {
        if (n->node_type == type) return *n;
    }
    throw std::runtime_error("no " + std::string(type) + " node");
}

double Num(const model::Finding& f, std::string_view key) { return Evidence<double>(f, key, "a number"); }

std::string Text(const model::Finding& f, std::string_view key) { return Evidence<std::string>(f, key, "text"); }

}  // namespace optischema::analyzer::test_plans
