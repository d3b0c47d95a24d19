#pragma once

#include <compare>
#include <string>
#include <string_view>
#include <vector>

#include "api/router.hpp"
#include "common/error.hpp"

namespace optischema::server {

/// docs/openapi.json as embedded at build time: the OpenAPI 3.1 description of the HTTP API.
[[nodiscard]] std::string_view OpenApiDocument();

/// One operation (method and path) of the API, as the document describes it or the Router serves it.
struct ApiOperation {
    std::string method;         // "GET", "POST", "PUT" or "DELETE", as the Router spells it
    std::string pattern;        // "/api/v1/targets/{id}", as the Router spells it
    std::string required_role;  // "none" (public), "viewer", "operator" or "admin"

    friend auto operator<=>(const ApiOperation&, const ApiOperation&) = default;
};

/// Every operation of the document with its `x-required-role`, sorted. Fails when the document is not
/// JSON with a `paths` object.
[[nodiscard]] Result<std::vector<ApiOperation>> SpecOperations();

/// Every route registered on `router` with the role it needs, sorted.
[[nodiscard]] std::vector<ApiOperation> RouterOperations(const api::Router& router);

/// Serves the document at GET /api/v1/openapi.json (public).
void RegisterOpenApi(api::Router& router);

}  // namespace optischema::server
