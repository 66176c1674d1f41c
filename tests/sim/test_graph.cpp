// The routing graph and its breadth-first search.
#include "sim/graph.hpp"

#include "overlays.hpp"

#include <gtest/gtest.h>

using namespace re6st::sim;
using namespace re6st::sim::testing;

TEST(Graph, HoldsEveryTunnelBothWaysOldestFirst)
{
    auto overlay = overlay_of(4, {{0, 1}, {2, 0}, {0, 3}});
    Graph graph(overlay);
    EXPECT_EQ(graph.size(), 4u);
    EXPECT_EQ(graph.edge_count(), 3u);
    auto links = graph.neighbours(0);
    EXPECT_EQ(std::vector<Node>(links.begin(), links.end()), (std::vector<Node>{1, 2, 3}));
    EXPECT_EQ(graph.degree(2), 1u);
}

TEST(Bfs, RingDistances)
{
    auto overlay = ring(6);
    Graph graph(overlay);
    Bfs search(graph);
    search.run(0);
    std::vector<unsigned> expected{0, 1, 2, 3, 2, 1};
    for (Node v = 0; v < 6; ++v)
        EXPECT_EQ(search.distance(v), expected[v]) << "node " << v;
    EXPECT_EQ(search.order().front(), 0u);
    EXPECT_EQ(search.order().back(), 3u);
}

TEST(Bfs, ReusedAcrossSourcesAndUnreachableNodes)
{
    auto overlay = two_components();
    Graph graph(overlay);
    Bfs search(graph);
    search.run(0);
    EXPECT_EQ(search.order().size(), 4u);
    EXPECT_EQ(search.distance(2), 2u);
    EXPECT_EQ(search.distance(4), unreachable);
    search.run(5);
    EXPECT_EQ(search.order().size(), 2u);
    EXPECT_EQ(search.distance(4), 1u);
    EXPECT_EQ(search.distance(0), unreachable);
    EXPECT_EQ(search.distance(2), unreachable);
}
