// The tunnel refresh of the whole simulated network, through the daemon's
// own decision (re6st::tunnels_to_replace).
#include "sim/replacement.hpp"

#include "overlays.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

using namespace re6st::sim;
using namespace re6st::sim::testing;

namespace {

Decisions decide(const Overlay& overlay, unsigned refresh_count, std::uint64_t seed = 1)
{
    Graph graph(overlay);
    std::mt19937_64 random(seed);
    ReplacementSettings settings{refresh_count, TieBreak::oldest, 2, seed};
    return decide_replacements(overlay, graph, settings, 1, random);
}

bool contains(const std::vector<Tunnel>& tunnels, Tunnel tunnel)
{
    return std::find(tunnels.begin(), tunnels.end(), tunnel) != tunnels.end();
}

}  // namespace

TEST(DecideReplacements, FullNodesCloseTheTunnelCarryingFewestRoutes)
{
    //   3   4
    //    \ /
    //     1 --- 0 --- 2      5
    // 0's tunnel to 1 carries 1, 3, 4; the one to 2 only 2. 1's tunnels to 3
    // and 4 carry one route each: either may go. Nodes with free slots keep
    // theirs.
    auto overlay = overlay_of(6, {{0, 1}, {0, 2}, {1, 3}, {1, 4}}, 2);
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
        auto decisions = decide(overlay, 1, seed);
        ASSERT_EQ(decisions.close.size(), 2u);
        EXPECT_EQ(decisions.close[0], (Tunnel{0, 2}));
        EXPECT_TRUE(decisions.close[1] == (Tunnel{1, 3}) || decisions.close[1] == (Tunnel{1, 4}));
    }
}

TEST(DecideReplacements, ExactHopsOfTheSnapshot)
{
    auto overlay = overlay_of(6, {{0, 1}, {0, 2}, {1, 3}, {1, 4}}, 2);
    auto hops = decide(overlay, 1).hops;
    EXPECT_EQ(hops.sources, 6u);
    EXPECT_EQ(hops.pairs, 30u);
    EXPECT_EQ(hops.unreachable, 10u);   // node 5 is alone
    EXPECT_EQ(hops.max, 3u);            // 2 to 3 or 4
}

TEST(DecideReplacements, FollowsThePolicyWhenSlotsAreNotFull)
{
    // 3 slots, refresh-count 2: the policy closes in_use + 2 - 3 tunnels, so
    // 2 for node 0 (full), 1 for node 1 (one slot free), none for node 2.
    auto overlay = overlay_of(8, {{0, 3}, {0, 4}, {0, 5}, {1, 6}, {1, 7}, {2, 3}}, 3);
    auto decisions = decide(overlay, 2);
    std::map<Node, int> per_client;
    for (auto tunnel : decisions.close)
        ++per_client[tunnel.client];
    EXPECT_EQ(per_client, (std::map<Node, int>{{0, 2}, {1, 1}}));
}

TEST(DecideReplacements, RefreshCountZeroClosesNothing)
{
    std::mt19937_64 random(2);
    Overlay overlay(50, 3, 6);
    fill_all(overlay, random);
    EXPECT_TRUE(decide(overlay, 0).close.empty());
}

TEST(ReplacementRound, KeepsEverySlotFilledWithinLimits)
{
    constexpr unsigned nodes = 300, slots = 5, max_clients = 7, refresh = 2;
    std::mt19937_64 random(4);
    Overlay overlay(nodes, slots, max_clients);
    ASSERT_EQ(fill_all(overlay, random), 0u);
    ReplacementSettings settings{refresh, TieBreak::random, 2, 4};
    for (unsigned round = 1; round <= 3; ++round) {
        auto outcome = replacement_round(overlay, settings, round, random);
        EXPECT_EQ(outcome.closed, nodes * refresh);
        EXPECT_EQ(outcome.left_free, 0u);
        EXPECT_EQ(outcome.hops_before.sources, nodes);
        EXPECT_EQ(overlay.tunnel_count(), nodes * slots);
        for (Node u = 0; u < nodes; ++u) {
            EXPECT_EQ(overlay.clients(u).size(), slots);
            EXPECT_LE(overlay.incoming(u), max_clients);
            std::set<Node> distinct(overlay.links(u).begin(), overlay.links(u).end());
            EXPECT_EQ(distinct.size(), overlay.links(u).size());
        }
    }
}

TEST(ReplacementRound, SameNetworkWhateverTheThreads)
{
    auto run = [](unsigned threads) {
        std::mt19937_64 random(8);
        Overlay overlay(200, 4, 8);
        fill_all(overlay, random);
        ReplacementSettings settings{1, TieBreak::random, threads, 8};
        for (unsigned round = 1; round <= 3; ++round)
            replacement_round(overlay, settings, round, random);
        std::vector<std::vector<Node>> clients;
        for (Node u = 0; u < overlay.size(); ++u)
            clients.push_back(overlay.clients(u));
        return clients;
    };
    EXPECT_EQ(run(1), run(2));
}

TEST(ReplacementRound, OnlyTheDecidedTunnelsClose)
{
    std::mt19937_64 random(6);
    Overlay overlay(100, 4, 8);
    fill_all(overlay, random);
    const Overlay before = overlay;
    ReplacementSettings settings{1, TieBreak::oldest, 2, 6};
    auto twin = random;   // the round draws the policy's ties first, as here
    auto decisions = decide_replacements(before, Graph(before), settings, 1, twin);
    auto outcome = replacement_round(overlay, settings, 1, random);
    EXPECT_EQ(outcome.closed, decisions.close.size());
    EXPECT_EQ(outcome.closed, 100u);
    for (Node u = 0; u < 100; ++u)
        for (Node peer : before.clients(u)) {
            if (contains(decisions.close, {u, peer}))
                continue;
            const auto& now = overlay.clients(u);
            EXPECT_NE(std::find(now.begin(), now.end(), peer), now.end())
                << "tunnel " << u << " -> " << peer << " closed without a decision";
        }
}
