#include "service/evidence.hpp"

#include <nlohmann/json.hpp>

namespace optischema::service {
namespace {

// A field of the expected type, else the fallback: stored evidence is read, never trusted to throw.
std::string Text(const nlohmann::json& j, const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

double Number(const nlohmann::json& j, const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_number() ? it->get<double>() : 0.0;
}

}  // namespace

Evidence ReadEvidence(std::string_view json) {
    Evidence out;
    const auto j = nlohmann::json::parse(json.empty() ? std::string_view("{}") : json, nullptr, false);
    if (!j.is_object() || !j.contains("queries") || !j["queries"].is_array()) return out;
    for (const auto& q : j["queries"]) {
        if (!q.is_object()) continue;
        ServedStatement s;
        s.fingerprint = Text(q, "fingerprint");
        s.query = Text(q, "query");
        s.sql = Text(q, "sql");
        s.cost_before = Number(q, "cost_before");
        s.cost_after = Number(q, "cost_after");
        out.queries.push_back(std::move(s));
    }
    return out;
}

}  // namespace optischema::service
