// The status document: babeld's view added to the tunnels, and a fixed
// status rendered as text and JSON, read back the same.
#include "re6stnet/node_status.hpp"
#include "re6stnet/node_status_json.hpp"
#include "re6stnet/node_status_text.hpp"

#include "support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace re6st;
using namespace std::chrono_literals;
using Direction = NodeStatus::Tunnel::Direction;

namespace {

const Network network(Ipv6Prefix::parse("2001:db8:42::/48"));

// 2026-12-06 07:00:00 UTC
const NodeStatus::Time now = std::chrono::system_clock::from_time_t(1796540400);

std::string read_data(const char* name)
{
    std::ifstream file(std::string(TEST_DATA_DIR) + "/" + name);
    std::ostringstream text;
    text << file.rdbuf();
    return text.str();
}

NodeStatus::Tunnel tunnel(Direction direction, std::string interface, std::string peer)
{
    NodeStatus::Tunnel t;
    t.direction = direction;
    t.interface = std::move(interface);
    t.peer = std::move(peer);
    return t;
}

// Node 3/16 with a client tunnel to 1/16, one connecting to 5/16, and 4/16
// connected to its server.
NodeStatus sample()
{
    NodeStatus status;
    status.version = "0.9.0";
    status.generated = now;
    status.identity = {"3/16", "2001:db8:42:3::/64", "2001:db8:42:3::1", "0a1f",
                       now + std::chrono::days(364), now + std::chrono::days(3650)};
    status.registry.url = "http://192.0.2.42:9080/";
    status.registry.last_refresh = now - 310s;
    status.registry.last_declaration = now - 310s;
    status.registry.last_error = NodeStatus::RegistryCall{"getPeerList", "timed out", now - 2h};
    status.registry.config_version = 4;
    status.endpoints.advertised = {"192.0.2.3,1194,udp"};
    status.servers = {{"re6st-udp1194", "udp", 1194, true, 1, 2048, 1536000}};
    auto up = tunnel(Direction::client, "re6stnet0", "1/16");
    up.endpoints = {"192.0.2.1:1194", "[2001:db8::1]:1194"};
    up.transport = "udp";
    up.state = "up";
    up.up_since = now - 3725s;
    up.rx_bytes = 123456;
    up.tx_bytes = 512;
    auto connecting = tunnel(Direction::client, "re6stnet1", "5/16");
    connecting.endpoints = {"192.0.2.5:1194"};
    connecting.transport = "tcp";
    connecting.state = "connecting";
    auto incoming = tunnel(Direction::server, "re6st-udp1194", "4/16");
    incoming.endpoints = {":1194"};
    incoming.transport = "udp";
    incoming.state = "up";
    incoming.up_since = now - 45s;
    status.tunnels = {up, connecting, incoming};
    status.peers = {12, 7, 2};
    status.counters.tunnel_starts = 9;
    status.counters.tunnel_failures = {{"unreachable", 3}, {"lost", 1}};
    status.counters.tunnel_replacements = 2;
    status.counters.restarts = {{"babeld", 0}, {"openvpn", 1}};
    return status;
}

}  // namespace

// In the captured dump (as node 3/16): 1/16 and 2/16 are reached through
// re6stnet0, 4/16 through re6stnet1; none with RTT.
TEST(NodeStatus, BabeldGivesEachTunnelItsNeighbourCostAndRoutes)
{
    NodeStatus status;
    status.tunnels = {tunnel(Direction::client, "re6stnet0", "2/16"),
                      tunnel(Direction::server, "re6stnet1", "4/16"),
                      tunnel(Direction::server, "re6stnet1", "6/16"),
                      tunnel(Direction::client, "re6stnet2", "5/16")};
    add_babel_view(status, parse_babel_dump(read_data("babeld-dump.txt")), network);
    ASSERT_TRUE(status.babel);
    EXPECT_EQ(*status.babel, (NodeStatus::Babel{2, 3}));
    const auto& t = status.tunnels;
    EXPECT_EQ(t[0].routes, 2u);   // 1/16 through 2/16, and 2/16
    EXPECT_EQ(t[0].cost, 96u);
    EXPECT_EQ(t[0].rtt_ms, std::nullopt);
    EXPECT_EQ(t[1].routes, 1u);   // the client that announces 4/16
    EXPECT_EQ(t[1].cost, 96u);
    // A client of that server not heard of, and a tap without a neighbour.
    EXPECT_EQ(t[2].routes, 0u);
    EXPECT_EQ(t[2].cost, std::nullopt);
    EXPECT_EQ(t[3].routes, 0u);
    EXPECT_EQ(t[3].cost, std::nullopt);
}

TEST(NodeStatus, BabeldRttIsTheNeighbours)
{
    NodeStatus status;
    status.tunnels = {tunnel(Direction::client, "re6stnet0", "2/16")};
    add_babel_view(status,
                   parse_babel_dump("add neighbour 1 address fe80::1 if re6stnet0 reach ffff"
                                    " ureach 0000 rxcost 96 txcost 96 rtt 3.250 rtt-cost 5"
                                    " cost 101\n"),
                   network);
    EXPECT_EQ(status.tunnels[0].cost, 101u);
    EXPECT_EQ(status.tunnels[0].rtt_ms, 3.25);
    EXPECT_EQ(status.tunnels[0].routes, 0u);
}

TEST(NodeStatus, InterfaceBytesFromSysfs)
{
    test::TempDir dir;
    std::filesystem::create_directories(dir.path() / "re6stnet0/statistics");
    dir.write("re6stnet0/statistics/rx_bytes", "1234\n");
    dir.write("re6stnet0/statistics/tx_bytes", "56\n");
    auto read = read_interface_bytes(dir.path().string(), "re6stnet0");
    ASSERT_TRUE(read);
    EXPECT_EQ(read->rx, 1234u);
    EXPECT_EQ(read->tx, 56u);
    EXPECT_FALSE(read_interface_bytes(dir.path().string(), "re6stnet1"));
}

TEST(NodeStatus, RendersAsText)
{
    auto status = sample();
    status.babel = NodeStatus::Babel{2, 9};
    status.tunnels[0].routes = 3;
    status.tunnels[0].cost = 96;
    status.tunnels[0].rtt_ms = 1.25;
    EXPECT_EQ(status_text(status, now), R"(node             3/16, address 2001:db8:42:3::1, subnet 2001:db8:42:3::/64 (re6stnet 0.9.0)
certificate      serial 0a1f, expires 2027-12-05 07:00:00 UTC (in 364d00h)
CA               expires 2036-12-03 07:00:00 UTC (in 3650d00h)
registry         http://192.0.2.42:9080/
  peer list      2026-12-06 06:54:50 UTC (5m10s ago)
  declared       2026-12-06 06:54:50 UTC (5m10s ago)
  last error     getPeerList, 2026-12-06 05:00:00 UTC (2h00m ago): timed out
  configuration  version 4
endpoints        192.0.2.3,1194,udp
UPnP             off
babeld           2 neighbours, 9 routes installed
peer cache       12 known, 7 unused, 2 failed

SERVER         TRANSPORT  PORT  RUNNING  CLIENTS  IN       OUT
re6st-udp1194  udp        1194  yes      1        2.0 KiB  1.5 MiB

TUNNEL  INTERFACE      PEER  ENDPOINT                 STATE       UP     ROUTES  COST  RTT     IN         OUT
client  re6stnet0      1/16  192.0.2.1:1194 udp (+1)  up          1h02m  3       96    1.2 ms  120.6 KiB  512 B
client  re6stnet1      5/16  192.0.2.5:1194 tcp       connecting  -      -       -     -       -          -
server  re6st-udp1194  4/16  :1194 udp                up          45s    -       -     -       -          -
)");
}

TEST(NodeStatus, RendersWhatIsUnknown)
{
    NodeStatus status;
    status.version = "0.9.0";
    status.identity = {"3/16", "2001:db8:42:3::/64", "2001:db8:42:3::1", "0a1f", now - 48h,
                       now + 24h};
    status.registry.url = "http://192.0.2.42:9080/";
    status.endpoints.upnp = true;
    EXPECT_EQ(status_text(status, now), R"(node             3/16, address 2001:db8:42:3::1, subnet 2001:db8:42:3::/64 (re6stnet 0.9.0)
certificate      serial 0a1f, expires 2026-12-04 07:00:00 UTC (EXPIRED 2d00h ago)
CA               expires 2026-12-07 07:00:00 UTC (in 1d00h)
registry         http://192.0.2.42:9080/
  peer list      never
  declared       never
  last error     none
  configuration  none yet
endpoints        none yet
UPnP             no mapping
babeld           did not answer
peer cache       0 known, 0 unused, 0 failed

no server

no tunnel
)");
}

TEST(NodeStatus, RendersAsJson)
{
    auto status = sample();
    status.babel = NodeStatus::Babel{2, 9};
    status.tunnels[0].routes = 3;
    status.tunnels[0].cost = 96;
    status.tunnels[0].rtt_ms = 1.25;
    auto text = status_json(status);
    EXPECT_EQ(text.find('\n'), text.npos);   // one line
    EXPECT_EQ(nlohmann::json::parse(text), nlohmann::json::parse(R"({
  "version": "0.9.0",
  "generated": "2026-12-06T07:00:00Z",
  "identity": {
    "prefix": "3/16",
    "subnet": "2001:db8:42:3::/64",
    "address": "2001:db8:42:3::1",
    "certificate_serial": "0a1f",
    "certificate_not_after": "2027-12-05T07:00:00Z",
    "ca_not_after": "2036-12-03T07:00:00Z"
  },
  "registry": {
    "url": "http://192.0.2.42:9080/",
    "last_refresh": "2026-12-06T06:54:50Z",
    "last_declaration": "2026-12-06T06:54:50Z",
    "last_error": {"method": "getPeerList", "message": "timed out", "at": "2026-12-06T05:00:00Z"},
    "config_version": 4
  },
  "endpoints": {"advertised": ["192.0.2.3,1194,udp"], "upnp": false, "mapped": []},
  "servers": [
    {"interface": "re6st-udp1194", "transport": "udp", "port": 1194, "running": true,
     "clients": 1, "rx_bytes": 2048, "tx_bytes": 1536000}
  ],
  "tunnels": [
    {"direction": "client", "interface": "re6stnet0", "peer": "1/16",
     "endpoints": ["192.0.2.1:1194", "[2001:db8::1]:1194"], "transport": "udp",
     "state": "up", "up_since": "2026-12-06T05:57:55Z", "routes": 3, "cost": 96,
     "rtt_ms": 1.25, "rx_bytes": 123456, "tx_bytes": 512},
    {"direction": "client", "interface": "re6stnet1", "peer": "5/16",
     "endpoints": ["192.0.2.5:1194"], "transport": "tcp", "state": "connecting",
     "up_since": null, "routes": null, "cost": null, "rtt_ms": null, "rx_bytes": null,
     "tx_bytes": null},
    {"direction": "server", "interface": "re6st-udp1194", "peer": "4/16",
     "endpoints": [":1194"], "transport": "udp", "state": "up",
     "up_since": "2026-12-06T06:59:15Z", "routes": null, "cost": null, "rtt_ms": null,
     "rx_bytes": null, "tx_bytes": null}
  ],
  "babeld": {"neighbours": 2, "routes_installed": 9},
  "peers": {"known": 12, "unused": 7, "failed": 2},
  "counters": {
    "tunnel_starts": 9,
    "tunnel_failures": {"unreachable": 3, "lost": 1},
    "tunnel_replacements": 2,
    "restarts": {"babeld": 0, "openvpn": 1}
  }
}
)"));
    EXPECT_EQ(parse_status_json(text), status);
    status.babel.reset();
    EXPECT_EQ(parse_status_json(status_json(status)), status);
}

TEST(NodeStatus, RefusesWhatIsNotAStatus)
{
    EXPECT_THROW(parse_status_json("not json"), StatusFormatError);
    EXPECT_THROW(parse_status_json("{}"), StatusFormatError);
    auto text = status_json(sample());
    auto at = text.find("\"client\"");
    EXPECT_THROW(parse_status_json(text.replace(at, 8, "\"sideways\"")), StatusFormatError);
}
