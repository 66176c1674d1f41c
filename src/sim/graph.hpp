// The routing view of the overlay: babeld runs over every tunnel both ways,
// so routes follow an undirected graph. Stored compactly (one array of
// neighbours) because every statistic is a breadth-first search over it.
#pragma once

#include "sim/overlay.hpp"

#include <limits>
#include <span>
#include <vector>

namespace re6st::sim {

class Graph {
public:
    // A snapshot of `overlay`: each node's neighbours in the order of its
    // links, oldest first.
    explicit Graph(const Overlay& overlay);

    std::size_t size() const { return offsets_.size() - 1; }
    std::size_t edge_count() const { return neighbours_.size() / 2; }
    std::span<const Node> neighbours(Node u) const
    {
        return {neighbours_.data() + offsets_[u], neighbours_.data() + offsets_[u + 1]};
    }
    std::size_t degree(Node u) const { return offsets_[u + 1] - offsets_[u]; }

private:
    std::vector<std::size_t> offsets_;
    std::vector<Node> neighbours_;
};

inline constexpr unsigned unreachable = std::numeric_limits<unsigned>::max();

// Hop distances from one node; the buffers are kept across searches, so one
// Bfs per thread serves every source.
class Bfs {
public:
    explicit Bfs(const Graph& graph);

    void run(Node source);

    const Graph& graph() const { return graph_; }
    unsigned distance(Node v) const { return distance_[v]; }   // or `unreachable`
    // The nodes reached, by non-decreasing distance; the source first.
    const std::vector<Node>& order() const { return order_; }

private:
    const Graph& graph_;
    std::vector<unsigned> distance_;
    std::vector<Node> order_;
};

}  // namespace re6st::sim
