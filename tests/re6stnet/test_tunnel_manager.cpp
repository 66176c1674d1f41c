// The client tunnels: slots, peers, failures, replacement.
#include "re6stnet/tunnel_manager.hpp"

#include "argv.hpp"
#include "common/prefix.hpp"
#include "fake_clock.hpp"
#include "loop.hpp"
#include "recording_launcher.hpp"
#include "support/temp_dir.hpp"

#include "peers.hpp"

#include <gtest/gtest.h>

#include <algorithm>

using namespace re6st;
using test::bits;
using test::peer;
using namespace std::chrono_literals;
using test::value_after;

namespace {

struct TunnelManagerTest : ::testing::Test {
    test::TempDir dir;
    boost::asio::io_context io;
    ChildReaper reaper{io};
    test::RecordingLauncher launcher;
    test::FakeClock clock{io};
    ProcessContext processes{io, launcher, reaper, clock};
    PeerDb db{dir / "peers.db", bits(1)};
    std::vector<HookMessage> hooks;

    std::unique_ptr<TunnelManager> make(unsigned slots, unsigned refresh_count = 1)
    {
        TunnelManager::Settings settings;
        settings.slots = slots;
        settings.refresh_count = refresh_count;
        settings.openvpn.hook_dir = "/usr/lib/re6stnet";
        settings.openvpn.management_socket = dir / "openvpn.sock";
        settings.log_dir = dir.path().string();
        return std::make_unique<TunnelManager>(processes, db, settings,
                                               [this](const HookMessage& m) { hooks.push_back(m); });
    }

    void stop(TunnelManager& tunnels)
    {
        bool done = false;
        tunnels.stop(1s, [&] { done = true; });
        ASSERT_TRUE(test::run_until(io, [&] { return done; }));
    }
};

}  // namespace

TEST_F(TunnelManagerTest, FillsFreeSlotsWithUnusedPeers)
{
    db.merge({peer(2), peer(3), peer(4)}, 200, 0);
    auto tunnels = make(2);
    EXPECT_EQ(tunnels->interfaces(), (std::vector<std::string>{"re6stnet0", "re6stnet1"}));
    EXPECT_EQ(tunnels->fill(), 0u);
    ASSERT_EQ(launcher.started.size(), 2u);
    EXPECT_EQ(tunnels->peers().size(), 2u);
    EXPECT_EQ(db.unused_count(), 1u);
    for (const auto& spec : launcher.started) {
        EXPECT_EQ(spec.argv[0], "openvpn");
        EXPECT_EQ(spec.extra_fds.size(), 1u);   // the hook channel
        EXPECT_GE(spec.output_fd, 0);            // the log pipe
        auto cn = value_after(spec.argv, "--verify-x509-name");
        auto remote = value_after(spec.argv, "--remote");
        // Each tunnel checks the CN of the very peer whose address it uses.
        EXPECT_EQ("10.0.0." + cn.substr(0, cn.find('/')), remote);
    }
    EXPECT_EQ(tunnels->fill(), 0u);   // nothing more to do
    EXPECT_EQ(launcher.started.size(), 2u);
    stop(*tunnels);
    EXPECT_EQ(db.unused_count(), 3u);   // stopping frees the peers
}

TEST_F(TunnelManagerTest, ReportsSlotsLeftFreeForWantOfPeers)
{
    db.merge({peer(2)}, 200, 0);
    auto tunnels = make(3);
    EXPECT_EQ(tunnels->fill(), 2u);
    stop(*tunnels);
}

TEST_F(TunnelManagerTest, SkipsPeersAlreadyConnectedToUs)
{
    db.merge({peer(2), peer(3)}, 200, 0);
    auto tunnels = make(2);
    tunnels->incoming_connected(bits(2));
    EXPECT_EQ(tunnels->fill(), 1u);
    EXPECT_EQ(tunnels->peers(), std::vector<std::string>{bits(3)});
    tunnels->incoming_disconnected(bits(2));
    EXPECT_EQ(tunnels->fill(), 0u);
    stop(*tunnels);
}

TEST_F(TunnelManagerTest, TunnelThatDiesMarksItsPeerFailedAndFreesTheSlot)
{
    db.merge({peer(2)}, 200, 0);
    auto tunnels = make(1);
    tunnels->fill();
    launcher.crash(launcher.pids.at(0));
    ASSERT_TRUE(test::run_until(io, [&] { return tunnels->peers().empty(); }));
    // A failed peer is still a candidate, after the never-failed ones.
    db.merge({peer(3)}, 200, 0);
    auto next = db.unused_peers(2, {});
    ASSERT_EQ(next.size(), 2u);
    EXPECT_EQ(next[0].prefix, bits(3));
    EXPECT_EQ(next[1].prefix, bits(2));
    tunnels->fill();
    EXPECT_EQ(tunnels->peers(), std::vector<std::string>{bits(3)});
    stop(*tunnels);
}

TEST_F(TunnelManagerTest, PeerWithBadAddressIsSkipped)
{
    db.merge({peer(3)}, 200, 0);
    // A row no version of the daemon would write: the cache drops it.
    sqlite::Database(dir / "peers.db")
        .execute("INSERT INTO peers (prefix, address, used, date) VALUES (?, ?, 0, 0)", bits(2),
                 "not-an-address");
    auto tunnels = make(2);
    EXPECT_EQ(tunnels->fill(), 1u);
    EXPECT_EQ(tunnels->peers(), std::vector<std::string>{bits(3)});
    stop(*tunnels);
}

// A node that cannot reach a family never tries its endpoints, and a peer
// with none of the others is skipped without an OpenVPN process.
TEST_F(TunnelManagerTest, OnlyEndpointsOfUsableFamiliesAreTried)
{
    db.merge({{bits(2), {{"2001:db8::2", 1194, "udp6"}}},
              {bits(3), {{"2001:db8::3", 1194, "udp6"}, {"192.0.2.3", 1194, "udp"}}}},
             200, 0);
    auto tunnels = make(2);
    tunnels->set_families({AddressFamily::ipv4});
    EXPECT_EQ(tunnels->fill(), 1u);
    ASSERT_EQ(launcher.started.size(), 1u);
    EXPECT_EQ(tunnels->peers(), std::vector<std::string>{bits(3)});
    const auto& argv = launcher.started[0].argv;
    EXPECT_EQ(std::count(argv.begin(), argv.end(), "--remote"), 1);
    EXPECT_EQ(value_after(argv, "--remote"), "192.0.2.3");
    EXPECT_EQ(db.use_of(bits(2)), PeerDb::Use::failed);
    stop(*tunnels);
}

TEST_F(TunnelManagerTest, RefreshReplacesTheTunnelCarryingFewestRoutes)
{
    db.merge({peer(2), peer(3), peer(4)}, 200, 0);
    auto tunnels = make(2);
    tunnels->fill();
    auto first = tunnels->peers();
    RouteCount routes;
    // re6stnet0 carries 5 routes, re6stnet1 one.
    routes.per_interface = {{"re6stnet0", 5}, {"re6stnet1", 1}};
    tunnels->refresh(routes);
    // The closing slot is not reused until its process has ended.
    EXPECT_EQ(tunnels->fill(), 0u);
    EXPECT_EQ(launcher.started.size(), 2u);
    ASSERT_TRUE(test::run_until(io, [&] {
        tunnels->fill();
        return launcher.started.size() == 3;
    }));
    EXPECT_EQ(launcher.signals[launcher.pids[1]], std::vector<int>{SIGTERM});
    EXPECT_EQ(value_after(launcher.started[2].argv, "--dev"), "re6stnet1");
    // The busy tunnel stays; the replaced peer went back to the unused ones
    // (SPEC A.5), so the new tunnel goes to it or to the third peer.
    auto now = tunnels->peers();
    EXPECT_EQ(now.size(), 2u);
    EXPECT_TRUE(std::find(now.begin(), now.end(), first[0]) != now.end());
    stop(*tunnels);
}

TEST_F(TunnelManagerTest, NothingIsReplacedWhileSlotsAreFree)
{
    db.merge({peer(2)}, 200, 0);
    auto tunnels = make(2);
    tunnels->fill();
    tunnels->refresh(RouteCount{});
    EXPECT_EQ(tunnels->peers().size(), 1u);
    EXPECT_TRUE(launcher.signals.empty());
    stop(*tunnels);
}

TEST_F(TunnelManagerTest, PeersSeenOnTheLanAreBlacklistedUntilTheNextCount)
{
    db.merge({peer(2), peer(3)}, 200, 0);
    auto tunnels = make(1);
    RouteCount routes;
    routes.lan_prefixes = {bits(2)};
    tunnels->refresh(routes);
    EXPECT_TRUE(db.is_blacklisted(bits(2)));
    EXPECT_FALSE(db.find(bits(2)));
    tunnels->refresh(RouteCount{});
    EXPECT_FALSE(db.is_blacklisted(bits(2)));
    stop(*tunnels);
}

TEST_F(TunnelManagerTest, TunnelToANodeFoundOnTheLanIsClosed)
{
    db.merge({peer(2), peer(3)}, 200, 0);
    auto tunnels = make(3);
    tunnels->fill();
    ASSERT_EQ(tunnels->peers().size(), 2u);
    RouteCount routes;
    routes.lan_prefixes = {bits(2)};
    tunnels->refresh(routes);   // slots not full: only the LAN peer goes
    EXPECT_EQ(tunnels->peers(), std::vector<std::string>{bits(3)});
    stop(*tunnels);
}

TEST_F(TunnelManagerTest, LogFilesArePerSlot)
{
    auto tunnels = make(2);
    EXPECT_TRUE(std::filesystem::exists(dir / "re6stnet-client0.log"));
    EXPECT_TRUE(std::filesystem::exists(dir / "re6stnet-client1.log"));
    stop(*tunnels);
}

TEST_F(TunnelManagerTest, FailedPeersAreRetriedWhileFreshOnesAreWanted)
{
    db.merge({peer(2)}, 200, 0);
    auto tunnels = make(1);
    EXPECT_EQ(tunnels->fill(), 0u);
    launcher.crash(launcher.pids.at(0));
    ASSERT_TRUE(test::run_until(io, [&] { return tunnels->peers().empty(); }));
    EXPECT_EQ(db.fresh_count(), 0u);
    // The failed peer is tried again, yet the slot asks for a fresh one.
    EXPECT_EQ(tunnels->fill(), 1u);
    EXPECT_EQ(tunnels->peers(), std::vector<std::string>{bits(2)});
    stop(*tunnels);
}

// After a renewal, the tunnels opened before it are closed oldest first,
// one per call, and their peers stay usable.
TEST_F(TunnelManagerTest, RecycleClosesTheOldestTunnelStartedBefore)
{
    db.merge({peer(2), peer(3), peer(4)}, 200, 0);
    auto tunnels = make(2);
    tunnels->fill();   // re6stnet0 and re6stnet1 at the same time
    clock.advance(10s);
    auto renewed = clock.now();
    EXPECT_FALSE(tunnels->recycle_oldest(renewed - 20s));
    EXPECT_TRUE(tunnels->recycle_oldest(renewed));
    ASSERT_TRUE(test::run_until(io, [&] { return tunnels->peers().size() == 1; }));
    EXPECT_EQ(launcher.signals[launcher.pids[0]], std::vector<int>{SIGTERM});
    clock.advance(1s);
    // A tunnel opened after the renewal, once the closed one has ended.
    ASSERT_TRUE(test::run_until(io, [&] {
        tunnels->fill();
        return launcher.started.size() == 3;
    }));
    EXPECT_TRUE(tunnels->recycle_oldest(renewed));   // re6stnet1, the other old one
    ASSERT_TRUE(test::run_until(io, [&] { return tunnels->peers().size() == 1; }));
    EXPECT_EQ(launcher.signals[launcher.pids[1]], std::vector<int>{SIGTERM});
    EXPECT_FALSE(tunnels->recycle_oldest(renewed));   // only the new one is left
    for (int node : {2, 3, 4})
        EXPECT_NE(db.use_of(bits(node)), PeerDb::Use::failed);
    stop(*tunnels);
}

// With persistent taps, a tunnel that is up is restarted in place: the same
// peer, the same way, on the same tap, which is never deleted meanwhile;
// one not up yet is closed. A tunnel that ends by itself has its tap
// deleted at once.
TEST_F(TunnelManagerTest, RecycleRestartsATunnelThatIsUpOnItsTap)
{
    db.merge({peer(2), peer(3)}, 200, 0);
    std::vector<std::string> ip;
    TunnelManager::Settings settings;
    settings.slots = 2;
    settings.openvpn.management_socket = dir / "openvpn.sock";
    settings.log_dir = dir.path().string();
    TunnelManager::TapRouting routing;
    routing.run = [&](const std::vector<std::string>& argv) {
        ip.push_back(test::join(argv));
        return CommandResult{0, ""};
    };
    auto tunnels = std::make_unique<TunnelManager>(
        processes, db, settings, [this](const HookMessage& m) { hooks.push_back(m); },
        std::move(routing));
    tunnels->fill();
    ASSERT_EQ(launcher.started.size(), 2u);
    EXPECT_EQ(ip, (std::vector<std::string>{"ip tuntap add dev re6stnet0 mode tap",
                                            "ip tuntap add dev re6stnet1 mode tap"}));
    std::string up = "route-up 198.51.100.7 10\n";
    ASSERT_EQ(send(launcher.hook_ends.at(launcher.pids[0]).get(), up.data(), up.size(), 0),
              ssize_t(up.size()));
    ASSERT_TRUE(test::run_until(io, [&] { return tunnels->connected_count() == 1; }));
    clock.advance(10s);
    ip.clear();

    auto renewed = clock.now();
    clock.advance(1s);
    EXPECT_TRUE(tunnels->recycle_oldest(renewed));
    ASSERT_TRUE(test::run_until(io, [&] { return launcher.started.size() == 3; }));
    EXPECT_EQ(launcher.started[2].argv, launcher.started[0].argv);
    EXPECT_EQ(ip, std::vector<std::string>{"ip tuntap add dev re6stnet0 mode tap"})
        << "the tap went away";
    EXPECT_EQ(tunnels->peers().size(), 2u);
    EXPECT_EQ(tunnels->connected_count(), 0u);   // until the new process is up

    // The other was never up: closed, its tap deleted once it has ended.
    ip.clear();
    EXPECT_TRUE(tunnels->recycle_oldest(renewed));
    ASSERT_TRUE(test::run_until(io, [&] { return !ip.empty(); }));
    EXPECT_EQ(ip, std::vector<std::string>{"ip link delete dev re6stnet1"});
    EXPECT_EQ(tunnels->peers().size(), 1u);
    EXPECT_FALSE(tunnels->recycle_oldest(renewed));   // only the new process is left

    // The restarted one dies: its tap goes at once.
    ip.clear();
    launcher.crash(launcher.pids[2]);
    ASSERT_TRUE(test::run_until(io, [&] { return tunnels->peers().empty(); }));
    EXPECT_EQ(ip, std::vector<std::string>{"ip link delete dev re6stnet0"});
    stop(*tunnels);
}

// The network's connection-count went down: the surplus tunnels go one
// call at a time, those carrying the fewest routes first; the slots left
// are not filled again.
TEST_F(TunnelManagerTest, SurplusTunnelsCloseFewestRoutesFirst)
{
    db.merge({peer(2), peer(3), peer(4), peer(5)}, 200, 0);
    auto settings_of = [&](unsigned slots) {
        TunnelManager::Settings settings;
        settings.slots = slots;
        settings.openvpn.management_socket = dir / "openvpn.sock";
        settings.log_dir = dir.path().string();
        return settings;
    };
    auto tunnels = make(3);
    tunnels->fill();
    ASSERT_EQ(tunnels->peers().size(), 3u);
    auto peer_on = [&](const std::string& tap) {
        for (std::size_t i = 0; i < launcher.started.size(); ++i)
            if (value_after(launcher.started[i].argv, "--dev") == tap)
                return launcher.pids[i];
        return pid_t(-1);
    };
    EXPECT_TRUE(tunnels->reconfigure(settings_of(1)).empty());   // no new tap
    EXPECT_EQ(tunnels->surplus(), 2u);
    RouteCount routes;
    routes.per_interface = {{"re6stnet0", 4}, {"re6stnet1", 9}, {"re6stnet2", 2}};
    EXPECT_TRUE(tunnels->close_surplus(routes));
    EXPECT_EQ(launcher.signals[peer_on("re6stnet2")], std::vector<int>{SIGTERM});
    EXPECT_EQ(launcher.signals.size(), 1u);   // one at a time
    EXPECT_EQ(tunnels->surplus(), 1u);
    // Counted again: the routes moved.
    routes.per_interface = {{"re6stnet0", 3}, {"re6stnet1", 12}};
    EXPECT_TRUE(tunnels->close_surplus(routes));
    EXPECT_EQ(launcher.signals[peer_on("re6stnet0")], std::vector<int>{SIGTERM});
    EXPECT_EQ(tunnels->surplus(), 0u);
    EXPECT_FALSE(tunnels->close_surplus(routes));
    // Once they have ended, nothing refills their slots.
    test::run_until(io, [] { return false; }, 300ms);
    EXPECT_EQ(tunnels->fill(), 0u);
    EXPECT_EQ(launcher.started.size(), 3u);
    EXPECT_EQ(tunnels->peers().size(), 1u);

    // More slots again: new taps, filled at once.
    auto added = tunnels->reconfigure(settings_of(5));
    EXPECT_EQ(added, (std::vector<std::string>{"re6stnet3", "re6stnet4"}));
    EXPECT_EQ(tunnels->interfaces().size(), 5u);
    tunnels->fill();
    EXPECT_EQ(tunnels->peers().size(), 4u);   // every peer there is
    stop(*tunnels);
}

// While there is a surplus, the tunnel refresh replaces nothing: the
// surplus goes first, one at a time.
TEST_F(TunnelManagerTest, NoReplacementWhileThereIsASurplus)
{
    db.merge({peer(2), peer(3), peer(4)}, 200, 0);
    auto tunnels = make(2);
    tunnels->fill();
    TunnelManager::Settings fewer;
    fewer.slots = 1;
    fewer.log_dir = dir.path().string();
    tunnels->reconfigure(fewer);
    tunnels->refresh(RouteCount{});
    EXPECT_TRUE(launcher.signals.empty());
    stop(*tunnels);
}

// A tunnel that carries traffic is drained before it ends: babeld forgets
// its tap, the process gets SIGTERM only after the drain time, and the tap
// is declared again once the process has ended. One that never came up,
// and every tunnel when we stop, ends at once.
TEST_F(TunnelManagerTest, ConnectedTunnelsAreDrainedBeforeTheyClose)
{
    db.merge({peer(2), peer(3), peer(4)}, 200, 0);
    std::vector<std::string> routing;
    TunnelManager::TapRouting tap_routing;
    tap_routing.forget = [&](const std::string& tap) { routing.push_back("forget " + tap); };
    tap_routing.declare = [&](const std::string& tap) { routing.push_back("declare " + tap); };
    auto settings_of = [&](unsigned slots) {
        TunnelManager::Settings settings;
        settings.slots = slots;
        settings.drain = 4s;
        settings.openvpn.management_socket = dir / "openvpn.sock";
        settings.log_dir = dir.path().string();
        return settings;
    };
    auto tunnels = std::make_unique<TunnelManager>(
        processes, db, settings_of(3), [this](const HookMessage& m) { hooks.push_back(m); },
        tap_routing);
    tunnels->fill();
    ASSERT_EQ(launcher.started.size(), 3u);
    auto tap_of = [&](std::size_t i) { return value_after(launcher.started[i].argv, "--dev"); };
    // The first two come up.
    for (std::size_t i = 0; i < 2; ++i) {
        auto text = std::string("route-up 198.51.100.") + std::to_string(i + 2) + "\n";
        ASSERT_EQ(send(launcher.hook_ends.at(launcher.pids[i]).get(), text.data(), text.size(), 0),
                  ssize_t(text.size()));
    }
    ASSERT_TRUE(test::run_until(io, [&] { return tunnels->connected_count() == 2; }));

    tunnels->reconfigure(settings_of(1));
    RouteCount routes;
    routes.per_interface = {{tap_of(0), 1}, {tap_of(1), 5}, {tap_of(2), 0}};
    // The one never up ends at once, babeld untouched.
    ASSERT_TRUE(tunnels->close_surplus(routes));
    EXPECT_EQ(launcher.signals[launcher.pids[2]], std::vector<int>{SIGTERM});
    EXPECT_TRUE(routing.empty());
    // The one carrying fewer routes is drained first.
    ASSERT_TRUE(tunnels->close_surplus(routes));
    EXPECT_EQ(routing, std::vector<std::string>{"forget " + tap_of(0)});
    EXPECT_EQ(launcher.signals.count(launcher.pids[0]), 0u);
    EXPECT_EQ(tunnels->surplus(), 0u);
    EXPECT_EQ(tunnels->peers().size(), 1u);   // a draining tunnel no longer counts
    clock.advance(3900ms);
    test::run_until(io, [] { return false; }, 50ms);
    EXPECT_EQ(launcher.signals.count(launcher.pids[0]), 0u);
    clock.advance(100ms);
    ASSERT_TRUE(test::run_until(io, [&] { return launcher.signals.count(launcher.pids[0]); }));
    EXPECT_EQ(launcher.signals[launcher.pids[0]], std::vector<int>{SIGTERM});
    ASSERT_TRUE(test::run_until(io, [&] { return routing.size() == 2; }));
    EXPECT_EQ(routing[1], "declare " + tap_of(0));

    // Stopping ends a draining tunnel at once, and declares nothing.
    tunnels->reconfigure(settings_of(0));
    ASSERT_TRUE(tunnels->close_surplus(routes));
    EXPECT_EQ(routing.back(), "forget " + tap_of(1));
    stop(*tunnels);
    EXPECT_EQ(launcher.signals[launcher.pids[1]], std::vector<int>{SIGTERM});
    EXPECT_EQ(routing.size(), 3u);
}

// A tunnel to a peer whose certificate is revoked closes at once, without
// a drain, and the peer is forgotten; the others stay.
TEST_F(TunnelManagerTest, TunnelsToRevokedPeersCloseAtOnce)
{
    db.merge({peer(2), peer(3)}, 200, 0);
    auto tunnels = make(2);
    tunnels->fill();
    ASSERT_EQ(launcher.started.size(), 2u);
    for (std::size_t i = 0; i < 2; ++i) {
        auto text = "route-up 198.51.100.7 " + std::to_string(10 + i) + "\n";
        ASSERT_EQ(send(launcher.hook_ends.at(launcher.pids[i]).get(), text.data(), text.size(), 0),
                  ssize_t(text.size()));
    }
    ASSERT_TRUE(test::run_until(io, [&] { return tunnels->connected_count() == 2; }));
    auto peer_of = [&](std::size_t i) { return value_after(launcher.started[i].argv, "--verify-x509-name"); };
    EXPECT_EQ(tunnels->close_revoked({"11", "12"}), 1u);
    EXPECT_EQ(launcher.signals[launcher.pids[1]], std::vector<int>{SIGTERM});
    EXPECT_EQ(launcher.signals.count(launcher.pids[0]), 0u);
    EXPECT_FALSE(db.find(bits_from_cn(peer_of(1))));
    EXPECT_TRUE(db.find(bits_from_cn(peer_of(0))));
    EXPECT_EQ(tunnels->close_revoked({"11"}), 0u);   // already closing
    stop(*tunnels);
}

// What the status and the metrics read: each tunnel's state, and the
// counts of starts, failures by reason and replacements.
TEST_F(TunnelManagerTest, ViewsAndCountsFollowTheTunnels)
{
    db.merge({peer(2), peer(3), peer(4)}, 200, 0);
    auto tunnels = make(2);
    tunnels->fill();
    ASSERT_EQ(launcher.started.size(), 2u);
    auto views = tunnels->views();
    ASSERT_EQ(views.size(), 2u);
    EXPECT_EQ(views[0].interface, "re6stnet0");
    EXPECT_EQ(views[0].state, TunnelManager::View::State::connecting);
    ASSERT_EQ(views[0].endpoints.size(), 1u);
    EXPECT_EQ("10.0.0." + cn_from_bits(views[0].peer).substr(0, cn_from_bits(views[0].peer).find('/')),
              views[0].endpoints[0].ip);

    // re6stnet0 comes up, then its peer goes silent; re6stnet1 never comes up.
    std::string up = "route-up 198.51.100.7 10\n";
    ASSERT_EQ(send(launcher.hook_ends.at(launcher.pids[0]).get(), up.data(), up.size(), 0),
              ssize_t(up.size()));
    ASSERT_TRUE(test::run_until(io, [&] { return tunnels->connected_count() == 1; }));
    clock.advance(3s);
    views = tunnels->views();
    EXPECT_EQ(views[0].state, TunnelManager::View::State::up);
    EXPECT_EQ(views[0].since, clock.now() - 3s);
    EXPECT_EQ(views[1].state, TunnelManager::View::State::connecting);
    launcher.crash(launcher.pids[0]);
    launcher.crash(launcher.pids[1]);
    ASSERT_TRUE(test::run_until(io, [&] { return tunnels->views().empty(); }));
    const auto& counts = tunnels->counts();
    EXPECT_EQ(counts.starts, 2u);
    EXPECT_EQ(counts.failures.at("lost"), 1u);
    EXPECT_EQ(counts.failures.at("unreachable"), 1u);
    EXPECT_EQ(counts.replacements, 0u);

    tunnels->fill();
    RouteCount routes;
    routes.per_interface = {{"re6stnet0", 5}, {"re6stnet1", 1}};
    tunnels->refresh(routes);
    EXPECT_EQ(tunnels->counts().replacements, 1u);
    EXPECT_EQ(tunnels->counts().starts, 4u);
    stop(*tunnels);
    // Closed by us: no failure.
    EXPECT_EQ(tunnels->counts().failures.at("lost") + tunnels->counts().failures.at("unreachable"),
              2u);
}
