// The TOML config file of `optischema serve`, and the --target flag.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "server/config.hpp"

namespace server = optischema::server;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    (void)server::ParseConfig(text, "optischema.toml", server::ServeConfig{});
    (void)server::ParseTargetFlag(std::string(text));
    return 0;
}
