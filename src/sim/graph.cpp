// The routing view of the overlay.
#include "sim/graph.hpp"

namespace re6st::sim {

Graph::Graph(const Overlay& overlay)
{
    offsets_.reserve(overlay.size() + 1);
    offsets_.push_back(0);
    neighbours_.reserve(2 * overlay.tunnel_count());
    for (Node u = 0; u < overlay.size(); ++u) {
        const auto& links = overlay.links(u);
        neighbours_.insert(neighbours_.end(), links.begin(), links.end());
        offsets_.push_back(neighbours_.size());
    }
}

Bfs::Bfs(const Graph& graph) : graph_(graph), distance_(graph.size(), unreachable)
{
    order_.reserve(graph.size());
}

void Bfs::run(Node source)
{
    for (Node v : order_)
        distance_[v] = unreachable;
    order_.clear();
    distance_[source] = 0;
    order_.push_back(source);
    // order_ doubles as the queue: nodes are appended as they are reached.
    for (std::size_t next = 0; next < order_.size(); ++next) {
        Node u = order_[next];
        unsigned further = distance_[u] + 1;
        for (Node v : graph_.neighbours(u))
            if (distance_[v] == unreachable) {
                distance_[v] = further;
                order_.push_back(v);
            }
    }
}

}  // namespace re6st::sim
