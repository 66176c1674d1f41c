// The simulated network's tunnels: slots, server limits, one tunnel per pair.
#include "sim/overlay.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <stdexcept>

using namespace re6st::sim;

TEST(Overlay, OpenLinksBothEndsOldestFirst)
{
    Overlay overlay(4, 2, 3);
    overlay.open(0, 1);
    overlay.open(2, 0);
    overlay.open(0, 3);
    EXPECT_EQ(overlay.clients(0), (std::vector<Node>{1, 3}));
    EXPECT_EQ(overlay.links(0), (std::vector<Node>{1, 2, 3}));
    EXPECT_EQ(overlay.links(1), (std::vector<Node>{0}));
    EXPECT_EQ(overlay.incoming(0), 1u);
    EXPECT_EQ(overlay.incoming(3), 1u);
    EXPECT_EQ(overlay.tunnel_count(), 3u);
    EXPECT_TRUE(overlay.linked(1, 0));
    EXPECT_FALSE(overlay.linked(1, 2));
}

TEST(Overlay, RefusesSecondTunnelBetweenTheSameNodesEitherWay)
{
    Overlay overlay(3, 2, 3);
    overlay.open(0, 1);
    EXPECT_FALSE(overlay.may_open(0, 1));
    EXPECT_FALSE(overlay.may_open(1, 0));
    EXPECT_THROW(overlay.open(1, 0), std::invalid_argument);
    EXPECT_THROW(overlay.open(2, 2), std::invalid_argument);
}

TEST(Overlay, ServersAcceptAtMostMaxClients)
{
    Overlay overlay(4, 1, 2);
    overlay.open(1, 0);
    overlay.open(2, 0);
    EXPECT_FALSE(overlay.may_open(3, 0));
    EXPECT_THROW(overlay.open(3, 0), std::invalid_argument);
}

TEST(Overlay, ClientsUseAtMostTheirSlots)
{
    Overlay overlay(4, 1, 3);
    overlay.open(0, 1);
    EXPECT_THROW(overlay.open(0, 2), std::invalid_argument);
}

TEST(Overlay, CloseFreesTheSlotAndTheServerPlaceKeepingOrder)
{
    Overlay overlay(4, 3, 1);
    overlay.open(0, 1);
    overlay.open(0, 2);
    overlay.open(0, 3);
    overlay.close(0, 2);
    EXPECT_EQ(overlay.clients(0), (std::vector<Node>{1, 3}));
    EXPECT_EQ(overlay.links(0), (std::vector<Node>{1, 3}));
    EXPECT_TRUE(overlay.links(2).empty());
    EXPECT_EQ(overlay.incoming(2), 0u);
    EXPECT_EQ(overlay.tunnel_count(), 2u);
    EXPECT_TRUE(overlay.may_open(0, 2));
    // Only the client closes its tunnel.
    EXPECT_THROW(overlay.close(1, 0), std::invalid_argument);
}

TEST(Overlay, FillRespectsEveryConstraint)
{
    constexpr unsigned slots = 5, max_clients = 6;
    Overlay overlay(300, slots, max_clients);
    std::mt19937_64 random(42);
    EXPECT_EQ(fill_all(overlay, random), 0u);
    EXPECT_EQ(overlay.tunnel_count(), 300u * slots);
    for (Node u = 0; u < overlay.size(); ++u) {
        EXPECT_EQ(overlay.clients(u).size(), slots);
        EXPECT_LE(overlay.incoming(u), max_clients);
        EXPECT_EQ(overlay.links(u).size(), slots + overlay.incoming(u));
        std::set<Node> distinct(overlay.links(u).begin(), overlay.links(u).end());
        EXPECT_EQ(distinct.size(), overlay.links(u).size()) << "node " << u;
        EXPECT_FALSE(distinct.count(u));
    }
}

TEST(Overlay, FillLeavesSlotsFreeWhenNoPeerIsLeft)
{
    // 4 nodes: at most 6 tunnels, one per pair, for 4 x 3 slots.
    Overlay overlay(4, 3, unlimited_clients);
    std::mt19937_64 random(1);
    EXPECT_EQ(fill_all(overlay, random), 12u - 6u);
    EXPECT_EQ(overlay.tunnel_count(), 6u);
    for (Node u = 0; u < 4; ++u)
        EXPECT_EQ(overlay.links(u).size(), 3u);
}

TEST(Overlay, FillDrawsPeersUniformly)
{
    // One client slot, 4 possible peers: each should be picked ~1/4 of the time.
    std::map<Node, int> picked;
    std::mt19937_64 random(3);
    for (int trial = 0; trial < 4000; ++trial) {
        Overlay overlay(5, 1, unlimited_clients);
        overlay.fill(0, random);
        ++picked[overlay.clients(0).at(0)];
    }
    EXPECT_EQ(picked.size(), 4u);
    EXPECT_FALSE(picked.count(0));
    for (auto [peer, times] : picked)
        EXPECT_NEAR(times, 1000, 120) << "peer " << peer;
}

TEST(Overlay, FillSkipsFullServersAndLinkedPeers)
{
    Overlay overlay(4, 3, 1);
    overlay.open(1, 2);   // 2 is full
    overlay.open(3, 0);   // 0 is linked to 3 (and full)
    std::mt19937_64 random(5);
    // 3's only acceptable peer is 1; nothing is left for its third slot.
    EXPECT_EQ(overlay.fill(3, random), 1u);
    EXPECT_EQ(overlay.clients(3), (std::vector<Node>{0, 1}));
}
