// Reports from the real hook scripts, through the channel, as OpenVPN runs them.
#include "re6stnet/openvpn/hook_channel.hpp"

#include "loop.hpp"
#include "re6stnet/process/child_reaper.hpp"
#include "re6stnet/process/process_launcher.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include <cstdlib>

using namespace re6st;
using Event = HookMessage::Event;

namespace {

// The hook scripts of the source tree, run with the environment and
// arguments OpenVPN gives them (as recorded from OpenVPN 2.6).
struct HookChannelTest : ::testing::Test {
    boost::asio::io_context io;
    ChildReaper reaper{io};
    PosixProcessLauncher launcher;
    std::vector<HookMessage> received;
    test::TempDir dir;

    void run_hook(HookChannel& channel, const std::string& script,
                  const std::vector<std::string>& environment,
                  const std::vector<std::string>& arguments = {})
    {
        auto child_end = channel.take_child_end();
        std::vector<std::string> argv{"env", "-i"};
        argv.insert(argv.end(), environment.begin(), environment.end());
        argv.push_back(std::string(HOOK_DIR) + "/" + script);
        argv.insert(argv.end(), arguments.begin(), arguments.end());
        pid_t pid = launcher.start({.argv = argv, .extra_fds = {child_end.get()}});
        bool ended = false;
        int status = -1;
        reaper.watch(pid, [&](int s) {
            ended = true;
            status = s;
        });
        ASSERT_TRUE(test::run_until(io, [&] { return ended; }));
        EXPECT_EQ(status, 0);
    }

    HookChannel channel(const char* name)
    {
        return HookChannel(io, name, [this](const HookMessage& m) { received.push_back(m); });
    }
};

}  // namespace

TEST_F(HookChannelTest, ServerReportsConnectAndPushesTheClientsAddress)
{
    auto hooks = channel("re6st-udp1194");
    auto push_file = dir / "openvpn_cc.tmp";
    run_hook(hooks, "ovpn-server",
             {"script_type=client-connect", "common_name=3/16", "trusted_ip=10.42.0.3"},
             {push_file});
    ASSERT_TRUE(test::run_until(io, [&] { return received.size() == 1; }));
    EXPECT_EQ(received[0], (HookMessage{Event::client_connect, "3/16"}));
    EXPECT_EQ(dir.read("openvpn_cc.tmp"), "push \"setenv-safe external_ip 10.42.0.3\"\n");
}

TEST_F(HookChannelTest, ServerPushesAnIpv6ClientAddressToo)
{
    auto hooks = channel("re6st-udp1194");
    auto push_file = dir / "openvpn_cc.tmp";
    run_hook(hooks, "ovpn-server",
             {"script_type=client-connect", "common_name=3/16", "trusted_ip6=2001:db8::3"},
             {push_file});
    EXPECT_EQ(dir.read("openvpn_cc.tmp"), "push \"setenv-safe external_ip 2001:db8::3\"\n");
}

// OpenVPN gives the peer's certificate serial in decimal: the daemon
// drops the peer if it is revoked.
TEST_F(HookChannelTest, HooksReportThePeersSerial)
{
    auto server = channel("re6st-udp1194");
    run_hook(server, "ovpn-server",
             {"script_type=client-connect", "common_name=3/16", "trusted_ip=10.42.0.3",
              "tls_serial_0=1234"},
             {dir / "openvpn_cc.tmp"});
    auto client = channel("re6stnet0");
    run_hook(client, "ovpn-client",
             {"script_type=route-up", "OPENVPN_external_ip=198.51.100.7", "dev=re6stnet0",
              "tls_serial_0=99"});
    ASSERT_TRUE(test::run_until(io, [&] { return received.size() == 2; }));
    std::sort(received.begin(), received.end(), [](const auto& a, const auto& b) {
        return a.argument < b.argument;
    });
    EXPECT_EQ(received[0], (HookMessage{Event::route_up, "198.51.100.7", "99"}));
    EXPECT_EQ(received[1], (HookMessage{Event::client_connect, "3/16", "1234"}));
}

TEST_F(HookChannelTest, ServerReportsDisconnect)
{
    auto hooks = channel("re6st-tcp1194");
    run_hook(hooks, "ovpn-server", {"script_type=client-disconnect", "common_name=65535/16"});
    ASSERT_TRUE(test::run_until(io, [&] { return received.size() == 1; }));
    EXPECT_EQ(received[0], (HookMessage{Event::client_disconnect, "65535/16"}));
}

TEST_F(HookChannelTest, ClientReportsItsExternalAddress)
{
    auto hooks = channel("re6stnet0");
    run_hook(hooks, "ovpn-client",
             {"script_type=route-up", "OPENVPN_external_ip=198.51.100.7", "dev=re6stnet0"});
    ASSERT_TRUE(test::run_until(io, [&] { return received.size() == 1; }));
    EXPECT_EQ(received[0], (HookMessage{Event::route_up, "198.51.100.7"}));
}

TEST_F(HookChannelTest, ClientWithoutPushedAddressReportsNothing)
{
    auto hooks = channel("re6stnet0");
    run_hook(hooks, "ovpn-client", {"script_type=route-up", "dev=re6stnet0"});
    test::run_until(io, [] { return false; }, std::chrono::milliseconds(200));
    EXPECT_TRUE(received.empty());
}

TEST_F(HookChannelTest, ForgedReportsAreDropped)
{
    auto client = channel("re6stnet0");
    run_hook(client, "ovpn-client",
             {"script_type=route-up", "OPENVPN_external_ip=1.2.3.4\nclient-connect 1/16"});
    auto server = channel("re6st-udp1194");
    run_hook(server, "ovpn-server", {"script_type=client-disconnect", "common_name=evil name"});
    test::run_until(io, [] { return false; }, std::chrono::milliseconds(200));
    EXPECT_TRUE(received.empty());
}

TEST_F(HookChannelTest, ReportWithTheDaemonGoneDoesNotRefuseTheClient)
{
    auto hooks = std::make_unique<HookChannel>(
        io, "re6st-udp1194", [this](const HookMessage& m) { received.push_back(m); });
    auto child_end = hooks->take_child_end();
    hooks.reset();   // the daemon's end is closed
    auto push_file = dir / "openvpn_cc.tmp";
    pid_t pid = launcher.start(
        {.argv = {"env", "-i", "script_type=client-connect", "common_name=3/16",
                  "trusted_ip=10.42.0.3", std::string(HOOK_DIR) + "/ovpn-server", push_file},
         .extra_fds = {child_end.get()}});
    int status = -1;
    bool ended = false;
    reaper.watch(pid, [&](int s) {
        status = s;
        ended = true;
    });
    ASSERT_TRUE(test::run_until(io, [&] { return ended; }));
    EXPECT_EQ(status, 0);
}
