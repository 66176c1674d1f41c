// Hop counts and degrees on networks with known answers.
#include "sim/statistics.hpp"

#include "overlays.hpp"

#include <gtest/gtest.h>

using namespace re6st::sim;
using namespace re6st::sim::testing;

TEST(HopStatistics, RingOfSixExact)
{
    // From any node: 1, 1, 2, 2, 3 hops; mean 9/5.
    auto overlay = ring(6);
    auto hops = hop_statistics(Graph(overlay), 6, 2, 1);
    EXPECT_EQ(hops.sources, 6u);
    EXPECT_EQ(hops.pairs, 30u);
    EXPECT_EQ(hops.unreachable, 0u);
    EXPECT_EQ(hops.total_hops, 54u);
    EXPECT_DOUBLE_EQ(hops.mean(), 1.8);
    EXPECT_EQ(hops.max, 3u);
}

TEST(HopStatistics, StarExact)
{
    // Centre to 5 leaves: 1 hop (10 ordered pairs); leaf to leaf: 2 (20).
    auto overlay = star(6);
    auto hops = hop_statistics(Graph(overlay), 100, 1, 1);
    EXPECT_EQ(hops.pairs, 30u);
    EXPECT_DOUBLE_EQ(hops.mean(), 50.0 / 30.0);
    EXPECT_EQ(hops.max, 2u);
}

TEST(HopStatistics, TwoComponentsCountUnreachablePairs)
{
    // Ring of 4 (mean 4/3 within it), a pair (1 hop), 2 x 4 x 2 pairs apart.
    auto overlay = two_components();
    auto hops = hop_statistics(Graph(overlay), 6, 1, 1);
    EXPECT_EQ(hops.pairs, 30u);
    EXPECT_EQ(hops.unreachable, 16u);
    EXPECT_EQ(hops.total_hops, 4u * 4u + 2u);
    EXPECT_DOUBLE_EQ(hops.mean(), 18.0 / 14.0);
}

TEST(HopStatistics, SampledSourcesIndependentOfThreads)
{
    auto overlay = ring(40);
    Graph graph(overlay);
    auto one = hop_statistics(graph, 10, 1, 7);
    auto two = hop_statistics(graph, 10, 2, 7);
    EXPECT_EQ(one.sources, 10u);
    EXPECT_EQ(one.pairs, 10u * 39u);
    // Every node of a ring sees the same distances: sampling changes nothing.
    EXPECT_EQ(one.total_hops, 10u * (2u * (19u * 20u / 2u) + 20u));
    EXPECT_EQ(one.total_hops, two.total_hops);
    EXPECT_EQ(one.max, 20u);
}

TEST(DegreeStatistics, Star)
{
    auto overlay = star(6);
    auto degrees = degree_statistics(Graph(overlay));
    EXPECT_EQ(degrees.min, 1u);
    EXPECT_EQ(degrees.max, 5u);
    EXPECT_DOUBLE_EQ(degrees.mean, 10.0 / 6.0);
    EXPECT_EQ(degrees.histogram, (std::map<std::size_t, std::size_t>{{1, 5}, {5, 1}}));
}

TEST(DegreeStatistics, Ring)
{
    auto overlay = ring(7);
    auto degrees = degree_statistics(Graph(overlay));
    EXPECT_EQ(degrees.min, 2u);
    EXPECT_EQ(degrees.max, 2u);
    EXPECT_EQ(degrees.histogram, (std::map<std::size_t, std::size_t>{{2, 7}}));
}
