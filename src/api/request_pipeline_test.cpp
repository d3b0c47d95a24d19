#include "api/request_pipeline.hpp"

#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "api/http_message.hpp"

namespace optischema::api {
namespace {

TEST(LoopbackHostTest, NamesThisMachineOnly) {
    for (const std::string_view yes : {"localhost", "LOCALHOST:80", "127.0.0.1", "127.1.2.3:8080", "[::1]:80", "::1"}) {
        EXPECT_TRUE(IsLoopbackHost(yes)) << yes;
    }
    for (const std::string_view no : {"0.0.0.0:8080", ":8080", "10.0.0.1:80", "localhost.evil.example", "[::2]:80",
                                      "evil.example", "127.0.0.1.evil.example", ""}) {
        EXPECT_FALSE(IsLoopbackHost(no)) << no;
    }
}

TEST(AddressGroupTest, IPv4AloneIPv6ByItsSlash64AndMappedIPv4AsIPv4) {
    EXPECT_EQ(AddressGroup("10.0.0.5"), "10.0.0.5");
    EXPECT_EQ(AddressGroup("::ffff:10.0.0.5"), "10.0.0.5");
    EXPECT_EQ(AddressGroup("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), "2001:db8:1:2::/64");
    EXPECT_EQ(AddressGroup("2001:db8:1:2::1"), AddressGroup("2001:db8:1:2:ffff::9"));
    EXPECT_NE(AddressGroup("2001:db8:1:2::1"), AddressGroup("2001:db8:1:3::1"));
    EXPECT_EQ(AddressGroup("::1"), "::/64");
    EXPECT_EQ(AddressGroup("not an address"), "not an address");
}

TEST(ClientAddressTest, OnlyATrustedProxyNamesTheClient) {
    const std::vector<std::string> proxies = {"10.0.0.5", "10.0.0.6"};
    auto from = [&](std::string_view peer, std::vector<std::string> forwarded) {
        HttpHeaders headers;
        for (const auto& line : forwarded) headers.Add("X-Forwarded-For", line);
        return ClientAddress(peer, headers, proxies);
    };
    EXPECT_EQ(from("203.0.113.9", {"198.51.100.1"}), "203.0.113.9") << "anyone else's header is ignored";
    EXPECT_EQ(from("10.0.0.5", {}), "10.0.0.5");
    EXPECT_EQ(from("10.0.0.5", {"198.51.100.1"}), "198.51.100.1");
    EXPECT_EQ(from("10.0.0.5", {"1.2.3.4, 198.51.100.1"}), "198.51.100.1") << "the client may have forged 1.2.3.4";
    EXPECT_EQ(from("10.0.0.5", {"1.2.3.4", "198.51.100.1, 10.0.0.6"}), "198.51.100.1") << "proxies are skipped";
    EXPECT_EQ(from("10.0.0.5", {"2001:db8::7"}), "2001:db8::7");
    EXPECT_EQ(from("10.0.0.5", {"unknown"}), "10.0.0.5") << "not an address";
}

}  // namespace
}  // namespace optischema::api
