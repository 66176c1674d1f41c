// Connectivity once nodes die.
#include "sim/failure.hpp"

#include "overlays.hpp"

#include <gtest/gtest.h>

#include <algorithm>

using namespace re6st::sim;
using namespace re6st::sim::testing;

namespace {

std::vector<std::size_t> sorted(std::vector<std::size_t> sizes)
{
    std::sort(sizes.begin(), sizes.end());
    return sizes;
}

}  // namespace

TEST(ComponentSizes, TwoComponents)
{
    auto overlay = two_components();
    Graph graph(overlay);
    EXPECT_EQ(sorted(component_sizes(graph, std::vector<char>(6, 1))),
              (std::vector<std::size_t>{2, 4}));
}

TEST(ComponentSizes, DeadNodesCutTheRing)
{
    auto overlay = ring(8);
    Graph graph(overlay);
    std::vector<char> alive(8, 1);
    alive[0] = alive[4] = 0;
    EXPECT_EQ(sorted(component_sizes(graph, alive)), (std::vector<std::size_t>{3, 3}));
}

TEST(ComponentSizes, KillingTheStarCentreIsolatesEveryLeaf)
{
    auto overlay = star(6);
    Graph graph(overlay);
    std::vector<char> alive(6, 1);
    alive[0] = 0;
    auto sizes = component_sizes(graph, alive);
    EXPECT_EQ(sizes, (std::vector<std::size_t>(5, 1)));
    EXPECT_DOUBLE_EQ(cut_pair_fraction(sizes), 1.0);
}

TEST(CutPairFraction, Table)
{
    struct Case {
        std::vector<std::size_t> sizes;
        double expected;
    };
    for (const auto& [sizes, expected] : std::vector<Case>{
             {{10}, 0.0},
             {{4, 2}, 16.0 / 30.0},      // 2 x 4 x 2 of 6 x 5 ordered pairs
             {{999, 1}, 2.0 / 1000.0},   // one isolated node among 1000
             {{1, 1}, 1.0},
             {{1}, 0.0},
             {{}, 0.0},
         })
        EXPECT_DOUBLE_EQ(cut_pair_fraction(sizes), expected) << sizes.size() << " components";
}

TEST(FailureStatistics, StarCentreDiesInAboutOneTrialInSix)
{
    // One of 6 nodes dies: all survivors are cut apart if it is the centre.
    auto overlay = star(6);
    auto stats = failure_statistics(Graph(overlay), 1.0 / 6.0, 6000, 2, 3);
    EXPECT_EQ(stats.dead, 1u);
    EXPECT_EQ(stats.trials, 6000u);
    EXPECT_NEAR(double(stats.cut_trials), 1000.0, 100.0);
    EXPECT_DOUBLE_EQ(stats.mean, double(stats.cut_trials) / 6000.0);
    EXPECT_DOUBLE_EQ(stats.worst, 1.0);
    EXPECT_GT(stats.std_error, 0.0);
}

TEST(FailureStatistics, NothingDeadKeepsAConnectedNetworkWhole)
{
    auto overlay = ring(10);
    auto stats = failure_statistics(Graph(overlay), 0.0, 20, 1, 1);
    EXPECT_EQ(stats.dead, 0u);
    EXPECT_EQ(stats.cut_trials, 0u);
    EXPECT_DOUBLE_EQ(stats.mean, 0.0);
}

TEST(FailureStatistics, SameFiguresWhateverTheThreads)
{
    auto overlay = ring(30);
    Graph graph(overlay);
    auto one = failure_statistics(graph, 0.2, 50, 1, 11);
    auto two = failure_statistics(graph, 0.2, 50, 2, 11);
    EXPECT_EQ(one.cut_trials, two.cut_trials);
    EXPECT_DOUBLE_EQ(one.mean, two.mean);
    // 6 dead nodes cut a ring of 30 unless they are all next to each other
    // (30 of the C(30, 6) = 593775 draws).
    EXPECT_EQ(one.cut_trials, 50u);
}

TEST(FailureStatistics, RejectsFractionsOutsideZeroToOne)
{
    auto overlay = ring(4);
    Graph graph(overlay);
    EXPECT_THROW(failure_statistics(graph, 1.0, 1, 1, 1), std::invalid_argument);
    EXPECT_THROW(failure_statistics(graph, -0.1, 1, 1, 1), std::invalid_argument);
}

TEST(IsolationEstimate, RingOfTenTwoDead)
{
    // A survivor (8/10) is alone if both its neighbours are the 2 dead:
    // (2/9)(1/8). 10 nodes: 2/9 isolated survivors, each cutting 2/8 of pairs.
    auto overlay = ring(10);
    auto degrees = degree_statistics(Graph(overlay));
    EXPECT_DOUBLE_EQ(isolation_estimate(degrees, 10, 2), 2.0 / 9.0 * 2.0 / 8.0);
    EXPECT_DOUBLE_EQ(isolation_estimate(degrees, 10, 1), 0.0);   // degree 2 > 1 dead
    EXPECT_DOUBLE_EQ(isolation_estimate(degrees, 10, 0), 0.0);
}

TEST(IsolationEstimate, MatchesTrialsWhenIsolationDominates)
{
    // Degree 8 everywhere, half dead: a survivor is alone once in about 2^8;
    // two neighbours cut off together need 14 dead around them, a few
    // percent of the cuts.
    std::mt19937_64 random(12);
    Overlay overlay(400, 4, 4);
    fill_all(overlay, random);
    Graph graph(overlay);
    auto measured = failure_statistics(graph, 0.5, 4000, 2, 12);
    double estimate = isolation_estimate(degree_statistics(graph), 400, measured.dead);
    EXPECT_GT(measured.mean, 0.0);
    EXPECT_NEAR(estimate / measured.mean, 1.0, 0.1) << estimate << " vs " << measured.mean;
}
