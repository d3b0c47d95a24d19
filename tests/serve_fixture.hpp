#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/types.h>

#include "binary_runner.hpp"
#include "http_test_client.hpp"

/// What the end-to-end tests of `optischema serve` share: the running server, its admin session and
/// readers of the API's answers.
namespace optischema::testing {

using Json = nlohmann::json;

/// The password of the admin account every Server starts with.
inline constexpr const char* kAdminPassword = "correct-horse-battery";

/// A running `optischema serve` (on a free port, in a scratch data directory) and a logged-in admin
/// session. Stopped with SIGTERM on destruction. Failures throw std::runtime_error, which fails the test.
class Server {
public:
    /// Starts `serve --listen 127.0.0.1:0 --admin-password-file ... extra...` and waits until it listens.
    explicit Server(std::vector<std::string> extra);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    /// Logs in and returns the cookie header and the CSRF token.
    std::pair<std::string, std::string> Login(const std::string& user, const std::string& password);
    /// Logs in and returns the Cookie and X-CSRF-Token headers of the new session.
    HeaderList LoginHeaders(const std::string& user, const std::string& password);

    /// A request as the admin, with the session cookie and (unless with_csrf is false) the CSRF header.
    HttpTestResponse Call(std::string_view method,
                          std::string_view path,
                          const std::string& body = {},
                          bool with_csrf = true);
    /// GET as the admin; throws unless the answer is 200.
    Json GetJson(std::string_view path);

    /// Polls until `pred(GET path)` holds or the time is up.
    bool WaitFor(std::string_view path,
                 const std::function<bool(const Json&)>& pred,
                 std::chrono::seconds timeout = std::chrono::seconds(20));

    /// Creates a user through the API (as the admin) and returns the answer.
    HttpTestResponse AddUser(const std::string& username, const std::string& password, const std::string& role);
    /// The id of user `username` as the API lists it; empty when there is none.
    std::string UserId(const std::string& username);

    /// Sends SIGTERM and returns how the process ended.
    CommandResult Stop();
    /// Kills the process without a chance to clean up (a crashed or unplugged machine).
    void Kill();

    [[nodiscard]] std::uint16_t port() const { return port_; }
    [[nodiscard]] const std::string& data_dir() const { return runner_.data_dir(); }
    /// The admin session (cookie header, CSRF token), logging in on first use.
    const std::pair<std::string, std::string>& session();

private:
    BinaryRunner runner_;
    pid_t pid_ = -1;
    std::uint16_t port_ = 0;
    std::pair<std::string, std::string> session_;
};

/// The entry of GET .../statements whose normalized query is `text`; nullptr when there is none.
const Json* FindStatement(const Json& statements, const std::string& text);

/// The id (as text) of the first item of `items` whose `field` is `value`; empty when there is none.
std::string IdOf(const Json& items, const std::string& field, const std::string& value);

/// The state of each target by name in an answer of GET /api/v1/targets.
std::map<std::string, std::string> StatesOf(const Json& targets);

/// The state of each target by name, as one instance shows them.
std::map<std::string, std::string> States(Server& server);

/// Polls until `pred` holds for both servers or the time is up.
bool BothHold(Server& one, Server& two, const std::function<bool(Server&)>& pred, std::chrono::seconds timeout);

/// A chat.completion as OpenAI documents it, with `answer` as the assistant's message.
std::string OpenAiBody(const Json& answer);

/// The fixture of the serve tests: database serve_shop with a table `items` (20,000 rows, 100 kinds),
/// created once for the suite.
class ServeTest : public ::testing::Test {
protected:
    static void SetUpTestSuite();
    static std::string dsn_;
};

}  // namespace optischema::testing
