// Routes per link on the simulated network.
#include "sim/route_count.hpp"

#include <algorithm>
#include <limits>

namespace re6st::sim {

RouteCounter::RouteCounter(const Graph& graph, TieBreak ties)
    : graph_(graph), ties_(ties), bfs_(graph), link_of_(graph.size())
{
}

const std::vector<unsigned>& RouteCounter::count(Node source, std::mt19937_64& random)
{
    bfs_.run(source);
    auto links = graph_.neighbours(source);
    per_link_.assign(links.size(), 0);
    for (unsigned i = 0; i < links.size(); ++i)
        link_of_[links[i]] = i;

    // A node's route leaves by the link its chosen predecessor's route
    // leaves by; predecessors come first in BFS order, so theirs is known.
    const auto& order = bfs_.order();
    for (std::size_t at = 1; at < order.size(); ++at) {
        Node w = order[at];
        unsigned closer = bfs_.distance(w) - 1;
        if (closer == 0)
            continue;   // a neighbour: its own link
        unsigned chosen = std::numeric_limits<unsigned>::max();
        unsigned seen = 0;
        for (Node x : graph_.neighbours(w)) {
            if (bfs_.distance(x) != closer)
                continue;
            if (ties_ == TieBreak::oldest) {
                chosen = std::min(chosen, link_of_[x]);
            } else if (std::uniform_int_distribution<unsigned>(0, seen++)(random) == 0) {
                chosen = link_of_[x];   // reservoir sampling: uniform over predecessors
            }
        }
        link_of_[w] = chosen;
    }
    for (std::size_t at = 1; at < order.size(); ++at)
        ++per_link_[link_of_[order[at]]];
    return per_link_;
}

}  // namespace re6st::sim
