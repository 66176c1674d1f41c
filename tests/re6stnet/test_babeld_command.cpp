// babeld's command line.
#include "re6stnet/babel/babeld_command.hpp"

#include <gtest/gtest.h>

#include <algorithm>

using namespace re6st;

namespace {

BabeldSettings settings()
{
    BabeldSettings s;
    s.network = Network(Ipv6Prefix::parse("2001:db8:42::/48"));
    s.subnet = Ipv6Prefix::parse("2001:db8:42:1::/64");
    s.address = Ipv6Address::parse("2001:db8:42:1::1");
    s.hello = std::chrono::seconds(4);
    s.tunnel_hello = std::chrono::milliseconds(250);
    s.verbosity = 3;
    s.state_file = "/var/lib/re6stnet/babeld.state";
    s.pid_file = "/run/re6stnet/babeld.pid";
    s.control_socket = "/run/re6stnet/babeld.sock";
    s.tunnels = {"re6stnet0", "re6st-udp1194"};
    s.lan_interfaces = {"eth1"};
    return s;
}

bool has_pair(const std::vector<std::string>& argv, const std::string& a, const std::string& b)
{
    for (std::size_t i = 0; i + 1 < argv.size(); ++i)
        if (argv[i] == a && argv[i + 1] == b)
            return true;
    return false;
}

}  // namespace

TEST(BabeldCommand, CarriesTheStatementsOfTheSpec)
{
    auto argv = babeld_command(settings());
    EXPECT_EQ(argv[0], "babeld");
    EXPECT_TRUE(has_pair(argv, "-h", "4"));
    EXPECT_TRUE(has_pair(argv, "-H", "4"));
    EXPECT_TRUE(has_pair(argv, "-d", "1"));
    EXPECT_TRUE(has_pair(argv, "-S", "/var/lib/re6stnet/babeld.state"));
    EXPECT_TRUE(has_pair(argv, "-I", "/run/re6stnet/babeld.pid"));
    EXPECT_TRUE(has_pair(argv, "-G", "/run/re6stnet/babeld.sock"));
    EXPECT_TRUE(has_pair(argv, "-C", "redistribute ip 2001:db8:42:1::/64 eq 64"));
    EXPECT_TRUE(has_pair(argv, "-C", "redistribute local deny"));
    EXPECT_TRUE(has_pair(argv, "-C", "redistribute deny"));
    EXPECT_TRUE(has_pair(argv, "-C", "in ip 2001:db8:42::/48"));
    EXPECT_TRUE(has_pair(argv, "-C", "in deny"));
    EXPECT_TRUE(has_pair(argv, "-C", "install pref-src 2001:db8:42:1::1"));
    // The address's halves folded: 2001:db8:42:1 ^ 0:0:0:1.
    EXPECT_TRUE(has_pair(argv, "-C", "router-id 20:01:0d:b8:00:42:00:00"));
    EXPECT_TRUE(has_pair(argv, "-C", "interface re6stnet0 type tunnel hello-interval 0.250 "
                                     "update-interval 16 link-quality true"));
    EXPECT_TRUE(has_pair(argv, "-C", "interface re6st-udp1194 type tunnel hello-interval 0.250 "
                                     "update-interval 16 link-quality true"));
    EXPECT_TRUE(has_pair(argv, "-C", "interface eth1"));
    EXPECT_EQ(std::count(argv.begin(), argv.end(), "-w"), 0);
}

TEST(BabeldCommand, AcceptFiltersComeInOrder)
{
    auto argv = babeld_command(settings());
    auto accept = std::find(argv.begin(), argv.end(), "in ip 2001:db8:42::/48");
    auto deny = std::find(argv.begin(), argv.end(), "in deny");
    EXPECT_LT(accept, deny);
}

TEST(BabeldCommand, TunnelHelloKeepsMillisecondPrecision)
{
    auto s = settings();
    s.tunnel_hello = std::chrono::milliseconds(2005);
    auto argv = babeld_command(s);
    EXPECT_TRUE(has_pair(argv, "-C", "interface re6stnet0 type tunnel hello-interval 2.005 "
                                     "update-interval 16 link-quality true"));
}

TEST(BabeldCommand, Wireless)
{
    auto s = settings();
    s.wireless = true;
    auto argv = babeld_command(s);
    EXPECT_EQ(std::count(argv.begin(), argv.end(), "-w"), 1);
}

TEST(BabeldCommand, DumpsItsTableOnlyWhenTracing)
{
    // babeld -d 1 dumps the table at every turn of its loop.
    for (int verbosity : {0, 1, 2}) {
        auto s = settings();
        s.verbosity = verbosity;
        EXPECT_TRUE(has_pair(babeld_command(s), "-d", "0")) << verbosity;
    }
    auto s = settings();
    s.verbosity = 3;
    EXPECT_TRUE(has_pair(babeld_command(s), "-d", "1"));
}

// A restarted babeld keeps its router id, so that its neighbours take its
// routes at once; every node has its own.
TEST(BabeldCommand, RouterIdIsTheNodesOwn)
{
    auto id = [](const char* address) {
        auto s = settings();
        s.address = Ipv6Address::parse(address);
        auto argv = babeld_command(s);
        auto found = std::find_if(argv.begin(), argv.end(), [](const std::string& arg) {
            return arg.starts_with("router-id ");
        });
        return found == argv.end() ? std::string() : *found;
    };
    EXPECT_EQ(id("2001:db8:42:1::1"), id("2001:db8:42:1::1"));
    EXPECT_NE(id("2001:db8:42:1::1"), id("2001:db8:42:2::1"));
    EXPECT_NE(id("2001:db8:42::1"), id("2001:db8:42:1::1"));
    EXPECT_NE(id("2001:db8:0:0:42::1"), id("2001:db8:0:0:43::1"));   // a longer network
}

// A tunnel we close keeps carrying packets until the babeld at its other
// end has stopped routing into it: sixteen hellos and a second, at most a
// minute whatever the hello.
TEST(BabeldCommand, DrainTimeFollowsTheTunnelHello)
{
    using namespace std::chrono_literals;
    EXPECT_EQ(drain_time(200ms), 4200ms);
    EXPECT_EQ(drain_time(50ms), 1800ms);
    EXPECT_EQ(drain_time(2s), 33s);
    EXPECT_EQ(drain_time(300s), 60s);
}
