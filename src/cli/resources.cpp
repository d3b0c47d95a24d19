#include "cli/resources.hpp"

#include <csignal>
#include <iostream>

#include <pwd.h>
#include <unistd.h>

#include "common/strings.hpp"
#include "pg/dsn.hpp"
#include "store/open_store.hpp"

namespace optischema::cli {
namespace {

// The flag Ctrl-C sets; a signal handler can reach nothing else.
std::atomic<service::CancelFlag*> g_interrupt_flag{nullptr};

extern "C" void OnInterrupt(int) {
    if (service::CancelFlag* flag = g_interrupt_flag.load()) flag->store(true);
}

}  // namespace

Result<std::unique_ptr<store::Store>> OpenCliStore(const std::string& data_dir, const std::string& store_dsn) {
    if (store_dsn.empty()) return store::OpenStore({store::StoreLocation::Kind::kSqlite, data_dir});
    return store::OpenStore({store::StoreLocation::Kind::kPostgres, store_dsn});
}

Result<service::TargetRef> CliTarget(const std::string& dsn) {
    if (auto ok = pg::ValidateDsn(dsn); !ok) return tl::unexpected(ok.error());
    return service::TargetRef{dsn, pg::RedactDsn(dsn)};
}

std::string CliActor() {
    const passwd* pw = ::getpwuid(::geteuid());
    return "cli:" + (pw != nullptr ? std::string(pw->pw_name) : std::to_string(::geteuid()));
}

Result<void> Confirm(const Confirmation& c) {
    if (::isatty(STDIN_FILENO) == 0 && std::cin.peek() == EOF) {
        return MakeError(ErrorCode::kInvalidArgument, "no terminal to confirm on: pass --yes to " + c.action);
    }
    std::cerr << c.what << c.question << " [y/N] " << std::flush;
    std::string answer;
    if (!std::getline(std::cin, answer)) answer.clear();
    answer = std::string(Trim(answer));
    if (answer == "y" || answer == "Y" || answer == "yes") return {};
    return MakeError(ErrorCode::kInvalidArgument, c.not_done + ": not confirmed");
}

InterruptGuard::InterruptGuard(service::CancelFlag& flag) {
    flag = false;
    g_interrupt_flag = &flag;
    previous_ = std::signal(SIGINT, OnInterrupt);
}

InterruptGuard::~InterruptGuard() {
    std::signal(SIGINT, previous_);
    g_interrupt_flag = nullptr;
}

}  // namespace optischema::cli
