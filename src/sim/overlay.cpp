// The simulated network's tunnels.
#include "sim/overlay.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <string>

namespace re6st::sim {

namespace {

void erase_one(std::vector<Node>& nodes, Node node)
{
    // Keeps the order: a link's age decides route ties (route_count.hpp).
    nodes.erase(std::find(nodes.begin(), nodes.end(), node));
}

std::string tunnel_name(Node client, Node server)
{
    return std::to_string(client) + " -> " + std::to_string(server);
}

}  // namespace

Overlay::Overlay(std::size_t nodes, unsigned client_slots, unsigned max_clients)
    : client_slots_(client_slots), max_clients_(max_clients), clients_(nodes), links_(nodes),
      incoming_(nodes, 0)
{
    if (nodes > std::numeric_limits<Node>::max())
        throw std::invalid_argument("too many nodes: " + std::to_string(nodes));
}

bool Overlay::linked(Node a, Node b) const
{
    const auto& links = links_[a];
    return std::find(links.begin(), links.end(), b) != links.end();
}

bool Overlay::may_open(Node client, Node server) const
{
    return client != server && incoming_[server] < max_clients_ && !linked(client, server);
}

void Overlay::open(Node client, Node server)
{
    if (client >= size() || server >= size() || !may_open(client, server))
        throw std::invalid_argument("tunnel " + tunnel_name(client, server) + " not allowed");
    if (clients_[client].size() >= client_slots_)
        throw std::invalid_argument("tunnel " + tunnel_name(client, server) + ": no free slot");
    clients_[client].push_back(server);
    links_[client].push_back(server);
    links_[server].push_back(client);
    ++incoming_[server];
    ++tunnels_;
}

void Overlay::close(Node client, Node server)
{
    if (client >= size() || server >= size()
        || std::find(clients_[client].begin(), clients_[client].end(), server)
               == clients_[client].end())
        throw std::invalid_argument("no tunnel " + tunnel_name(client, server));
    erase_one(clients_[client], server);
    erase_one(links_[client], server);
    erase_one(links_[server], client);
    --incoming_[server];
    --tunnels_;
}

unsigned Overlay::fill(Node u, std::mt19937_64& random)
{
    while (clients_[u].size() < client_slots_) {
        auto peer = random_peer(u, random);
        if (!peer)
            return client_slots_ - unsigned(clients_[u].size());
        open(u, *peer);
    }
    return 0;
}

// Rejection sampling is uniform over the acceptable peers and almost always
// succeeds at once; the full scan keeps it uniform and finite when few or no
// peers are left (small or saturated networks).
std::optional<Node> Overlay::random_peer(Node u, std::mt19937_64& random) const
{
    std::uniform_int_distribution<Node> any(0, Node(size() - 1));
    for (int attempt = 0; attempt < 32; ++attempt) {
        Node peer = any(random);
        if (may_open(u, peer))
            return peer;
    }
    std::vector<Node> acceptable;
    for (Node peer = 0; peer < size(); ++peer)
        if (may_open(u, peer))
            acceptable.push_back(peer);
    if (acceptable.empty())
        return std::nullopt;
    std::uniform_int_distribution<std::size_t> pick(0, acceptable.size() - 1);
    return acceptable[pick(random)];
}

std::size_t fill_all(Overlay& overlay, std::mt19937_64& random)
{
    std::vector<Node> order(overlay.size());
    std::iota(order.begin(), order.end(), Node(0));
    std::shuffle(order.begin(), order.end(), random);
    std::size_t left_free = 0;
    for (Node u : order)
        left_free += overlay.fill(u, random);
    return left_free;
}

}  // namespace re6st::sim
