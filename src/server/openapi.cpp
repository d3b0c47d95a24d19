#include "server/openapi.hpp"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "api/http_message.hpp"
#include "api/principal.hpp"
#include "server/openapi_document.hpp"

namespace optischema::server {

std::string_view OpenApiDocument() { return kOpenApiJson; }

Result<std::vector<ApiOperation>> SpecOperations() {
    const auto doc = nlohmann::json::parse(OpenApiDocument(), nullptr, false);
    if (doc.is_discarded() || !doc.is_object() || !doc.contains("paths") || !doc["paths"].is_object()) {
        return MakeError(ErrorCode::kInternal, "docs/openapi.json is not JSON with a paths object");
    }
    std::vector<ApiOperation> out;
    for (const auto& [pattern, item] : doc["paths"].items()) {
        if (!item.is_object()) continue;
        for (const auto& [key, operation] : item.items()) {
            // A path item also holds "parameters", "summary", ... besides its operations.
            if (key != "get" && key != "put" && key != "post" && key != "delete" && key != "patch" && key != "head" &&
                key != "options" && key != "trace") {
                continue;
            }
            std::string method = key;
            std::transform(method.begin(), method.end(), method.begin(),
                           [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
            const std::string role =
                operation.is_object() ? operation.value("x-required-role", std::string()) : std::string();
            out.push_back({std::move(method), pattern, role});
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<ApiOperation> RouterOperations(const api::Router& router) {
    std::vector<ApiOperation> out;
    for (const auto& route : router.routes()) {
        out.push_back({route.method, route.pattern,
                       route.options.public_route ? "none" : std::string(api::RoleName(route.options.required_role))});
    }
    std::sort(out.begin(), out.end());
    return out;
}

void RegisterOpenApi(api::Router& router) {
    router.Get("/api/v1/openapi.json",
               [](const api::HttpRequest&) {
                   api::HttpResponse r;
                   r.status = 200;
                   r.content_type = "application/json";
                   r.body = std::string(OpenApiDocument());
                   return r;
               },
               {.public_route = true});
}

}  // namespace optischema::server
