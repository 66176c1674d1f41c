// The wildcard route request the daemon sends on a server's tap.
#include "re6stnet/babel/route_request.hpp"

#include <gtest/gtest.h>

using namespace re6st;

// RFC 8966: magic 42, version 2, a 4-byte body; a Route Request TLV (type
// 9, length 2) with address encoding 0 (wildcard) and prefix length 0.
TEST(RouteRequest, IsOneWildcardRequestTlv)
{
    EXPECT_EQ(wildcard_route_request(), (std::vector<std::uint8_t>{42, 2, 0, 4, 9, 2, 0, 0}));
}

TEST(RouteRequest, MissingInterfaceIsReported)
{
    auto error = request_routes("re6st-absent0");
    EXPECT_EQ(error.rfind("no interface re6st-absent0: ", 0), 0u) << error;
}
