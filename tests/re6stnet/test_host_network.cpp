// The host's underlay: what is read from /proc/net, and what the node
// decides from it (IPv6 servers by default, the families tunnels may try).
#include "re6stnet/host_network.hpp"

#include <gtest/gtest.h>

using namespace re6st;

namespace {

const Network network(Ipv6Prefix::parse("2001:db8:42::/48"));

Ipv6Route route(const char* destination, const char* device)
{
    return {Ipv6Prefix::parse(destination), device};
}

std::vector<Ipv6Address> addresses(std::initializer_list<const char*> texts)
{
    std::vector<Ipv6Address> out;
    for (auto text : texts)
        out.push_back(Ipv6Address::parse(text));
    return out;
}

const std::set<AddressFamily> both{AddressFamily::ipv4, AddressFamily::ipv6};
const std::set<AddressFamily> ipv4{AddressFamily::ipv4};
const std::set<AddressFamily> ipv6{AddressFamily::ipv6};

}  // namespace

TEST(HostNetwork, ParsesProcNetIfInet6)
{
    auto read = parse_if_inet6(
        "fd000000000000000000000000000002 04 40 00 82     eth0\n"
        "00000000000000000000000000000001 01 80 10 80       lo\n"
        "fe8000000000000000fc00fffe000001 04 40 20 80     eth0\n"
        "20010db8000000010000000000000007 04 40 00 01     eth0\n"   // temporary
        "20010db8000000010000000000000008 04 40 00 20     eth0\n"   // deprecated
        "20010db8000000010000000000000009 04 40 00 08     eth0\n"   // DAD failed
        "20010db800000001000000000000000a 04 40 00 40     eth0\n"   // tentative
        "garbage\n");
    EXPECT_EQ(read, addresses({"fd00::2", "::1", "fe80::fc:ff:fe00:1", "2001:db8:0:1::a"}));
}

TEST(HostNetwork, ParsesProcNetIpv6Route)
{
    auto read = parse_ipv6_routes(
        "fd000000000000000000000000000000 40 00000000000000000000000000000000 00 "
        "00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0\n"
        "00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
        "fd000000000000000000000000000001 00000400 00000001 00000000 00000003     eth0\n"
        "00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
        "00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo\n");
    EXPECT_EQ(read, (std::vector<Ipv6Route>{route("fd00::/64", "eth0"), route("::/0", "eth0"),
                                            route("::/0", "lo")}));
}

TEST(HostNetwork, ParsesProcNetRoute)
{
    auto read = parse_ipv4_route_devices(
        "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
        "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"
        "eth1\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n");
    EXPECT_EQ(read, (std::vector<std::string>{"eth0", "eth1"}));
}

// Without --pp a node serves IPv6 when the host has a global or
// unique-local address that is not the network's own.
TEST(HostNetwork, ServesIpv6WithAnUnderlayAddress)
{
    struct Case { std::vector<Ipv6Address> addresses; bool ipv6; };
    for (const auto& c : std::vector<Case>{
             {addresses({}), false},
             {addresses({"::1", "fe80::1"}), false},
             {addresses({"2001:db8:42:5::1"}), false},   // the network's
             {addresses({"::1", "2001:db8:1::5"}), true},
             {addresses({"fd00::2"}), true},
             {addresses({"ff02::1"}), false},
         }) {
        HostNetwork host;
        host.ipv6_addresses = c.addresses;
        EXPECT_EQ(has_underlay_ipv6(host, network), c.ipv6);
    }
}

// The address declared: a global one before a unique-local one.
TEST(HostNetwork, UnderlayAddressPrefersAGlobalOne)
{
    HostNetwork host;
    host.ipv6_addresses = addresses({"fe80::1", "2001:db8:42:5::1", "fd00::2", "2001:db8:1::5"});
    EXPECT_EQ(underlay_ipv6_address(host, network), Ipv6Address::parse("2001:db8:1::5"));
    host.ipv6_addresses.pop_back();
    EXPECT_EQ(underlay_ipv6_address(host, network), Ipv6Address::parse("fd00::2"));
    host.ipv6_addresses.pop_back();
    EXPECT_EQ(underlay_ipv6_address(host, network), std::nullopt);
}

TEST(HostNetwork, DefaultServers)
{
    EXPECT_EQ(default_servers(false),
              (std::vector<ServerPort>{{1194, Transport::udp}, {1194, Transport::tcp}}));
    EXPECT_EQ(default_servers(true),
              (std::vector<ServerPort>{{1194, Transport::udp}, {1194, Transport::udp6},
                                       {1194, Transport::tcp}, {1194, Transport::tcp6}}));
}

TEST(HostNetwork, FamiliesWithARouteToTheUnderlay)
{
    struct Case {
        const char* name;
        std::vector<Ipv6Route> ipv6_routes;
        std::vector<std::string> ipv4_devices;
        std::set<AddressFamily> usable;
    };
    for (const auto& c : std::vector<Case>{
             {"dual stack", {route("::/0", "eth0")}, {"eth0"}, both},
             {"IPv4 only: link-local, multicast, lo and the network are no underlay",
              {route("fe80::/64", "eth0"), route("ff00::/8", "eth0"), route("::1/128", "lo"),
               route("::/0", "lo"), route("2001:db8:42::/48", "re6stnet0"),
               route("2001:db8:42:5::/64", "re6st-udp1194")},
              {"eth0"}, ipv4},
             {"IPv6 only, a unique-local network without default route",
              {route("fd00::/64", "eth0"), route("fe80::/64", "eth0")}, {}, ipv6},
             {"IPv4 through lo only", {route("::/0", "eth0")}, {"lo"}, ipv6},
             {"nothing readable", {}, {}, both},
         }) {
        HostNetwork host;
        host.ipv6_routes = c.ipv6_routes;
        host.ipv4_route_devices = c.ipv4_devices;
        EXPECT_EQ(usable_families(host, network), c.usable) << c.name;
    }
}

TEST(HostNetwork, EndpointsOfUnusableFamiliesAreDropped)
{
    std::vector<Endpoint> endpoints{{"192.0.2.1", 1194, "udp"}, {"2001:db8::1", 1194, "udp6"},
                                    {"192.0.2.1", 1194, "tcp-client"},
                                    {"2001:db8::1", 1194, "tcp6-client"}};
    EXPECT_EQ(usable_endpoints(endpoints, both), endpoints);
    EXPECT_EQ(usable_endpoints(endpoints, ipv4),
              (std::vector<Endpoint>{endpoints[0], endpoints[2]}));
    EXPECT_EQ(usable_endpoints(endpoints, ipv6),
              (std::vector<Endpoint>{endpoints[1], endpoints[3]}));
    EXPECT_TRUE(usable_endpoints(endpoints, {}).empty());
}

TEST(HostNetwork, FamiliesAreDescribedForTheLog)
{
    EXPECT_EQ(describe_families(both), "IPv4 and IPv6");
    EXPECT_EQ(describe_families(ipv6), "IPv6");
    EXPECT_EQ(describe_families({}), "none");
}
