// What the daemon adds to the host, and removes again.
#include "re6stnet/network_setup.hpp"

#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <filesystem>

using namespace re6st;
using Argv = std::vector<std::string>;

namespace {

struct NetworkSetupTest : ::testing::Test {
    test::TempDir sysctl;
    std::vector<Argv> ran;
    int fail_at = -1;   // index of the command that fails

    NetworkSetupTest()
    {
        std::filesystem::create_directories(sysctl.path() / "net/ipv6/conf/all");
        sysctl.write("net/ipv6/conf/all/forwarding", "0\n");
    }

    NetworkSetup make(const std::string& interface = "lo")
    {
        return NetworkSetup(
            [this](const Argv& argv) {
                ran.push_back(argv);
                if (int(ran.size()) - 1 == fail_at)
                    return CommandResult{2, "RTNETLINK answers: Operation not permitted"};
                return CommandResult{0, ""};
            },
            NodeAddressing{interface, Ipv6Address::parse("2001:db8:42:1::1"),
                           Ipv6Prefix::parse("2001:db8:42:1::/64"),
                           Ipv6Prefix::parse("2001:db8:42::/48")},
            sysctl.path().string());
    }
};

}  // namespace

TEST_F(NetworkSetupTest, AddsTheNodeAddressAndTheUnreachableNetwork)
{
    auto setup = make();
    setup.apply();
    EXPECT_EQ(ran, (std::vector<Argv>{
                       {"ip", "-6", "address", "replace", "2001:db8:42:1::1/64", "dev", "lo", "nodad"},
                       {"ip", "-6", "route", "replace", "unreachable", "2001:db8:42::/48"},
                   }));
    EXPECT_EQ(sysctl.read("net/ipv6/conf/all/forwarding"), "1\n");
    ran.clear();
    setup.undo();
    EXPECT_EQ(ran, (std::vector<Argv>{
                       {"ip", "-6", "address", "del", "2001:db8:42:1::1/64", "dev", "lo"},
                       {"ip", "-6", "route", "del", "unreachable", "2001:db8:42::/48"},
                   }));
    EXPECT_EQ(sysctl.read("net/ipv6/conf/all/forwarding"), "0\n");
}

TEST_F(NetworkSetupTest, OtherInterfacesAreBroughtUp)
{
    auto setup = make("re6st0");
    setup.apply();
    EXPECT_EQ(ran.front(), (Argv{"ip", "link", "set", "dev", "re6st0", "up"}));
}

TEST_F(NetworkSetupTest, ForwardingAlreadyOnIsLeftOn)
{
    sysctl.write("net/ipv6/conf/all/forwarding", "1\n");
    auto setup = make();
    setup.apply();
    setup.undo();
    EXPECT_EQ(sysctl.read("net/ipv6/conf/all/forwarding"), "1\n");
}

TEST_F(NetworkSetupTest, FailureNamesTheCommand)
{
    fail_at = 1;
    auto setup = make();
    try {
        setup.apply();
        FAIL();
    } catch (const std::runtime_error& error) {
        EXPECT_STREQ(error.what(),
                     "'ip -6 route replace unreachable 2001:db8:42::/48' failed: "
                     "RTNETLINK answers: Operation not permitted");
    }
}

TEST_F(NetworkSetupTest, UndoTriesEveryStep)
{
    auto setup = make();
    setup.apply();
    ran.clear();
    fail_at = 0;
    setup.undo();
    EXPECT_EQ(ran.size(), 2u);
}

TEST(CommandRunner, CollectsStatusAndOutput)
{
    auto ok = run_command({"sh", "-c", "echo hello; echo world >&2"});
    EXPECT_EQ(ok.status, 0);
    EXPECT_EQ(ok.output, "hello\nworld");
    EXPECT_EQ(run_command({"sh", "-c", "exit 3"}).status, 3);
    auto missing = run_command({"/nonexistent/ip"});
    EXPECT_EQ(missing.status, -1);
    EXPECT_NE(missing.output.find("/nonexistent/ip"), std::string::npos);
}
