// The endpoints a node without --ip declares, from what it learned of its
// public addresses.
#include "re6stnet/own_endpoints.hpp"

#include <gtest/gtest.h>

using namespace re6st;
using Endpoints = std::vector<Endpoint>;

namespace {

const std::vector<ServerPort> dual{{1194, Transport::udp}, {1194, Transport::udp6},
                                   {1194, Transport::tcp}, {1194, Transport::tcp6}};

}  // namespace

TEST(OwnEndpoints, NothingBeforeAnyAddressIsKnown)
{
    EXPECT_TRUE(own_endpoints(dual, {}).empty());
}

TEST(OwnEndpoints, EachFamilyWithItsOwnServers)
{
    EXPECT_EQ(own_endpoints(dual, {{}, "198.51.100.7", ""}),
              (Endpoints{{"198.51.100.7", 1194, "udp"}, {"198.51.100.7", 1194, "tcp-client"}}));
    EXPECT_EQ(own_endpoints(dual, {{}, "", "2001:db8::7"}),
              (Endpoints{{"2001:db8::7", 1194, "udp6"}, {"2001:db8::7", 1194, "tcp6-client"}}));
    EXPECT_EQ(own_endpoints(dual, {{}, "198.51.100.7", "2001:db8::7"}),
              (Endpoints{{"198.51.100.7", 1194, "udp"}, {"2001:db8::7", 1194, "udp6"},
                         {"198.51.100.7", 1194, "tcp-client"}, {"2001:db8::7", 1194, "tcp6-client"}}));
}

TEST(OwnEndpoints, UpnpMappingsStandForTheIpv4Servers)
{
    Endpoints mapped{{"203.0.113.1", 40001, "udp"}, {"203.0.113.1", 40002, "tcp-client"}};
    EXPECT_EQ(own_endpoints(dual, {mapped, "198.51.100.7", "2001:db8::7"}),
              (Endpoints{mapped[0], mapped[1], {"2001:db8::7", 1194, "udp6"},
                         {"2001:db8::7", 1194, "tcp6-client"}}));
}

TEST(OwnEndpoints, AnIpv4OnlyNodeIgnoresItsIpv6Address)
{
    std::vector<ServerPort> ipv4{{1194, Transport::udp}};
    EXPECT_EQ(own_endpoints(ipv4, {{}, "198.51.100.7", "2001:db8::7"}),
              (Endpoints{{"198.51.100.7", 1194, "udp"}}));
}
