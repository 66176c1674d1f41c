// Small hand-made networks with known answers, shared by the simulator's tests.
#pragma once

#include "sim/overlay.hpp"

#include <utility>
#include <vector>

namespace re6st::sim::testing {

// Tunnels opened in the order given ({client, server}), so a node's links
// are oldest first in that order. Servers accept any number of clients.
inline Overlay overlay_of(std::size_t nodes, const std::vector<std::pair<Node, Node>>& tunnels,
                          unsigned client_slots = 4)
{
    Overlay overlay(nodes, client_slots, unlimited_clients);
    for (auto [client, server] : tunnels)
        overlay.open(client, server);
    return overlay;
}

// 0 - 1 - 2 - ... - (n-1) - 0
inline Overlay ring(Node nodes)
{
    std::vector<std::pair<Node, Node>> tunnels;
    for (Node u = 0; u < nodes; ++u)
        tunnels.push_back({u, Node((u + 1) % nodes)});
    return overlay_of(nodes, tunnels);
}

// Node 0 linked to each of the others.
inline Overlay star(Node nodes)
{
    std::vector<std::pair<Node, Node>> tunnels;
    for (Node leaf = 1; leaf < nodes; ++leaf)
        tunnels.push_back({leaf, 0});
    return overlay_of(nodes, tunnels);
}

// A ring 0-1-2-3 and, apart, the pair 4-5.
inline Overlay two_components()
{
    return overlay_of(6, {{0, 1}, {1, 2}, {2, 3}, {3, 0}, {4, 5}});
}

}  // namespace re6st::sim::testing
