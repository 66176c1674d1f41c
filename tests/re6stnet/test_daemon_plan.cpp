// What the daemon will run, from its options and identity.
#include "re6stnet/daemon_plan.hpp"

#include "peers.hpp"

#include <gtest/gtest.h>

using namespace re6st;
using test::bits;
using namespace std::chrono_literals;

namespace {

NodeIdentity identity()
{
    Network network(Ipv6Prefix::parse("2001:db8:42::/48"));
    return {network, bits(5), network.node_address(bits(5)), network.node_subnet(bits(5))};
}

Config config()
{
    Config c;
    c.registry = "http://192.0.2.42:9080/";
    c.ca = "/etc/re6stnet/ca.crt";
    c.cert = "/etc/re6stnet/cert.crt";
    c.key = "/etc/re6stnet/cert.key";
    c.pp = {{1194, Transport::udp}, {1195, Transport::tcp}};
    c.given.connection_count = 5;
    c.given.max_clients = 3;
    c.lan_interfaces = {"eth1"};
    return c;
}

}  // namespace

TEST(DaemonPlan, FilesAndSocketsLiveInTheNodesDirectories)
{
    auto plan = plan_daemon(config(), identity(), "/usr/lib/re6stnet");
    EXPECT_EQ(plan.peer_db, "/var/lib/re6stnet/peers.db");
    EXPECT_EQ(plan.management_socket, "/run/re6stnet/openvpn.sock");
    EXPECT_EQ(plan.babeld.pid_file, "/run/re6stnet/babeld.pid");
    EXPECT_EQ(plan.babeld.control_socket, "/run/re6stnet/babeld.sock");
    EXPECT_EQ(plan.babeld.state_file, "/var/lib/re6stnet/babeld.state");
    EXPECT_EQ(plan.babeld_log, "/var/log/re6stnet-babeld.log");
    EXPECT_EQ(plan.tunnels.openvpn.management_socket, plan.management_socket);
    EXPECT_EQ(plan.tunnels.openvpn.hook_dir, "/usr/lib/re6stnet");
    EXPECT_EQ(plan.registry.to_string(), "http://192.0.2.42:9080/");
}

// Without --pp, the servers fit the host: IPv6 ones beside the IPv4 ones
// when it has an IPv6 address of the underlay.
TEST(DaemonPlan, DefaultServersFollowTheHostsAddresses)
{
    auto c = config();
    c.pp.clear();
    HostNetwork ipv4_host;
    ipv4_host.ipv6_addresses = {Ipv6Address::parse("fe80::1"),
                                Ipv6Address::parse("2001:db8:42:5::1")};   // the overlay's
    ipv4_host.ipv4_route_devices = {"eth0"};
    auto plan = plan_daemon(c, identity(), "/usr/lib/re6stnet", ipv4_host);
    EXPECT_EQ(plan.ports, (std::vector<ServerPort>{{1194, Transport::udp}, {1194, Transport::tcp}}));
    EXPECT_EQ(plan.tunnels.families, std::set<AddressFamily>{AddressFamily::ipv4});
    EXPECT_EQ(plan.underlay_ipv6, "");

    HostNetwork dual = ipv4_host;
    dual.ipv6_addresses.push_back(Ipv6Address::parse("fd00::2"));
    dual.ipv6_routes = {{Ipv6Prefix::parse("fd00::/64"), "eth0"}};
    plan = plan_daemon(c, identity(), "/usr/lib/re6stnet", dual);
    ASSERT_EQ(plan.servers.size(), 4u);
    EXPECT_EQ(plan.servers[1].openvpn.interface, "re6st-6udp1194");
    EXPECT_EQ(plan.servers[1].openvpn.transport, Transport::udp6);
    EXPECT_EQ(plan.servers[1].log_file, "/var/log/re6stnet-server-6udp1194.log");
    EXPECT_EQ(plan.servers[3].openvpn.interface, "re6st-6tcp1194");
    EXPECT_EQ(plan.tunnels.families,
              (std::set<AddressFamily>{AddressFamily::ipv4, AddressFamily::ipv6}));
    // The host's IPv6 address is declared from the start.
    EXPECT_EQ(plan.underlay_ipv6, "fd00::2");

    // --pp is taken as given.
    plan = plan_daemon(config(), identity(), "/usr/lib/re6stnet", dual);
    EXPECT_EQ(plan.ports, config().pp);
    // --ip: only what is given is declared.
    c.ip = {parse_endpoint("192.0.2.7,1194,udp")};
    plan = plan_daemon(c, identity(), "/usr/lib/re6stnet", dual);
    EXPECT_EQ(plan.underlay_ipv6, "");
}

TEST(DaemonPlan, OneServerPerPortAndEveryTapKnownToBabeld)
{
    auto plan = plan_daemon(config(), identity(), "/usr/lib/re6stnet");
    ASSERT_EQ(plan.servers.size(), 2u);
    EXPECT_EQ(plan.servers[0].openvpn.interface, "re6st-udp1194");
    EXPECT_EQ(plan.servers[0].openvpn.max_clients, 3u);
    EXPECT_EQ(plan.servers[0].log_file, "/var/log/re6stnet-server-udp1194.log");
    EXPECT_EQ(plan.servers[1].openvpn.interface, "re6st-tcp1195");
    EXPECT_EQ(plan.servers[1].openvpn.transport, Transport::tcp);
    EXPECT_EQ(plan.tunnels.slots, 3u);   // ceil(5 / 2)
    EXPECT_EQ(plan.babeld.tunnels,
              (std::vector<std::string>{"re6st-udp1194", "re6st-tcp1195", "re6stnet0",
                                        "re6stnet1", "re6stnet2"}));
    EXPECT_EQ(plan.babeld.lan_interfaces, (std::vector<std::string>{"eth1"}));
}

TEST(DaemonPlan, TheNodesAddressOnItsMainInterface)
{
    auto plan = plan_daemon(config(), identity(), "/usr/lib/re6stnet");
    EXPECT_EQ(plan.addressing.interface, "lo");
    EXPECT_EQ(plan.addressing.address.to_string(), "2001:db8:42:5::1");
    EXPECT_EQ(plan.addressing.subnet.to_string(), "2001:db8:42:5::/64");
    EXPECT_EQ(plan.addressing.network.to_string(), "2001:db8:42::/48");
    EXPECT_EQ(plan.babeld.address.to_string(), "2001:db8:42:5::1");
}

TEST(DaemonPlan, UpnpOnlyWithoutAdvertisedEndpoints)
{
    auto c = config();
    EXPECT_TRUE(plan_daemon(c, identity(), "").upnp);
    c.ip = {{"192.0.2.1", 1194, "udp"}};
    auto plan = plan_daemon(c, identity(), "");
    EXPECT_FALSE(plan.upnp);
    EXPECT_EQ(plan.advertised, c.ip);
    c.ip.clear();
    c.upnp = false;
    EXPECT_FALSE(plan_daemon(c, identity(), "").upnp);
}

TEST(DaemonPlan, BadRegistryUrlNamesTheOption)
{
    auto c = config();
    c.registry = "ftp://registry";
    try {
        plan_daemon(c, identity(), "");
        FAIL() << "accepted";
    } catch (const UsageError& error) {
        EXPECT_TRUE(std::string(error.what()).starts_with("option '--registry': "))
            << error.what();
    }
}

// The network's parameters as the node runs them: the servers' limit, the
// client slots, OpenVPN's timing and babeld's.
TEST(DaemonPlan, NetworkParametersReachEveryPart)
{
    auto plan = plan_daemon(config(), identity(), "");
    NetworkParameters network;
    network.connection_count = 9;
    network.hello = 4s;
    network.tunnel_hello = 500ms;
    network.tunnel_ping = 2s;
    network.tunnel_timeout = 7s;
    network.tunnel_tcp_timeout = 20s;
    network.refresh_count = 2;
    plan_network(plan, merge_network_parameters(plan.given, network));
    EXPECT_EQ(plan.tunnels.slots, 3u);                    // ceil(5 / 2): given
    EXPECT_EQ(plan.servers[0].openvpn.max_clients, 3u);  // given
    EXPECT_EQ(plan.tunnels.refresh_count, 2u);
    EXPECT_EQ(plan.tunnels.openvpn.ping, 2s);
    EXPECT_EQ(plan.tunnels.openvpn.timeout, 7s);
    EXPECT_EQ(plan.tunnels.openvpn.tcp_timeout, 20s);
    EXPECT_EQ(plan.babeld.hello, 4s);
    EXPECT_EQ(plan.babeld.tunnel_hello, 500ms);
    EXPECT_EQ(plan.network.tunnel_refresh, 300s);        // the default
}

// A node that follows the network: more slots give babeld more taps; fewer
// keep them, as their tunnels may still be closing.
TEST(DaemonPlan, BabeldTapsOnlyGrow)
{
    auto c = config();
    c.given = {};
    auto plan = plan_daemon(c, identity(), "");
    EXPECT_EQ(plan.tunnels.slots, 10u);   // the default connection-count, 20
    EXPECT_EQ(plan.servers[0].openvpn.max_clients, 10u);
    NetworkParameters network;
    network.connection_count = 24;
    plan_network(plan, merge_network_parameters(plan.given, network));
    EXPECT_EQ(plan.tunnels.slots, 12u);
    EXPECT_EQ(plan.servers[1].openvpn.max_clients, 12u);
    EXPECT_EQ(plan.babeld.tunnels.size(), 2u + 12u);
    EXPECT_EQ(plan.babeld.tunnels.back(), "re6stnet11");
    network.connection_count = 2;
    plan_network(plan, merge_network_parameters(plan.given, network));
    EXPECT_EQ(plan.tunnels.slots, 1u);
    EXPECT_EQ(plan.servers[0].openvpn.max_clients, 1u);
    EXPECT_EQ(plan.babeld.tunnels.size(), 2u + 12u);
}

TEST(DaemonPlan, TheNetworkConfigurationIsKeptInTheStateDirectory)
{
    EXPECT_EQ(plan_daemon(config(), identity(), "").network_config,
              "/var/lib/re6stnet/network.conf");
}
