// The routes of users and sessions: login, logout, who am I, and user administration.
#include <algorithm>
#include <chrono>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/format.hpp"
#include "server/route_helpers.hpp"
#include "server/routes.hpp"

namespace optischema::server {
namespace {

using namespace route_helpers;

constexpr std::initializer_list<BodyField> kUserFields = {
    {"username", BodyField::Type::kString}, {"password", BodyField::Type::kString}, {"role", BodyField::Type::kString}};

}  // namespace

void RegisterAccountRoutes(api::Router& router, Services& s) {
    // Not on the slow pool, where AI asks may wait minutes: Login itself bounds how many password hashes
    // run at once, so a flood of logins never holds up the reads.
    router.Post("/api/v1/auth/login", [&s](const HttpRequest& request) { return s.auth.Login(request); },
                {.public_route = true});
    router.Post("/api/v1/auth/logout", [&s](const HttpRequest& request) { return s.auth.Logout(request); });
    router.Get("/api/v1/auth/me", [&s](const HttpRequest& request) {
        const auto& p = *request.principal;
        return HttpResponse::Json(200,
                                  {{"user", {{"username", p.username}, {"role", std::string(api::RoleName(p.role))}}},
                                   {"auth_enabled", s.auth.enabled()}});
    });
    const api::RouteOptions admin{.required_role = Role::kAdmin};
    router.Get(
        "/api/v1/users", Handle([&s](const HttpRequest&) -> Result<HttpResponse> {
            auto users = s.store.With([](store::Store& st) { return st.ListUsers(); });
            if (!users) return tl::unexpected(users.error());
            Json out = Json::array();
            for (const auto& u : *users) {
                out.push_back(
                    {{"id", u.id}, {"username", u.username}, {"role", u.role}, {"created_at", IsoTime(u.created_at)}});
            }
            return HttpResponse::Json(200, {{"users", out}});
        }),
        admin);
    router.Post(
        "/api/v1/users",
        Audited(
            s, "settings", Handle([&s](const HttpRequest& request) -> Result<HttpResponse> {
                auto body = JsonBody(request, kUserFields);
                if (!body) return tl::unexpected(body.error());
                auto user = s.auth.CreateUser(body->value("username", ""), body->value("password", ""),
                                              body->value("role", "viewer"));
                if (!user) return tl::unexpected(user.error());
                return HttpResponse::Json(201, {{"id", user->id}, {"username", user->username}, {"role", user->role}});
            })),
        admin);
    router.Put(
        "/api/v1/users/{id}",
        Audited(
            s, "settings", Handle([&s](const HttpRequest& request) -> Result<HttpResponse> {
                auto id = IdParam(request);
                if (!id) return tl::unexpected(id.error());
                auto body = JsonBody(request, kUserFields);
                if (!body) return tl::unexpected(body.error());
                auto user = s.auth.UpdateUser(*id, body->value("role", ""), body->value("password", ""), request);
                if (!user) return tl::unexpected(user.error());
                return HttpResponse::Json(200, {{"id", user->id}, {"username", user->username}, {"role", user->role}});
            })),
        admin);
    router.Delete("/api/v1/users/{id}",
                  Audited(s, "settings", Handle([&s](const HttpRequest& request) -> Result<HttpResponse> {
                              auto id = IdParam(request);
                              if (!id) return tl::unexpected(id.error());
                              if (auto ok = s.auth.DeleteUser(*id); !ok) {
                                  return tl::unexpected(ok.error());
                              }
                              HttpResponse r;
                              r.status = 204;
                              return r;
                          })),
                  admin);
}

}  // namespace optischema::server
