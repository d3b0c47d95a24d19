// DSN parsing and redaction (pg/dsn): a DSN comes from the config file, the command line and the API.
// The input is a password, a NUL byte, then the rest of a DSN; the password is put in a URI and in a
// key=value DSN, and whatever the rest holds, no message or redacted form may show it.

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "pg/dsn.hpp"

namespace pg = optischema::pg;

namespace {

void MustHide(const std::string& text, const std::string& password) {
    if (!password.empty() && text.find(password) != std::string::npos) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string input(reinterpret_cast<const char*>(data), size);
    // The input as a DSN of its own.
    (void)pg::ValidateDsn(input);
    (void)pg::RedactDsn(input);
    (void)pg::DsnKeywords(input);

    const auto nul = input.find('\0');
    if (nul == std::string::npos) return 0;
    std::string password = input.substr(0, nul);
    const std::string rest = input.substr(nul + 1);
    if (rest.find('\0') != std::string::npos) return 0;
    // A password of letters and digits, long enough not to occur by chance in libpq's messages or in
    // our own, and not typed again in the rest (where it is no longer the password).
    password.erase(
        std::remove_if(password.begin(), password.end(), [](unsigned char c) { return std::isalnum(c) == 0; }),
        password.end());
    if (password.size() < 12 || rest.find(password) != std::string::npos) return 0;
    // In both forms the password stays the password whatever follows (in "REST password=X", REST could
    // make a URI of it, whose dbname would then hold the text).
    for (const std::string& dsn : {"postgresql://user:" + password + "@" + rest, "password=" + password + " " + rest}) {
        if (auto ok = pg::ValidateDsn(dsn); !ok) MustHide(ok.error().message, password);
        MustHide(pg::RedactDsn(dsn), password);
    }
    return 0;
}
