// The tunnel replacement decision.
#include "re6stnet/tunnel_policy.hpp"

#include <gtest/gtest.h>

#include <map>

using namespace re6st;

namespace {

std::vector<TunnelUsage> usage(std::vector<unsigned> routes)
{
    std::vector<TunnelUsage> tunnels;
    for (std::size_t i = 0; i < routes.size(); ++i) {
        std::string peer = "p";   // appended: GCC 12 -O3 warns on "p" + std::string
        tunnels.push_back({peer += std::to_string(i), routes[i]});
    }
    return tunnels;
}

}  // namespace

TEST(TunnelPolicy, ReplacesTheTunnelCarryingFewestRoutesWhenFull)
{
    std::mt19937_64 random(1);
    EXPECT_EQ(tunnels_to_replace(usage({5, 1, 9}), 3, 1, random),
              (std::vector<std::string>{"p1"}));
}

TEST(TunnelPolicy, RefreshCountTunnelsGo)
{
    std::mt19937_64 random(1);
    auto killed = tunnels_to_replace(usage({5, 1, 9, 0, 7}), 5, 2, random);
    EXPECT_EQ(killed, (std::vector<std::string>{"p3", "p1"}));
}

TEST(TunnelPolicy, NothingGoesWhileSlotsAreFree)
{
    std::mt19937_64 random(1);
    EXPECT_TRUE(tunnels_to_replace(usage({5, 1}), 3, 1, random).empty());
    EXPECT_TRUE(tunnels_to_replace(usage({}), 3, 1, random).empty());
    EXPECT_TRUE(tunnels_to_replace(usage({5, 1, 9}), 3, 0, random).empty());
}

TEST(TunnelPolicy, OverfullSlotsShrinkBackAndMore)
{
    std::mt19937_64 random(1);
    // 4 tunnels in 2 slots, refresh 1: 3 go, the best stays.
    EXPECT_EQ(tunnels_to_replace(usage({4, 3, 2, 1}), 2, 1, random),
              (std::vector<std::string>{"p3", "p2", "p1"}));
}

TEST(TunnelPolicy, NeverMoreThanThereAre)
{
    std::mt19937_64 random(1);
    EXPECT_EQ(tunnels_to_replace(usage({1, 2}), 2, 5, random).size(), 2u);
}

// A tunnel just up carries no route yet: it is not judged by that count,
// unless nothing else can go.
TEST(TunnelPolicy, YoungTunnelsGoLast)
{
    std::mt19937_64 random(1);
    auto tunnels = usage({5, 0, 9});
    tunnels[1].young = true;
    EXPECT_EQ(tunnels_to_replace(tunnels, 3, 1, random), (std::vector<std::string>{"p0"}));
    EXPECT_EQ(tunnels_to_replace(tunnels, 1, 1, random),
              (std::vector<std::string>{"p0", "p2", "p1"}));
}

TEST(TunnelPolicy, TiesAreBrokenAtRandom)
{
    std::mt19937_64 random(7);
    std::map<std::string, int> chosen;
    for (int i = 0; i < 300; ++i)
        ++chosen[tunnels_to_replace(usage({2, 2, 2, 9}), 4, 1, random).at(0)];
    EXPECT_EQ(chosen.size(), 3u);   // p0, p1, p2 all picked, never p3
    EXPECT_FALSE(chosen.count("p3"));
    for (const auto& [peer, times] : chosen)
        EXPECT_GT(times, 50) << peer;
}

TEST(TunnelPolicy, RefreshDelaysSpreadAQuarterAroundThePeriod)
{
    using std::chrono::milliseconds;
    std::mt19937_64 random(3);
    milliseconds shortest = milliseconds::max(), longest = milliseconds::min(), sum{0};
    for (int i = 0; i < 1000; ++i) {
        auto delay = refresh_delay(std::chrono::seconds(300), random);
        shortest = std::min(shortest, delay);
        longest = std::max(longest, delay);
        sum += delay;
    }
    EXPECT_GE(shortest, std::chrono::seconds(225));
    EXPECT_LE(longest, std::chrono::seconds(375));
    // Spread over the whole range, centred on the period.
    EXPECT_LT(shortest, std::chrono::seconds(230));
    EXPECT_GT(longest, std::chrono::seconds(370));
    EXPECT_NEAR(static_cast<double>((sum / 1000).count()), 300000.0, 5000.0);
}
