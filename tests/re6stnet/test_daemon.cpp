// The daemon as a whole, driven without root: a recording launcher instead
// of OpenVPN and babeld, recorded `ip` commands, a fake clock and a scripted
// registry. What it starts and stops, in which order, and how it reacts.
#include "re6stnet/daemon.hpp"

#include "argv.hpp"
#include "fake_babeld.hpp"
#include "fake_clock.hpp"
#include "loop.hpp"
#include "peers.hpp"
#include "recording_launcher.hpp"
#include "scripted_registry.hpp"
#include "signed_config.hpp"
#include "common/certificate_authority.hpp"
#include "support/openssl_cli.hpp"
#include "support/temp_dir.hpp"

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <gtest/gtest.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <algorithm>
#include <filesystem>
#include <set>

using namespace re6st;
using test::bits;
using namespace std::chrono_literals;
using test::join;
using test::value_after;

namespace {

// One node's daemon and everything it acts through; `events` tells, in
// order, what it did to the host: "start babeld", "signal openvpn
// re6st-udp1194 15", "ip -6 address del ...".
struct Node {
    explicit Node(const test::TempDir& dir, boost::asio::io_context& io, test::FakeClock& clock,
                  bool advertise = true)
        : clock(clock)
    {
        std::filesystem::create_directories(dir.path() / "sys/net/ipv6/conf/all");
        dir.write("sys/net/ipv6/conf/all/forwarding", "1\n");
        Config config;
        config.registry = "http://192.0.2.42:9080/";
        config.ca = dir / "ca.crt";
        config.cert = dir / "cert.crt";
        config.key = dir / "cert.key";
        config.pp = {{1194, Transport::udp}};
        if (advertise)
            config.ip = {{"192.0.2.1", 1194, "udp"}};
        config.upnp = false;
        config.given.connection_count = 2;   // one client tunnel
        config.log_dir = dir / "log";
        config.state_dir = dir / "state";
        config.run_dir = dir / "run";
        Network network(Ipv6Prefix::parse("2001:db8:42::/48"));
        auto now = std::chrono::system_clock::now();
        NodeIdentity id{network,
                        bits(1),
                        network.node_address(bits(1)),
                        network.node_subnet(bits(1)),
                        {now - 1h, now + std::chrono::days(365)},
                        {now - 1h, now + std::chrono::days(3650)}};
        plan = plan_daemon(config, id, "/usr/lib/re6stnet");
        launcher.run_for_real = {"openssl"};
        launcher.on_start = [this](const ProcessSpec& spec, pid_t pid) {
            auto name = spec.argv.at(0);
            if (name == "openvpn")
                name += " " + value_after(spec.argv, "--dev");
            names[pid] = name;
            events.push_back("start " + name);
        };
        launcher.on_signal = [this](pid_t pid, int signal) {
            events.push_back("signal " + names[pid] + " " + std::to_string(signal));
        };
        sysctl_dir = (dir.path() / "sys").string();
        rebuild(io, registry);
    }

    // The daemon first: its destructor still runs commands and signals
    // children, which the members below record.
    ~Node() { daemon.reset(); }

    // A new daemon on this node's plan, which a test may have changed.
    void rebuild(boost::asio::io_context& io, Registry& registry)
    {
        daemon.reset();
        auto run = [this](const std::vector<std::string>& argv) {
            // openssl reads files and changes nothing on the host.
            if (argv.at(0) == "openssl")
                return real_openssl ? run_command(argv) : CommandResult{0, ""};
            events.push_back(join(argv));
            return CommandResult{0, ""};
        };
        daemon = std::make_unique<Daemon>(
            io, plan, DaemonServices{launcher, run, clock, registry, sysctl_dir});
    }

    // What the hook of the child `pid` says on its socket, as OpenVPN's
    // would ("route-up 198.51.100.7").
    void hook_reports(pid_t pid, const std::string& line)
    {
        auto text = line + "\n";
        ASSERT_EQ(send(launcher.hook_ends.at(pid).get(), text.data(), text.size(), 0),
                  ssize_t(text.size()));
    }

    pid_t pid_of(const std::string& name) const
    {
        for (const auto& [pid, n] : names)
            if (n == name && std::find(launcher.pids.begin(), launcher.pids.end(), pid)
                                 != launcher.pids.end())
                return pid;   // the first one started under that name
        return -1;
    }

    // Events from `first` on that start with `prefix`.
    std::vector<std::string> events_like(const std::string& prefix, std::size_t first = 0) const
    {
        std::vector<std::string> out;
        for (auto i = first; i < events.size(); ++i)
            if (events[i].starts_with(prefix))
                out.push_back(events[i]);
        return out;
    }

    test::FakeClock& clock;
    test::RecordingLauncher launcher;
    bool real_openssl = false;   // for a CA of the test's own
    test::ScriptedRegistry registry;
    DaemonPlan plan;
    std::string sysctl_dir;
    std::unique_ptr<Daemon> daemon;
    std::vector<std::string> events;
    std::map<pid_t, std::string> names;
};

struct DaemonTest : ::testing::Test {
    test::TempDir dir;
    boost::asio::io_context io;
    test::FakeClock clock{io};

    // Runs what the loop has ready, without waiting for anything.
    void settle()
    {
        io.restart();
        io.poll();
    }

    void stop(Node& node)
    {
        bool done = false;
        node.daemon->stop([&] { done = true; });
        ASSERT_TRUE(test::run_until(io, [&] { return done; }));
    }
};

}  // namespace

TEST_F(DaemonTest, StartsTheHostThenServersThenBabeld)
{
    Node node(dir, io, clock);
    node.daemon->start();
    settle();
    EXPECT_EQ(node.events, (std::vector<std::string>{
                               "ip -6 address replace 2001:db8:42:1::1/64 dev lo nodad",
                               "ip -6 route replace unreachable 2001:db8:42::/48",
                               join(DrainFilter::install_command()),
                               "start sh",   // the tap sweeper
                               "ip tuntap add dev re6st-udp1194 mode tap",
                               "start openvpn re6st-udp1194",
                               "start babeld",
                           }));
    // Every tap is babeld's from the start.
    auto babeld = join(node.launcher.started.at(2).argv);
    EXPECT_NE(babeld.find("interface re6stnet0 "), std::string::npos) << babeld;
    EXPECT_NE(babeld.find("interface re6st-udp1194 "), std::string::npos) << babeld;
    stop(node);
}

TEST_F(DaemonTest, StopsBabeldFirstThenOpenVpnThenTheHost)
{
    Node node(dir, io, clock);
    std::filesystem::create_directories(node.plan.state_dir);
    PeerDb(node.plan.peer_db, bits(1)).merge({test::peer(2)}, 200, 0);
    node.daemon->start();
    settle();
    ASSERT_EQ(node.events_like("start openvpn re6stnet0").size(), 1u);   // a tunnel to node 2
    auto before = node.events.size();
    stop(node);
    std::vector<std::string> after(node.events.begin() + before, node.events.end());
    ASSERT_EQ(after.size(), 8u);
    EXPECT_EQ(after[0], "signal babeld 15");
    // The servers and the tunnels in any order, after babeld has ended.
    std::vector<std::string> openvpn(after.begin() + 1, after.begin() + 3);
    std::sort(openvpn.begin(), openvpn.end());
    EXPECT_EQ(openvpn, (std::vector<std::string>{"signal openvpn re6st-udp1194 15",
                                                 "signal openvpn re6stnet0 15"}));
    // A tunnel's tap goes when its process ends, the servers' once all
    // have ended.
    EXPECT_EQ(after[3], "ip link delete dev re6stnet0");
    EXPECT_EQ(after[4], "ip link delete dev re6st-udp1194");
    EXPECT_EQ(after[5], "nft delete table inet re6stnet");
    EXPECT_EQ(after[6], "ip -6 address del 2001:db8:42:1::1/64 dev lo");
    EXPECT_EQ(after[7], "ip -6 route del unreachable 2001:db8:42::/48");
}

TEST_F(DaemonTest, RouteUpLeadsToADeclaration)
{
    Node node(dir, io, clock, /*advertise=*/false);
    node.registry.peers = {test::peer(2)};
    node.daemon->start();
    settle();
    // At start: no peer, so the cache is refreshed at once.
    ASSERT_EQ(node.registry.calls, (std::vector<std::string>{"getPrivateAddress"}));
    node.registry.answer();
    ASSERT_EQ(node.registry.calls.size(), 2u);
    EXPECT_EQ(node.registry.calls[1], "getPeerList http://[2001:db8:42::1]:9080/ 200");
    node.registry.answer();
    settle();
    // The new peer gets a tunnel; its hook says it is up and how it saw us.
    auto tunnel = node.pid_of("openvpn re6stnet0");
    ASSERT_GT(tunnel, 0);
    ASSERT_NO_FATAL_FAILURE(node.hook_reports(tunnel, "route-up 198.51.100.7"));
    ASSERT_TRUE(test::run_until(io, [&] { return node.registry.calls.size() == 3; }));
    EXPECT_EQ(node.registry.calls[2],
              "declare http://[2001:db8:42::1]:9080/ 198.51.100.7,1194,udp");
    node.registry.answer_all();
    stop(node);
}

// The peers of the tunnels up, client and server side, go to the registry
// over the private URL when they change, at most once per --config-refresh.
TEST_F(DaemonTest, TunnelsAreReportedWhenTheyChange)
{
    Node node(dir, io, clock, /*advertise=*/false);
    node.registry.peers = {test::peer(2)};
    node.daemon->start();
    settle();
    node.registry.answer();   // getPrivateAddress
    node.registry.answer();   // getPeerList
    settle();
    clock.advance(5s);
    settle();
    EXPECT_TRUE(node.registry.report_calls.empty()) << "no tunnel up: the registry is out of reach";

    auto tunnel = node.pid_of("openvpn re6stnet0");
    auto server = node.pid_of("openvpn re6st-udp1194");
    ASSERT_GT(tunnel, 0);
    ASSERT_GT(server, 0);
    ASSERT_NO_FATAL_FAILURE(node.hook_reports(tunnel, "route-up 198.51.100.7"));
    ASSERT_TRUE(test::run_until(io, [&] { return node.registry.calls.size() == 3; }));   // declare
    clock.advance(5s);
    settle();
    const std::string call = "reportTunnels http://[2001:db8:42::1]:9080/ ";
    ASSERT_EQ(node.registry.report_calls, std::vector<std::string>{call + "2/16"});
    node.registry.answer_report();

    ASSERT_NO_FATAL_FAILURE(node.hook_reports(server, "client-connect 3/16 12"));
    test::run_until(io, [] { return false; }, 200ms);
    clock.advance(5s);
    settle();
    EXPECT_EQ(node.registry.report_calls.size(), 1u) << "within --config-refresh of the last";
    clock.advance(60s);
    settle();
    EXPECT_EQ(node.registry.report_calls,
              (std::vector<std::string>{call + "2/16", call + "2/16 3/16"}));
    node.registry.answer_report();
    clock.advance(60s);
    settle();
    EXPECT_EQ(node.registry.report_calls.size(), 2u) << "unchanged";
    node.registry.answer_all();
    stop(node);
}

// A registry older than the method is told once, then left alone.
TEST_F(DaemonTest, ARegistryWithoutReportTunnelsIsNotAskedAgain)
{
    Node node(dir, io, clock, /*advertise=*/false);
    node.registry.peers = {test::peer(2)};
    node.registry.report_method = false;
    node.daemon->start();
    settle();
    node.registry.answer();
    node.registry.answer();
    settle();
    ASSERT_NO_FATAL_FAILURE(
        node.hook_reports(node.pid_of("openvpn re6stnet0"), "route-up 198.51.100.7"));
    ASSERT_TRUE(test::run_until(io, [&] { return node.registry.calls.size() == 3; }));
    clock.advance(5s);
    settle();
    ASSERT_EQ(node.registry.report_calls.size(), 1u);
    node.registry.answer_report();
    ASSERT_NO_FATAL_FAILURE(
        node.hook_reports(node.pid_of("openvpn re6st-udp1194"), "client-connect 3/16 12"));
    test::run_until(io, [] { return false; }, 200ms);
    clock.advance(3600s);
    settle();
    EXPECT_EQ(node.registry.report_calls.size(), 1u);
    node.registry.answer_all();
    stop(node);
}

TEST_F(DaemonTest, NodeWithNoUnusedPeerAsksForABootstrapPeer)
{
    Node node(dir, io, clock);
    node.registry.private_url.reset();   // the registry's private URL cannot be had
    node.daemon->start();
    settle();
    ASSERT_EQ(node.registry.calls, (std::vector<std::string>{"getPrivateAddress"}));
    node.registry.answer();
    settle();
    EXPECT_EQ(node.registry.calls.back(), "getBootstrapPeer");
    node.registry.answer_all();
    stop(node);
}

TEST_F(DaemonTest, DeadChildIsRestartedWithBackOff)
{
    Node node(dir, io, clock);
    node.daemon->start();
    settle();
    auto starts = [&] { return node.events_like("start babeld").size(); };
    // The restart waits once the death has been seen.
    auto crash = [&](pid_t pid) {
        auto waits = clock.pending();
        node.launcher.crash(pid);
        ASSERT_TRUE(test::run_until(io, [&] { return clock.pending() == waits + 1; }));
    };
    auto starts_after = [&](Clock::duration wait) {
        clock.advance(wait);
        settle();
        return starts();
    };
    crash(node.pid_of("babeld"));
    EXPECT_EQ(starts_after(999ms), 1u);
    ASSERT_EQ(starts_after(1ms), 2u);
    // It died young: the next wait is twice as long.
    crash(node.launcher.pids.back());
    EXPECT_EQ(starts_after(1s), 2u);
    EXPECT_EQ(starts_after(1s), 3u);
    stop(node);
}

namespace {

// A registry that fails the way a broken part of the daemon would: by
// throwing from a handler on the loop.
struct ThrowingRegistry final : test::ScriptedRegistry {
    void private_address(Done<std::string>) override
    {
        throw std::runtime_error("peers.db: database disk image is malformed");
    }
};

}  // namespace

TEST_F(DaemonTest, ExceptionInAHandlerStopsCleanly)
{
    ThrowingRegistry registry;   // outlives the node's daemon
    Node node(dir, io, clock);
    node.rebuild(io, registry);
    node.daemon->start();   // declares --ip at once: the handler throws
    EXPECT_EQ(node.daemon->run(), 1);
    auto signals = node.events_like("signal");
    ASSERT_EQ(signals.size(), 2u);
    EXPECT_EQ(signals[0], "signal babeld 15");
    EXPECT_EQ(signals[1], "signal openvpn re6st-udp1194 15");
    EXPECT_EQ(node.events_like("ip -6 address del").size(), 1u);
    EXPECT_EQ(node.events_like("ip -6 route del").size(), 1u);
}

TEST_F(DaemonTest, LogFileThatCannotBeReopenedIsSurvived)
{
    Node node(dir, io, clock);
    node.daemon->start();
    settle();
    std::filesystem::remove_all(node.plan.log_dir);   // logrotate gone wrong
    EXPECT_THROW(node.daemon->reopen_logs(), SurvivableError);
    EXPECT_TRUE(node.events_like("signal").empty());
    stop(node);
}

TEST_F(DaemonTest, SecondDaemonOnTheSameDirectoriesChangesNothing)
{
    Node first(dir, io, clock);
    first.daemon->start();
    settle();
    auto socket = first.plan.management_socket;
    struct stat before{};
    ASSERT_EQ(stat(socket.c_str(), &before), 0);
    // A babeld pid file, as the running babeld would have written.
    dir.write("run/babeld.pid", std::to_string(first.pid_of("babeld")) + "\n");
    auto files = [&] {
        std::vector<std::string> names;
        for (const auto& sub : {"run", "state", "log"})
            for (const auto& entry : std::filesystem::directory_iterator(dir.path() / sub))
                names.push_back(entry.path().string());
        std::sort(names.begin(), names.end());
        return names;
    };
    auto files_before = files();

    for (bool same_run : {true, false}) {
        test::TempDir other;
        Node second(dir, io, clock);
        if (!same_run) {   // only the state directory is shared
            second.plan.run_dir = other / "run";
            second.plan.management_socket = other / "run/openvpn.sock";
            second.plan.babeld.pid_file = other / "run/babeld.pid";
            second.rebuild(io, second.registry);
        }
        try {
            second.daemon->start();
            ADD_FAILURE() << "a second daemon started";
        } catch (const AlreadyRunning& error) {
            auto directory = same_run ? first.plan.run_dir : first.plan.state_dir;
            EXPECT_EQ(std::string(error.what()),
                      "another re6stnet (pid " + std::to_string(getpid())
                          + ") is running with the directory " + directory);
        }
        second.daemon.reset();
        EXPECT_TRUE(second.events.empty()) << second.events.front();
        EXPECT_TRUE(second.launcher.started.empty());
        EXPECT_TRUE(second.registry.calls.empty());
    }
    EXPECT_TRUE(first.launcher.signals.empty());
    EXPECT_EQ(files(), files_before);
    struct stat after{};
    ASSERT_EQ(stat(socket.c_str(), &after), 0);
    EXPECT_EQ(after.st_ino, before.st_ino);
    stop(first);
}

// A babeld left by a daemon killed with SIGKILL: stopped before ours starts,
// and sent nothing more once it has ended (its pid may be another's by then).
TEST_F(DaemonTest, BabeldLeftByAPreviousRunIsStoppedOnce)
{
    Node node(dir, io, clock);
    // A process whose name is babeld: sleep, under that name.
    std::filesystem::create_directories(dir.path() / "bin");
    std::filesystem::create_symlink("/bin/sleep", dir.path() / "bin/babeld");
    PosixProcessLauncher real;
    pid_t leftover = real.start({.argv = {dir / "bin/babeld", "1000"}});
    std::filesystem::create_directories(node.plan.run_dir);
    dir.write("run/babeld.pid", std::to_string(leftover) + "\n");
    node.names[leftover] = "leftover babeld";
    node.daemon->start();
    EXPECT_EQ(node.launcher.signals[leftover], std::vector<int>{SIGTERM});
    EXPECT_EQ(node.events.at(0), "signal leftover babeld 15");   // before anything of ours
    int status = 0;
    ASSERT_EQ(waitpid(leftover, &status, 0), leftover);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
    stop(node);
}

// After a renewal: the server first, at once, then the client tunnel opened
// before it, a step later, before the old certificate expires; the tunnel's
// slot is filled again after that.
TEST_F(DaemonTest, NewCertificateFilesReplaceTheOpenVpnProcessesOneAtATime)
{
    Node node(dir, io, clock, /*advertise=*/false);
    // A 5-minute certificate: renewed now, the old one expires in 20 s.
    auto now = std::chrono::system_clock::now();
    node.plan.identity.certificate_dates = {now - 1h, now + 5min};
    node.rebuild(io, node.registry);
    node.registry.peers = {test::peer(2)};
    node.daemon->start();
    settle();
    node.registry.answer_all();
    settle();
    auto tunnel = node.pid_of("openvpn re6stnet0");
    ASSERT_GT(tunnel, 0);
    ASSERT_NO_FATAL_FAILURE(node.hook_reports(tunnel, "route-up 198.51.100.7"));
    test::run_until(io, [] { return false; }, 100ms);
    auto first = node.events.size();

    // The server at once: the old files expire too soon for any delay, and
    // the node has a tunnel up of its own.
    node.daemon->credentials_changed(now + 20s);
    ASSERT_TRUE(test::run_until(io, [&] {
        return node.events_like("start openvpn re6st-udp1194", first).size() == 1;
    }));
    EXPECT_EQ(node.events_like("signal openvpn", first),
              std::vector<std::string>{"signal openvpn re6st-udp1194 15"});

    // The client tunnel, a step later: it would present the old
    // certificate if its server restarted, and that expires in 20 s. It is
    // up: a new process connects to the same peer on the same tap, which
    // stays (no deletion, no drain).
    clock.advance(5s);
    settle();
    EXPECT_EQ(node.events_like("signal openvpn", first),
              (std::vector<std::string>{"signal openvpn re6st-udp1194 15",
                                        "signal openvpn re6stnet0 15"}));
    ASSERT_TRUE(test::run_until(io, [&] {
        return node.events_like("start openvpn re6stnet0", first).size() == 1;
    }));
    std::vector<std::vector<std::string>> tunnels;
    for (const auto& spec : node.launcher.started)
        if (value_after(spec.argv, "--dev") == "re6stnet0")
            tunnels.push_back(spec.argv);
    ASSERT_EQ(tunnels.size(), 2u);
    EXPECT_EQ(tunnels[1], tunnels[0]) << "not the same peer, the same way";
    EXPECT_TRUE(node.events_like("ip link delete", first).empty());
    EXPECT_TRUE(node.events_like("nft", first).empty());
    clock.advance(5s);
    settle();
    // Nothing started before the renewal is left: nothing more is replaced.
    EXPECT_EQ(node.events_like("signal openvpn", first).size(), 2u)
        << test::join(node.events_like("", first));
    stop(node);
}

// With a year-long certificate renewed 30 days before it expires, a client
// tunnel made with the old one lives on until the last day before that.
TEST_F(DaemonTest, OldClientTunnelIsClosedWithinADayBeforeTheOldCertificateExpires)
{
    Node node(dir, io, clock, /*advertise=*/false);
    node.registry.peers = {test::peer(2)};
    node.daemon->start();
    settle();
    node.registry.answer_all();
    settle();
    auto tunnel = node.pid_of("openvpn re6stnet0");
    ASSERT_GT(tunnel, 0);
    ASSERT_NO_FATAL_FAILURE(node.hook_reports(tunnel, "route-up 198.51.100.7"));
    test::run_until(io, [] { return false; }, 100ms);
    auto first = node.events.size();
    auto renewed = clock.now();
    node.daemon->credentials_changed(std::chrono::system_clock::now() + std::chrono::days(30));
    // Past the server's replacement (within its hour)...
    clock.advance(1h + 10s);
    settle();
    ASSERT_EQ(node.events_like("signal openvpn re6st-udp1194", first).size(), 1u);
    // ...the tunnel stays until a day before the expiry, less its step and
    // the margin...
    clock.advance(std::chrono::days(29) - 1h - 10s - 1min);
    settle();
    EXPECT_TRUE(node.events_like("signal openvpn re6stnet0", first).empty());
    // ...and is gone by the old certificate's last 10 s.
    while (node.events_like("signal openvpn re6stnet0", first).empty()) {
        ASSERT_LT(clock.now() - renewed, std::chrono::days(30) - 10s);
        clock.advance(1min);
        settle();
    }
    node.registry.answer_all();
    stop(node);
}

// Nodes renewed together do not restart their servers together: the
// replacement waits at random, leaving it time before the old files expire.
TEST_F(DaemonTest, ReplacementBeginsAtARandomTimeBeforeTheOldFilesExpire)
{
    Node node(dir, io, clock);
    node.daemon->start();
    settle();
    auto first = node.events.size();
    std::set<Clock::time_point> began;
    for (int i = 0; i < 5; ++i) {
        auto renewed = clock.now();
        // 1 server: 10 s of replacements, 20 s waiting for a client tunnel
        // (there is none here) and 10 s of margin: 80 s of room, and the
        // server goes 20 s after the replacement began.
        node.daemon->credentials_changed(std::chrono::system_clock::now() + 120s);
        auto signals = node.events_like("signal", first).size();
        while (node.events_like("signal", first).size() == signals) {
            ASSERT_LE(clock.now() - renewed, 100s);
            clock.advance(1s);
            settle();
        }
        began.insert(clock.now() - renewed.time_since_epoch());
        test::run_until(io, [] { return false; }, 100ms);
        clock.advance(10s);
        settle();
    }
    EXPECT_GT(began.size(), 1u);   // not always the same delay
    stop(node);
}

// A node whose tunnels all come in through its server would drop off the
// network when that server is replaced: it first opens a client tunnel,
// to a peer connected to it if need be, and replaces the server once that
// tunnel is up. The server's tap is persistent: the new process opens it
// again, and it is deleted only when the daemon stops.
TEST_F(DaemonTest, NodeWithOnlyIncomingTunnelsOpensOneBeforeReplacingItsServer)
{
    Node node(dir, io, clock, /*advertise=*/false);
    node.registry.peers = {test::peer(2)};
    node.daemon->start();
    settle();
    test::FakeBabeld babeld(io, node.plan.babeld.control_socket);
    babeld.default_reply = "ok\n";
    node.registry.answer_all();
    settle();
    auto server = node.pid_of("openvpn re6st-udp1194");
    ASSERT_GT(server, 0);
    // The only peer closes our client tunnel... and connects to our server.
    auto peer = cn_from_bits(test::peer(2).prefix);
    ASSERT_NO_FATAL_FAILURE(node.hook_reports(server, "client-connect " + peer));
    test::run_until(io, [] { return false; }, 100ms);
    node.launcher.crash(node.pid_of("openvpn re6stnet0"));
    test::run_until(io, [] { return false; }, 300ms);   // the reaper sees it end
    clock.advance(5s);
    settle();
    ASSERT_EQ(node.events_like("start openvpn re6stnet0").size(), 1u)
        << "a second link to a connected peer";

    auto first = node.events.size();
    node.daemon->credentials_changed(std::chrono::system_clock::now() + 20s);
    settle();
    ASSERT_EQ(node.events_like("start openvpn re6stnet0", first).size(), 1u);
    auto tunnel = node.launcher.pids.back();
    clock.advance(5s);
    settle();
    EXPECT_TRUE(node.events_like("signal openvpn re6st-udp1194", first).empty())
        << "the server went before the node had a tunnel of its own";
    ASSERT_NO_FATAL_FAILURE(node.hook_reports(tunnel, "route-up 198.51.100.7"));
    test::run_until(io, [] { return false; }, 100ms);
    clock.advance(5s);
    settle();
    EXPECT_EQ(node.events_like("signal openvpn", first),
              std::vector<std::string>{"signal openvpn re6st-udp1194 15"});
    EXPECT_TRUE(node.events_like("nft", first).empty()) << "its tap was drained";
    // The old process ends (OpenVPN waits 2 s before it does, after telling
    // its clients to connect again; it is killed before).
    clock.advance(500ms);
    ASSERT_TRUE(test::run_until(io, [&] {
        return node.events_like("start openvpn re6st-udp1194", first).size() == 1;
    }));
    EXPECT_EQ(node.events_like("ip", first),
              (std::vector<std::string>{"ip tuntap add dev re6stnet0 mode tap",
                                        "ip tuntap add dev re6st-udp1194 mode tap"}));
    node.registry.answer_all();
    stop(node);
    EXPECT_EQ(node.events_like("ip link delete", first),
              (std::vector<std::string>{"ip link delete dev re6stnet0",
                                        "ip link delete dev re6st-udp1194"}));
}

// A server that dies unasked has its tap deleted at once: babeld retracts
// the routes through it instead of missing hellos until the restart.
TEST_F(DaemonTest, ServerThatDiesLosesItsTap)
{
    Node node(dir, io, clock);
    node.daemon->start();
    settle();
    EXPECT_EQ(node.events_like("ip tuntap"),
              std::vector<std::string>{"ip tuntap add dev re6st-udp1194 mode tap"});
    auto first = node.events.size();
    node.launcher.crash(node.pid_of("openvpn re6st-udp1194"));
    ASSERT_TRUE(test::run_until(io, [&] { return !node.events_like("ip", first).empty(); }));
    EXPECT_EQ(node.events_like("ip", first),
              std::vector<std::string>{"ip link delete dev re6st-udp1194"});
    // The restart makes it again.
    clock.advance(1s);
    ASSERT_TRUE(test::run_until(io, [&] {
        return node.events_like("start openvpn re6st-udp1194", first).size() == 1;
    }));
    EXPECT_EQ(node.events_like("ip", first),
              (std::vector<std::string>{"ip link delete dev re6st-udp1194",
                                        "ip tuntap add dev re6st-udp1194 mode tap"}));
    node.registry.answer_all();
    stop(node);
}

namespace {

// The node's files, its certificate expired an hour ago.
void write_expired_node_files(const test::TempDir& dir)
{
    test::openssl_rsa_key(dir / "ca.key");
    test::openssl_ca(dir / "ca.key", dir / "ca.crt");
    test::openssl_csr("rsa:2048", "/CN=1\\/16", dir / "cert.key", dir / "cert.csr");
    CertificateAuthority ca(Certificate::load(dir / "ca.crt"), PrivateKey::load(dir / "ca.key"));
    auto issued = std::time(nullptr) - 3 * 3600;
    dir.write("cert.crt",
              ca.sign(CertificateRequest::from_pem(dir.read("cert.csr")), "1/16", 1h, issued)
                  .to_pem());
}

}  // namespace

// An expired certificate is renewed before anything else: when the
// registry will not, or cannot, the daemon stops with one line and has
// touched nothing of the host.
TEST_F(DaemonTest, ExpiredCertificateTheRegistryWillNotRenewStopsTheStart)
{
    write_expired_node_files(dir);
    Node node(dir, io, clock);
    auto expired = std::chrono::system_clock::now() - 1h;
    node.plan.identity.certificate_dates = {expired - 2h, expired};
    PosixProcessLauncher openssl_only;   // openssl makes the request; nothing else may start
    struct Case {
        const char* name;
        std::function<std::optional<std::string>(const std::string&)> renew;
        const char* error;
    };
    const Case cases[] = {
        {"refused", [](const std::string&) { return std::nullopt; },
         "has expired and the registry will not renew it (the registry refused): enrol this "
         "node again with re6st-conf --force"},
        {"unreachable", nullptr, "has expired and cannot be renewed now: connection refused"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        node.registry.renew = c.renew;
        node.registry.calls.clear();
        node.daemon = std::make_unique<Daemon>(
            io, node.plan,
            DaemonServices{openssl_only, [&](const std::vector<std::string>& argv) {
                               node.events.push_back(join(argv));
                               return run_command(argv);
                           },
                           clock, node.registry, node.sysctl_dir});
        // The registry answers once asked, as it would from the network.
        boost::asio::steady_timer answer(io);
        std::function<void()> poll = [&] {
            node.registry.answer_all();
            answer.expires_after(10ms);
            answer.async_wait([&](auto error) {
                if (!error)
                    poll();
            });
        };
        poll();
        try {
            node.daemon->start();
            ADD_FAILURE() << "started";
        } catch (const std::exception& error) {
            EXPECT_NE(std::string(error.what()).find(dir / "cert.crt" + " " + c.error),
                      std::string::npos)
                << error.what();
        }
        answer.cancel();
        EXPECT_EQ(node.registry.calls, std::vector<std::string>{"renewCertificate"});
        EXPECT_TRUE(node.events_like("ip").empty());
        EXPECT_TRUE(node.events_like("start").empty());
        io.restart();
    }
}

namespace {

// The node gives no network-wide option: it follows the network's
// configuration, which a CA of the test's own signs.
void follow_the_network(Node& node, boost::asio::io_context& io)
{
    node.plan.given = {};
    plan_network(node.plan, merge_network_parameters({}, {}));
    node.real_openssl = true;
    node.rebuild(io, node.registry);
}

NetworkParameters parameters(unsigned connection_count,
                             std::chrono::seconds hello = std::chrono::seconds(15))
{
    NetworkParameters network;
    network.connection_count = connection_count;
    network.hello = hello;
    return network;
}

}  // namespace

// connection-count 20 -> 2: the two surplus client tunnels close a step
// apart, and nothing else is touched: no server, no babeld, no daemon.
TEST_F(DaemonTest, LowerConnectionCountClosesSurplusTunnelsOneAtATime)
{
    test::TestCa ca(dir);
    Node node(dir, io, clock);
    follow_the_network(node, io);
    std::filesystem::create_directories(node.plan.state_dir);
    PeerDb(node.plan.peer_db, bits(1)).merge({test::peer(2), test::peer(3), test::peer(4)}, 200, 0);
    node.daemon->start();
    settle();
    ASSERT_EQ(node.registry.config_calls, std::vector<std::string>{"getNetworkConfig public -"});
    ASSERT_EQ(node.events_like("start openvpn re6stnet").size(), 3u);
    auto first = node.events.size();

    node.registry.network_config_answer = ca.sign(100, parameters(2));
    node.registry.answer_config();
    auto closed = [&] { return node.events_like("signal openvpn re6stnet", first).size(); };
    ASSERT_TRUE(test::run_until(io, [&] { return closed() == 1; }));
    test::run_until(io, [] { return false; }, 300ms);   // the reaper sees it end
    clock.advance(1900ms);
    settle();
    EXPECT_EQ(closed(), 1u);
    clock.advance(100ms);
    ASSERT_TRUE(test::run_until(io, [&] { return closed() == 2; }));
    test::run_until(io, [] { return false; }, 300ms);
    clock.advance(60s);
    settle();
    EXPECT_EQ(node.events_like("signal", first).size(), 2u) << join(node.events_like("", first));
    EXPECT_TRUE(node.events_like("start", first).empty()) << join(node.events_like("", first));
    // The next question carries the version the node has.
    EXPECT_EQ(node.registry.config_calls.back(), "getNetworkConfig public 100");
    stop(node);
}

// babeld cannot change the hello interval of an interface: a new babeld
// starts with the new one; the OpenVPN processes stay.
TEST_F(DaemonTest, NewHelloIntervalRestartsBabeldAlone)
{
    test::TestCa ca(dir);
    Node node(dir, io, clock);
    follow_the_network(node, io);
    node.daemon->start();
    settle();
    auto first = node.events.size();
    node.registry.network_config_answer = ca.sign(100, parameters(20, std::chrono::seconds(4)));
    node.registry.answer_config();
    ASSERT_TRUE(test::run_until(io, [&] {
        return node.events_like("start babeld", first).size() == 1;
    }));
    EXPECT_EQ(node.events_like("", first),
              (std::vector<std::string>{"signal babeld 15", "start babeld"}));
    EXPECT_EQ(value_after(node.launcher.started.back().argv, "-h"), "4");
    stop(node);
}

// OpenVPN reads --max-clients at start: a higher limit replaces the
// server, a lower one waits for its next start.
TEST_F(DaemonTest, HigherMaxClientsReplacesTheServers)
{
    test::TestCa ca(dir);
    Node node(dir, io, clock);
    follow_the_network(node, io);
    node.daemon->start();
    settle();
    auto first = node.events.size();
    node.registry.network_config_answer = ca.sign(100, parameters(4));   // max-clients 10 -> 2
    node.registry.answer_config();
    test::run_until(io, [&] { return false; }, 300ms);
    EXPECT_TRUE(node.events_like("signal", first).empty()) << join(node.events_like("", first));

    clock.advance(60s);
    settle();
    node.registry.network_config_answer = ca.sign(101, parameters(40));   // 2 -> 20
    node.registry.answer_config();
    ASSERT_TRUE(test::run_until(io, [&] {
        return node.events_like("start openvpn re6st-udp1194", first).size() == 1;
    }));
    EXPECT_EQ(node.events_like("signal", first),
              std::vector<std::string>{"signal openvpn re6st-udp1194 15"});
    EXPECT_EQ(value_after(node.launcher.started.back().argv, "--max-clients"), "20");
    stop(node);
}

// The node's own --connection-count 2 stands whatever the network says.
TEST_F(DaemonTest, OptionsGivenOverrideTheNetwork)
{
    test::TestCa ca(dir);
    Node node(dir, io, clock);   // --connection-count 2
    node.real_openssl = true;
    node.rebuild(io, node.registry);
    std::filesystem::create_directories(node.plan.state_dir);
    PeerDb(node.plan.peer_db, bits(1)).merge({test::peer(2), test::peer(3)}, 200, 0);
    node.daemon->start();
    settle();
    auto first = node.events.size();
    node.registry.network_config_answer = ca.sign(100, parameters(6));
    node.registry.answer_config();
    test::run_until(io, [&] { return false; }, 300ms);
    clock.advance(10s);
    settle();
    EXPECT_EQ(node.events_like("", first), std::vector<std::string>{});
    EXPECT_EQ(node.registry.config_calls.size(), 1u);
    stop(node);
}

// A node restarted with the registry down starts with the network's
// configuration it kept.
TEST_F(DaemonTest, KeptConfigurationAppliesFromTheStart)
{
    test::TestCa ca(dir);
    Node node(dir, io, clock);
    follow_the_network(node, io);
    std::filesystem::create_directories(node.plan.state_dir);
    dir.write("state/network.conf", ca.sign(100, parameters(6, std::chrono::seconds(4))));
    node.daemon->start();
    settle();
    auto babeld = node.launcher.started.at(2).argv;
    ASSERT_EQ(babeld.at(0), "babeld");
    EXPECT_EQ(value_after(babeld, "-h"), "4");
    EXPECT_EQ(value_after(node.launcher.started.at(1).argv, "--max-clients"), "3");
    EXPECT_EQ(node.registry.config_calls, std::vector<std::string>{"getNetworkConfig public 100"});
    stop(node);
}

namespace {

// This node's certificate, serial 0B (only its serial is read).
void own_certificate(const test::TempDir& dir)
{
    test::openssl_tool({"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                        dir / "cert.key", "-out", dir / "cert.crt", "-subj", "/CN=1\\/16",
                        "-set_serial", "0x0B", "-days", "1"});
}

std::vector<std::string> files_in(const std::string& path)
{
    std::vector<std::string> names;
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(path, error))
        names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

}  // namespace

// The revoked serials of the network's configuration become the directory
// every OpenVPN looks peers up in; the node's own serial among them stops
// it, exit 1.
TEST_F(DaemonTest, RevokedSerialsReachOpenVpnAndOwnRevocationStopsTheNode)
{
    test::TestCa ca(dir);
    own_certificate(dir);
    Node node(dir, io, clock);
    follow_the_network(node, io);
    node.daemon->start();
    settle();
    auto revoked = node.plan.state_dir + "/revoked";
    EXPECT_TRUE(std::filesystem::is_directory(revoked));   // OpenVPN wants it
    for (const auto& started : node.launcher.started) {
        if (started.argv[0] == "openvpn") {
            EXPECT_EQ(value_after(started.argv, "--crl-verify"), revoked);
        }
    }

    node.registry.network_config_answer =
        ca.sign(encode_network_config(100, parameters(2), {"0A", "0C"}));
    node.registry.answer_config();
    ASSERT_TRUE(test::run_until(io, [&] { return files_in(revoked).size() == 2; }));
    EXPECT_EQ(files_in(revoked), (std::vector<std::string>{"10", "12"}));
    EXPECT_TRUE(node.events_like("signal").empty()) << join(node.events_like(""));

    node.registry.network_config_answer =
        ca.sign(encode_network_config(101, parameters(2), {"0A", "0B"}));
    clock.advance(61s);
    settle();
    node.registry.answer_config();
    EXPECT_EQ(node.daemon->run(), 1);
    EXPECT_EQ(files_in(revoked), (std::vector<std::string>{"10", "11"}));
    EXPECT_FALSE(node.events_like("signal babeld 15").empty());
}

// Started with a kept configuration that revokes it, the node does not
// start.
TEST_F(DaemonTest, NodeRevokedInItsKeptConfigurationDoesNotStart)
{
    test::TestCa ca(dir);
    own_certificate(dir);
    Node node(dir, io, clock);
    follow_the_network(node, io);
    std::filesystem::create_directories(node.plan.state_dir);
    dir.write("state/network.conf", ca.sign(encode_network_config(100, parameters(2), {"0B"})));
    try {
        node.daemon->start();
        ADD_FAILURE() << "started";
    } catch (const std::runtime_error& error) {
        EXPECT_NE(std::string(error.what()).find("revoked this node's certificate"),
                  std::string::npos)
            << error.what();
        EXPECT_NE(std::string(error.what()).find("(serial 0B)"), std::string::npos)
            << error.what();
    }
    EXPECT_TRUE(node.events_like("start").empty()) << join(node.events_like(""));
}

// Tunnels up with a peer whose certificate gets revoked go at once: our
// client tunnel to it, and its tunnel to our server, which the server
// kills when told through its management connection.
TEST_F(DaemonTest, TunnelsWithARevokedPeerGoAtOnce)
{
    test::TestCa ca(dir);
    own_certificate(dir);
    Node node(dir, io, clock);
    follow_the_network(node, io);
    std::filesystem::create_directories(node.plan.state_dir);
    PeerDb(node.plan.peer_db, bits(1)).merge({test::peer(2)}, 200, 0);
    node.daemon->start();
    settle();
    node.registry.network_config_answer = ca.sign(encode_network_config(100, parameters(2)));
    node.registry.answer_config();
    settle();
    auto tunnel = node.pid_of("openvpn re6stnet0");
    auto server = node.pid_of("openvpn re6st-udp1194");
    ASSERT_GT(tunnel, 0);
    ASSERT_GT(server, 0);
    std::string peer = "2/16", other = "3/16";
    ASSERT_EQ(value_after(node.launcher.started.back().argv, "--verify-x509-name"), peer);
    // The node connected to our server is a known peer too.
    PeerDb(node.plan.peer_db, bits(1)).merge({test::peer(3)}, 200, 0);
    ASSERT_NO_FATAL_FAILURE(node.hook_reports(tunnel, "route-up 198.51.100.7 13"));
    ASSERT_NO_FATAL_FAILURE(node.hook_reports(server, std::string("client-connect ") + other + " 12"));
    // The server's management connection, as OpenVPN makes it.
    boost::asio::local::stream_protocol::socket management(io);
    management.connect(boost::asio::local::stream_protocol::endpoint(node.plan.management_socket));
    test::run_until(io, [] { return false; }, 200ms);
    auto first = node.events.size();

    node.registry.network_config_answer =
        ca.sign(encode_network_config(101, parameters(2), {"0C", "0D"}));
    clock.advance(61s);
    settle();
    node.registry.answer_config();
    std::string command;
    boost::asio::streambuf input;
    boost::asio::async_read_until(management, input, '\n',
                                  [&](const boost::system::error_code& error, std::size_t) {
                                      if (!error)
                                          std::getline(std::istream(&input), command);
                                  });
    ASSERT_TRUE(test::run_until(io, [&] { return !command.empty(); }));
    EXPECT_EQ(command, std::string("kill ") + other);
    EXPECT_EQ(node.events_like("signal", first),
              std::vector<std::string>{"signal openvpn re6stnet0 15"});
    EXPECT_TRUE(node.events_like("start openvpn re6st-udp1194", first).empty());
    PeerDb peers(node.plan.peer_db, bits(1));
    EXPECT_FALSE(peers.find(bits_from_cn(peer)));
    EXPECT_FALSE(peers.find(bits_from_cn(other)));
    stop(node);
}
