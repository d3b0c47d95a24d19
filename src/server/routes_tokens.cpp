// The routes of API tokens: create (the token is in that answer only), list, revoke. Creating and revoking
// are audited, never with the token.
#include <chrono>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "common/format.hpp"
#include "server/route_helpers.hpp"
#include "server/routes.hpp"

namespace optischema::server {
namespace {

using namespace route_helpers;

constexpr std::initializer_list<BodyField> kTokenFields = {{"name", BodyField::Type::kString},
                                                           {"role", BodyField::Type::kString}};

Json TokenJson(const store::ApiTokenRecord& t) {
    return {{"id", t.id},
            {"name", t.name},
            {"owner", t.owner},
            {"role", t.role},
            {"created_at", IsoTime(t.created_at)},
            {"expires_at", OptionalTime(t.expires_at)},
            {"last_used_at", OptionalTime(t.last_used_at)},
            {"revoked_at", OptionalTime(t.revoked_at)}};
}

// The body of POST /tokens: expires_at is a time, "never", or absent (the default lifetime).
Result<AuthService::ApiTokenRequest> TokenRequest(const HttpRequest& request) {
    auto body = JsonBody(request, kTokenFields);
    if (!body) return tl::unexpected(body.error());
    AuthService::ApiTokenRequest out{body->value("name", ""), body->value("role", "")};
    if (const auto it = body->find("expires_at"); it != body->end()) {
        if (it->is_string() && *it == "never") {
            out.never_expires = true;
        } else {
            auto at = it->is_string() ? ParseTime(it->get<std::string>()) : std::nullopt;
            if (!at) {
                return MakeError(ErrorCode::kInvalidArgument,
                                 "expires_at: give an ISO 8601 time (e.g. 2030-01-31T00:00:00Z), \"never\" (admins), "
                                 "or leave it out for 90 days");
            }
            out.expires_at = *at;
        }
    }
    return out;
}

// One audit event for a token created or revoked: who, which token (id, name, owner, role), never the token.
void AuditToken(Services& s,
                const HttpRequest& request,
                const std::string& action,
                const store::ApiTokenRecord& token,
                const std::string& error) {
    model::AuditEvent event;
    event.at = std::chrono::system_clock::now();
    event.actor = Actor(request);
    event.target = fmt::format("api token {} ({})", token.id, token.name).substr(0, 200);
    event.action = action;
    event.outcome = error.empty() ? "ok" : "failed";
    event.error = error;
    event.detail_json = Json{{"token_id", token.id},
                             {"name", token.name},
                             {"owner", token.owner},
                             {"role", token.role},
                             {"expires_at", OptionalTime(token.expires_at)}}
                            .dump();
    if (auto ok = s.store.With([&](store::Store& st) { return st.AppendAudit(event); }); !ok) {
        spdlog::error("cannot write the audit log: {}", ok.error().message);
    }
}

}  // namespace

void RegisterTokenRoutes(api::Router& router, Services& s) {
    router.Post("/api/v1/tokens", Handle([&s](const HttpRequest& request) -> Result<HttpResponse> {
                    auto wanted = TokenRequest(request);
                    if (!wanted) return tl::unexpected(wanted.error());
                    auto created = s.auth.CreateApiToken(*request.principal, *wanted);
                    if (!created) {
                        store::ApiTokenRecord attempted;
                        attempted.name = wanted->name;
                        attempted.owner = request.principal->username;
                        attempted.role = wanted->role;
                        AuditToken(s, request, "token_create", attempted, created.error().message);
                        return tl::unexpected(created.error());
                    }
                    AuditToken(s, request, "token_create", created->record, "");
                    auto response =
                        HttpResponse::Json(201, {{"token", created->token}, {"api_token", TokenJson(created->record)}});
                    return response;
                }));
    router.Get("/api/v1/tokens", Handle([&s](const HttpRequest& request) -> Result<HttpResponse> {
                   auto tokens = s.auth.ListApiTokens(*request.principal);
                   if (!tokens) return tl::unexpected(tokens.error());
                   Json out = Json::array();
                   for (const auto& t : *tokens) out.push_back(TokenJson(t));
                   return HttpResponse::Json(200, {{"tokens", out}});
               }));
    router.Delete("/api/v1/tokens/{id}", Handle([&s](const HttpRequest& request) -> Result<HttpResponse> {
                      const std::string id = request.PathParam("id");
                      auto revoked = s.auth.RevokeApiToken(*request.principal, id);
                      if (!revoked) return tl::unexpected(revoked.error());
                      AuditToken(s, request, "token_revoke", *revoked, "");
                      HttpResponse r;
                      r.status = 204;
                      return r;
                  }));
}

}  // namespace optischema::server
