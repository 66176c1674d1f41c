// Connectivity once nodes die: the chance that two surviving nodes cannot
// reach each other, right after the failure and before the survivors replace
// their dead tunnels.
#pragma once

#include "sim/graph.hpp"
#include "sim/statistics.hpp"

#include <cstdint>
#include <vector>

namespace re6st::sim {

// Sizes of the connected components formed by the nodes with alive[u] set.
std::vector<std::size_t> component_sizes(const Graph& graph, const std::vector<char>& alive);

// The fraction of pairs of distinct nodes in different components:
// 1 - sum s(s-1) / (n(n-1)), n = sum s. Zero for fewer than two nodes.
double cut_pair_fraction(const std::vector<std::size_t>& sizes);

struct FailureStats {
    std::size_t dead = 0;          // nodes killed in each trial
    std::size_t trials = 0;
    std::size_t cut_trials = 0;    // trials where some survivors were cut apart
    double mean = 0;               // cut pair fraction, averaged over trials
    double std_error = 0;          // of that mean
    double worst = 0;              // largest cut pair fraction of a trial
};

// The cut pair fraction due to survivors whose every neighbour died, from
// degrees alone: with `dead` of `nodes` killed, a survivor of degree d is
// alone with probability prod_{i<d} (dead - i) / (nodes - 1 - i), about
// 2^-d when half die, and cuts itself from the n - 1 others. Counting
// nothing else, it explains how the degree distribution sets resilience.
double isolation_estimate(const DegreeStats& degrees, std::size_t nodes, std::size_t dead);

// `trials` times: kill round(fraction * size) nodes drawn at random, and
// measure the cut pair fraction among the survivors exactly.
FailureStats failure_statistics(const Graph& graph, double fraction, std::size_t trials,
                                unsigned threads, std::uint64_t seed);

}  // namespace re6st::sim
