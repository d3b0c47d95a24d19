#include "serve_fixture.hpp"

#include <fstream>
#include <regex>
#include <stdexcept>
#include <thread>

#include <signal.h>

#include "fake_llm_server.hpp"
#include "pg_test_env.hpp"

namespace optischema::testing {

using namespace std::chrono_literals;

Server::Server(std::vector<std::string> extra) {
    std::ofstream(runner_.data_dir() + "/admin-password") << kAdminPassword << "\n";
    std::vector<std::string> args = {"serve", "--listen", "127.0.0.1:0", "--admin-password-file",
                                     runner_.data_dir() + "/admin-password"};
    args.insert(args.end(), extra.begin(), extra.end());
    pid_ = runner_.Start(args);
    const std::regex url(R"(listening on http://127\.0\.0\.1:(\d+))");
    for (int i = 0; i < 200 && port_ == 0; ++i) {
        std::this_thread::sleep_for(50ms);
        std::smatch m;
        const std::string out = runner_.OutSoFar();
        if (std::regex_search(out, m, url)) port_ = static_cast<std::uint16_t>(std::stoi(m[1]));
    }
    if (port_ == 0) throw std::runtime_error("serve did not start: " + runner_.ErrSoFar());
}

Server::~Server() {
    if (pid_ > 0) {
        ::kill(pid_, SIGTERM);
        (void)runner_.Wait(pid_);
    }
}

std::pair<std::string, std::string> Server::Login(const std::string& user, const std::string& password) {
    HttpTestClient c(port_);
    auto r = c.Request("POST", "/api/v1/auth/login", Json{{"username", user}, {"password", password}}.dump(),
                       {{"Content-Type", "application/json"}});
    if (r.status != 200) throw std::runtime_error("login failed: " + r.body);
    std::string cookies;
    for (const auto& [name, value] : r.headers) {
        if (name == "Set-Cookie" || name == "set-cookie") {
            cookies += (cookies.empty() ? "" : "; ") + value.substr(0, value.find(';'));
        }
    }
    return {cookies, Json::parse(r.body)["csrf_token"].get<std::string>()};
}

HeaderList Server::LoginHeaders(const std::string& user, const std::string& password) {
    auto [cookies, csrf] = Login(user, password);
    return {{"Cookie", cookies}, {"X-CSRF-Token", csrf}};
}

HttpTestResponse Server::Call(std::string_view method, std::string_view path, const std::string& body, bool with_csrf) {
    const auto& [cookies, csrf] = session();
    HeaderList headers = {{"Cookie", cookies}, {"Content-Type", "application/json"}};
    if (with_csrf) headers.emplace_back("X-CSRF-Token", csrf);
    HttpTestClient c(port_);
    return c.Request(method, path, body, headers);
}

Json Server::GetJson(std::string_view path) {
    auto r = Call("GET", path);
    if (r.status != 200) throw std::runtime_error(std::string(path) + ": " + std::to_string(r.status) + " " + r.body);
    return Json::parse(r.body);
}

bool Server::WaitFor(std::string_view path,
                     const std::function<bool(const Json&)>& pred,
                     std::chrono::seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (pred(GetJson(path))) return true;
        std::this_thread::sleep_for(200ms);
    }
    return false;
}

HttpTestResponse Server::AddUser(const std::string& username, const std::string& password, const std::string& role) {
    return Call("POST", "/api/v1/users", Json{{"username", username}, {"password", password}, {"role", role}}.dump());
}

std::string Server::UserId(const std::string& username) {
    return IdOf(GetJson("/api/v1/users")["users"], "username", username);
}

CommandResult Server::Stop() {
    ::kill(pid_, SIGTERM);
    auto result = runner_.Wait(pid_);
    pid_ = -1;
    return result;
}

void Server::Kill() {
    ::kill(pid_, SIGKILL);
    (void)runner_.Wait(pid_);
    pid_ = -1;
}

const std::pair<std::string, std::string>& Server::session() {
    if (session_.first.empty()) session_ = Login("admin", kAdminPassword);
    return session_;
}

const Json* FindStatement(const Json& statements, const std::string& text) {
    for (const auto& s : statements["statements"]) {
        if (s["query"] == text) return &s;
    }
    return nullptr;
}

std::string IdOf(const Json& items, const std::string& field, const std::string& value) {
    for (const auto& item : items) {
        if (item[field] == value) return std::to_string(item["id"].get<int>());
    }
    return {};
}

std::map<std::string, std::string> StatesOf(const Json& targets) {
    std::map<std::string, std::string> out;
    for (const auto& t : targets["targets"]) {
        out[t["name"].get<std::string>()] = t["status"]["state"].get<std::string>();
    }
    return out;
}

std::map<std::string, std::string> States(Server& server) { return StatesOf(server.GetJson("/api/v1/targets")); }

bool BothHold(Server& one, Server& two, const std::function<bool(Server&)>& pred, std::chrono::seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (pred(one) && pred(two)) return true;
        std::this_thread::sleep_for(250ms);
    }
    return false;
}

std::string OpenAiBody(const Json& answer) { return OpenAiCompletionBody(answer.dump(), 1800, 300); }

std::string ServeTest::dsn_;

void ServeTest::SetUpTestSuite() {
    dsn_ = FreshDatabase("serve_shop");
    RunSql(dsn_,
           "CREATE TABLE items (id int PRIMARY KEY, kind int NOT NULL);"
           "INSERT INTO items SELECT g, g % 100 FROM generate_series(1, 20000) g; ANALYZE");
}

}  // namespace optischema::testing
