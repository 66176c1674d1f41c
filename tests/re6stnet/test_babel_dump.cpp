// babeld's dump and the route counts the tunnel manager decides with.
#include "re6stnet/babel/babel_dump.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

using namespace re6st;

namespace {

std::string read_data(const char* name)
{
    std::ifstream file(std::string(TEST_DATA_DIR) + "/" + name);
    std::ostringstream text;
    text << file.rdbuf();
    return text.str();
}

const Network network(Ipv6Prefix::parse("2001:db8:42::/48"));

}  // namespace

// A dump captured from babeld 1.12.1 with two neighbours on two taps.
TEST(BabelDump, ParsesARealDump)
{
    auto dump = parse_babel_dump(read_data("babeld-dump.txt"));
    EXPECT_EQ(dump.malformed_lines, 0u);
    ASSERT_EQ(dump.routes.size(), 6u);
    EXPECT_EQ(dump.routes[0], (BabelRoute{Ipv6Prefix::parse("2001:db8:42:1::/64"), true, 192, 96,
                                          "fe80::7067:c3ff:fe1f:150a", "re6stnet0"}));
    EXPECT_FALSE(dump.routes[1].installed);
    EXPECT_EQ(dump.routes[1].metric, 384u);
}

TEST(BabelDump, CountsInstalledRoutesPerInterface)
{
    auto dump = parse_babel_dump(read_data("babeld-dump.txt"));
    auto count = count_routes(dump.routes, network, {});
    EXPECT_EQ(count.per_interface, (std::map<std::string, unsigned>{{"re6stnet0", 2},
                                                                    {"re6stnet1", 1}}));
    EXPECT_TRUE(count.lan_prefixes.empty());
}

TEST(BabelDump, OnlyNodesThemselvesOnTheLanAreLanPeers)
{
    auto dump = parse_babel_dump(read_data("babeld-dump.txt"));
    // Through re6stnet0: 2001:db8:42:2::/64 is the neighbour's own (refmetric
    // 0); 2001:db8:42:1::/64 lies behind it (refmetric 96).
    auto count = count_routes(dump.routes, network, {"re6stnet0"});
    EXPECT_EQ(count.lan_prefixes, (std::set<std::string>{"0000000000000010"}));
    count = count_routes(dump.routes, network, {"re6stnet1"});
    EXPECT_EQ(count.lan_prefixes, (std::set<std::string>{"0000000000000100"}));
}

TEST(BabelDump, IgnoresRoutesOutsideTheNetworkAndOtherLines)
{
    auto dump = parse_babel_dump(
        "BABEL 1.0\n"
        "add interface eth0 up true ipv6 fe80::1\n"
        "add xroute 2001:db8:42:3::/64-::/0 prefix 2001:db8:42:3::/64 from ::/0 metric 0\n"
        "add route 1 prefix 2001:db8:43::/64 from ::/0 installed yes id x metric 96"
        " refmetric 0 via fe80::2 if eth0\n"
        "add route 2 prefix 10.0.0.0/8 from 0.0.0.0/0 installed yes id x metric 96"
        " refmetric 0 via 10.0.0.1 if eth0\n"
        "add route 3 prefix 2001:db8:42::/48 from ::/0 installed yes id x metric 96"
        " refmetric 0 via fe80::2 if eth0\n"
        "change route 4 prefix 2001:db8:42:5::/64 from ::/0 installed yes id x metric 96"
        " refmetric 0 via fe80::2 if eth0\n"
        "ok\n");
    EXPECT_EQ(dump.malformed_lines, 0u);
    ASSERT_EQ(dump.routes.size(), 3u);   // the IPv4 route is skipped
    auto count = count_routes(dump.routes, network, {});
    EXPECT_EQ(count.per_interface, (std::map<std::string, unsigned>{{"eth0", 1}}));
}

TEST(BabelDump, MalformedRouteLinesAreCountedNotFatal)
{
    auto dump = parse_babel_dump(
        "add route 1 prefix 2001:db8:42:1::/64 installed yes metric 96 via fe80::1\n"
        "add route 1 prefix 2001:db8:42:1::/64 from ::/0 installed maybe id x metric 96"
        " refmetric 0 via fe80::1 if a\n"
        "add route 1 prefix 2001:db8:42:1::/64 from ::/0 installed yes id x metric -1"
        " refmetric 0 via fe80::1 if a\n"
        "add route 1 prefix 2001:db8:42:1::1/64 from ::/0 installed yes id x metric 1"
        " refmetric 0 via fe80::1 if a\n"
        "add route\n"
        "add route 1 prefix\n");
    EXPECT_TRUE(dump.routes.empty());
    EXPECT_EQ(dump.malformed_lines, 6u);
    EXPECT_EQ(parse_babel_dump("add route 1 prefix 2001:db8:42:1::/64 from ::/0 installed yes"
                               " id x metric 96 refmetric x via fe80::1 if a\n")
                  .malformed_lines,
              1u);
}

TEST(BabelDump, ParsesNeighboursWithAndWithoutRtt)
{
    auto dump = parse_babel_dump(read_data("babeld-dump.txt"));
    ASSERT_EQ(dump.neighbours.size(), 2u);
    EXPECT_EQ(dump.neighbours[0],
              (BabelNeighbour{"fe80::78dc:38ff:fe7b:e48b", "re6stnet1", 96, std::nullopt}));
    auto timed = parse_babel_dump(
        "add neighbour 5601 address fe80::1 if re6stnet0 reach ffff ureach 0000 rxcost 96"
        " txcost 96 rtt 12.345 rtt-cost 14 cost 110\n"
        "change neighbour 5601 address fe80::2 if re6stnet1 reach ffff ureach 0000 rxcost 96"
        " txcost 96 cost 65535\n");
    EXPECT_EQ(timed.malformed_lines, 0u);
    EXPECT_EQ(timed.neighbours, (std::vector<BabelNeighbour>{
                                    {"fe80::1", "re6stnet0", 110, 12.345},
                                    {"fe80::2", "re6stnet1", 65535, std::nullopt}}));
    EXPECT_EQ(parse_babel_dump("add neighbour 1 address fe80::1 if a cost x\n"
                               "add neighbour 1 address fe80::1 if a rtt -1 cost 96\n"
                               "add neighbour 1 if a cost 96\n")
                  .malformed_lines,
              3u);
}
