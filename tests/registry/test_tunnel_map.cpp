// The map of the overlay from a fixed set of reports: exact dot and JSON.
#include "registry/tunnel_map.hpp"

#include <gtest/gtest.h>

using namespace re6st;
using namespace re6st::registry;

namespace {

const std::int64_t now = 1'800'000'000;

// Four nodes: 0/16 and 1/16 report now, 2/16 reported 11 minutes ago,
// 3/16 never. 0/16 and 1/16 both name their tunnel: one edge. Only 2/16's
// stale report names 2/16 -- 3/16. 7/16 holds no certificate (revoked since).
TunnelMap fixed_map(const std::optional<Network>& network)
{
    std::vector<std::string> nodes;
    for (auto cn : {"3/16", "1/16", "0/16", "2/16"})
        nodes.push_back(bits_from_cn(cn));
    std::vector<StoredTunnelReport> reports = {
        {bits_from_cn("1/16"), "0/16 2/16", now - 60},
        {bits_from_cn("0/16"), "1/16 7/16", now},
        {bits_from_cn("2/16"), "1/16 3/16", now - 660},
        {bits_from_cn("7/16"), "0/16", now},
    };
    return build_tunnel_map(nodes, reports, network, now);
}

}  // namespace

TEST(TunnelMap, Dot)
{
    EXPECT_EQ(tunnel_map_dot(fixed_map(Network(Ipv6Prefix::parse("2001:db8:42::/48")))),
              "graph re6st {\n"
              "  node [shape=box];\n"
              "  \"0/16\" [label=\"0/16\\n2001:db8:42::1\"];\n"
              "  \"1/16\" [label=\"1/16\\n2001:db8:42:1::1\"];\n"
              "  \"2/16\" [label=\"2/16\\n2001:db8:42:2::1\", style=dashed, color=grey, "
              "fontcolor=grey];\n"
              "  \"3/16\" [label=\"3/16\\n2001:db8:42:3::1\", style=dashed, color=grey, "
              "fontcolor=grey];\n"
              "  \"0/16\" -- \"1/16\";\n"
              "  \"1/16\" -- \"2/16\";\n"
              "  \"2/16\" -- \"3/16\" [style=dashed, color=grey, fontcolor=grey];\n"
              "}\n");
}

TEST(TunnelMap, Json)
{
    EXPECT_EQ(tunnel_map_json(fixed_map(Network(Ipv6Prefix::parse("2001:db8:42::/48")))),
              "{\"nodes\": [\n"
              "  {\"prefix\": \"0/16\", \"address\": \"2001:db8:42::1\", \"reported\": 1800000000, "
              "\"stale\": false},\n"
              "  {\"prefix\": \"1/16\", \"address\": \"2001:db8:42:1::1\", \"reported\": "
              "1799999940, \"stale\": false},\n"
              "  {\"prefix\": \"2/16\", \"address\": \"2001:db8:42:2::1\", \"reported\": "
              "1799999340, \"stale\": true},\n"
              "  {\"prefix\": \"3/16\", \"address\": \"2001:db8:42:3::1\", \"reported\": null, "
              "\"stale\": true}\n"
              "],\n"
              "\"tunnels\": [\n"
              "  {\"a\": \"0/16\", \"b\": \"1/16\", \"stale\": false},\n"
              "  {\"a\": \"1/16\", \"b\": \"2/16\", \"stale\": false},\n"
              "  {\"a\": \"2/16\", \"b\": \"3/16\", \"stale\": true}\n"
              "]}\n");
}

TEST(TunnelMap, UnknownNetworkAndEmpty)
{
    auto map = fixed_map(std::nullopt);
    EXPECT_FALSE(map.nodes[0].address);
    EXPECT_TRUE(tunnel_map_dot(map).find("  \"0/16\" [label=\"0/16\"];\n") != std::string::npos);
    EXPECT_EQ(tunnel_map_dot({}), "graph re6st {\n  node [shape=box];\n}\n");
    EXPECT_EQ(tunnel_map_json({}), "{\"nodes\": [],\n\"tunnels\": []}\n");
}

// The bound itself: a report exactly 10 minutes old is still fresh.
TEST(TunnelMap, StaleAfterTenMinutes)
{
    auto a = bits_from_cn("0/16"), b = bits_from_cn("1/16");
    auto at = [&](std::int64_t age) {
        return build_tunnel_map({a, b}, {{a, "1/16", now - age}}, std::nullopt, now);
    };
    EXPECT_FALSE(at(600).tunnels.at(0).stale);
    EXPECT_FALSE(at(600).nodes.at(0).stale);
    EXPECT_TRUE(at(601).tunnels.at(0).stale);
    EXPECT_TRUE(at(601).nodes.at(0).stale);
}
