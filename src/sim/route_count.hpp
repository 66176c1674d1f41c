// What babeld would install on one node of the simulated network: with equal
// link costs the selected route to each node is a shortest path in hops, and
// the tunnel it leaves by is what the daemon's route count (babel_dump.hpp,
// count_routes) counts for that tunnel.
#pragma once

#include "sim/graph.hpp"

#include <random>
#include <vector>

namespace re6st::sim {

// Which of several equally short routes a node uses.
enum class TieBreak {
    // The route through the node's oldest link: babeld keeps its selected
    // route until a strictly better one appears, so routes learnt over old
    // tunnels stay where they are when a new tunnel offers the same metric.
    oldest,
    // Each node on the way picks one of its equally close neighbours
    // uniformly at random.
    random,
};

class RouteCounter {
public:
    RouteCounter(const Graph& graph, TieBreak ties);

    // For each link of `source` (in graph.neighbours(source) order), how
    // many other nodes it routes to through that link. `random` is only
    // drawn from with TieBreak::random.
    const std::vector<unsigned>& count(Node source, std::mt19937_64& random);

    // The search behind the last count, for hop statistics.
    const Bfs& search() const { return bfs_; }

private:
    const Graph& graph_;
    TieBreak ties_;
    Bfs bfs_;
    std::vector<unsigned> link_of_;    // per node: index of the source's link its route takes
    std::vector<unsigned> per_link_;
};

}  // namespace re6st::sim
