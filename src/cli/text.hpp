#pragma once

// What the verbs print for people: the text forms of the services' results. (The JSON forms are the
// services' own, shared with the server.)

#include <cstddef>
#include <string>
#include <vector>

#include "model/audit.hpp"
#include "service/advise.hpp"
#include "service/ai_assistant.hpp"
#include "service/change.hpp"
#include "service/check.hpp"
#include "service/explain_report.hpp"
#include "service/top_report.hpp"
#include "service/validate.hpp"

namespace optischema::cli {

/// `top`: a table readable in a 100-column terminal.
[[nodiscard]] std::string FormatTopTable(const service::TopReport& report, std::size_t width = 100);
/// `explain`: the plan tree with each node's exclusive time and a bar of its share, then the findings,
/// most severe first; readable in a 100-column terminal.
[[nodiscard]] std::string FormatExplainText(const service::ExplainReport& report, std::size_t width = 100);
/// `explain --ai`: the explanation, then each suggestion with its status, why, and the model that made it.
[[nodiscard]] std::string FormatAiText(const service::AiReport& report, std::size_t width = 100);
/// `advise`: each recommendation with its id, DDL, the statements it serves and its projected impact.
[[nodiscard]] std::string FormatAdviceText(const service::AdviceReport& report);
/// `check`: each finding with its fix, then a summary.
[[nodiscard]] std::string FormatIndexHealthText(const service::IndexHealthReport& report);
/// `validate`: the verdict, the sandbox, and each statement before and after.
[[nodiscard]] std::string FormatValidationText(const service::ValidationReport& report);
/// `impact`: each served statement's mean before and since, and the time saved.
[[nodiscard]] std::string FormatImpactText(const service::ImpactReport& report);
/// `audit`: a table.
[[nodiscard]] std::string FormatAuditText(const std::vector<model::AuditEvent>& events);

}  // namespace optischema::cli
