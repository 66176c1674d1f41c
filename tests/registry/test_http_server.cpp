// The client address the HTTP layer hands to the methods (SPEC B.1, D.2).
// The server itself is tested against the real binary in test_registry_http.py.
#include "registry/http_server.hpp"

#include <gtest/gtest.h>

using namespace re6st::registry;

TEST(ClientAddress, WholeAndUnmapped)
{
    struct Case {
        const char* address;
        const char* text;
    };
    for (auto [address, text] : {
             Case{"2001:db8:42:1::1", "2001:db8:42:1::1"},
             Case{"fd00::2", "fd00::2"},
             Case{"2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"},
             Case{"::ffff:192.0.2.1", "192.0.2.1"},
             Case{"192.0.2.1", "192.0.2.1"},
             Case{"::1", "::1"},
         })
        EXPECT_EQ(client_address_text(boost::asio::ip::make_address(address)), text) << address;
}
