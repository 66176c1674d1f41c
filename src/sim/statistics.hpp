// Hop counts between pairs of nodes and the spread of node degrees.
#pragma once

#include "sim/graph.hpp"

#include <cstdint>
#include <map>

namespace re6st::sim {

struct HopStats {
    std::size_t sources = 0;        // searches the figures come from
    std::uint64_t pairs = 0;        // ordered (source, other node) pairs
    std::uint64_t unreachable = 0;  // pairs without a path
    std::uint64_t total_hops = 0;   // over the reachable pairs
    unsigned max = 0;               // longest shortest path seen

    // Takes the search's source against every other node.
    void add(const Bfs& search);
    void merge(const HopStats& other);
    double mean() const;            // over the reachable pairs
};

// From `sources` distinct random nodes (every node if sources >= size: the
// exact figures over all ordered pairs), each against every other node.
HopStats hop_statistics(const Graph& graph, std::size_t sources, unsigned threads,
                        std::uint64_t seed);

struct DegreeStats {
    std::size_t min = 0, max = 0;
    double mean = 0;
    std::map<std::size_t, std::size_t> histogram;   // degree -> nodes
};

DegreeStats degree_statistics(const Graph& graph);

}  // namespace re6st::sim
