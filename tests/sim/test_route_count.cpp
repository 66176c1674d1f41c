// Routes per link, on hand-checked graphs.
#include "sim/route_count.hpp"

#include "overlays.hpp"

#include <gtest/gtest.h>

#include <map>

using namespace re6st::sim;
using namespace re6st::sim::testing;

namespace {

//     1 --- 3 --- 4
//    /     /
//   0 --- 2 --- 5
// From 0: 1 and 2 directly, 5 only through 2, 3 (and so 4) equally through
// 1 or 2.
const std::vector<std::pair<Node, Node>> diamond{{0, 1}, {0, 2}, {1, 3}, {2, 3}, {3, 4}, {2, 5}};

std::vector<unsigned> counts(const Overlay& overlay, Node source, TieBreak ties,
                             std::uint64_t seed = 1)
{
    Graph graph(overlay);
    RouteCounter counter(graph, ties);
    std::mt19937_64 random(seed);
    return counter.count(source, random);
}

}  // namespace

TEST(RouteCount, TiesGoToTheOldestLink)
{
    // 0's links: 1 then 2. 1 carries 1, 3, 4; 2 carries 2, 5.
    EXPECT_EQ(counts(overlay_of(6, diamond), 0, TieBreak::oldest), (std::vector<unsigned>{3, 2}));
}

TEST(RouteCount, TiesFollowLinkAgeNotNodeNumbers)
{
    // Same graph, the tunnel to 2 opened first: 2 carries 2, 3, 4, 5.
    auto tunnels = diamond;
    std::swap(tunnels[0], tunnels[1]);
    EXPECT_EQ(counts(overlay_of(6, tunnels), 0, TieBreak::oldest), (std::vector<unsigned>{4, 1}));
}

TEST(RouteCount, RandomTiesSplitEqualRoutesAndKeepPathsWhole)
{
    auto overlay = overlay_of(6, diamond);
    std::map<std::vector<unsigned>, int> outcomes;
    for (std::uint64_t seed = 0; seed < 400; ++seed)
        ++outcomes[counts(overlay, 0, TieBreak::random, seed)];
    // 4 is reached through 3, whichever way 3's route goes.
    ASSERT_EQ(outcomes.size(), 2u);
    EXPECT_NEAR(outcomes[(std::vector<unsigned>{3, 2})], 200, 40);
    EXPECT_NEAR(outcomes[(std::vector<unsigned>{1, 4})], 200, 40);
}

TEST(RouteCount, UnreachableNodesHaveNoRoute)
{
    auto overlay = two_components();
    // 1's links: 0 (whose tunnel to 1 came first), then 2; 3 is as close
    // through either, so through 0.
    EXPECT_EQ(counts(overlay, 1, TieBreak::oldest), (std::vector<unsigned>{2, 1}));
    EXPECT_EQ(counts(overlay, 4, TieBreak::oldest), (std::vector<unsigned>{1}));
    EXPECT_TRUE(counts(overlay_of(3, {{0, 1}}), 2, TieBreak::oldest).empty());
}

TEST(RouteCount, EveryReachableNodeCountsOnce)
{
    std::mt19937_64 random(9);
    Overlay overlay(500, 5, 10);
    fill_all(overlay, random);
    Graph graph(overlay);
    for (auto ties : {TieBreak::oldest, TieBreak::random}) {
        RouteCounter counter(graph, ties);
        for (Node u : {Node(0), Node(123), Node(499)}) {
            const auto& per_link = counter.count(u, random);
            ASSERT_EQ(per_link.size(), graph.degree(u));
            unsigned total = 0;
            for (unsigned n : per_link) {
                EXPECT_GE(n, 1u);   // at least the neighbour itself
                total += n;
            }
            EXPECT_EQ(total, counter.search().order().size() - 1);
        }
    }
}
