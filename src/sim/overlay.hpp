// The simulated network's tunnels (docs/re6stnet.rst): each node opens up to
// `client_slots` client tunnels to random peers, and its server accepts at
// most `max_clients` of them. Two nodes are linked by at most one tunnel,
// whichever side opened it, as the daemon skips peers already connected to it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <random>
#include <vector>

namespace re6st::sim {

using Node = std::uint32_t;

inline constexpr unsigned unlimited_clients = std::numeric_limits<unsigned>::max();

class Overlay {
public:
    Overlay(std::size_t nodes, unsigned client_slots, unsigned max_clients);

    std::size_t size() const { return links_.size(); }
    unsigned client_slots() const { return client_slots_; }
    unsigned max_clients() const { return max_clients_; }
    std::size_t tunnel_count() const { return tunnels_; }

    // Peers of u's client tunnels, oldest first.
    const std::vector<Node>& clients(Node u) const { return clients_[u]; }
    // Every tunnel of u, client or server side, oldest first.
    const std::vector<Node>& links(Node u) const { return links_[u]; }
    // Clients u's server accepted.
    unsigned incoming(Node u) const { return incoming_[u]; }

    bool linked(Node a, Node b) const;
    // Whether `client` may open a tunnel to `server` now.
    bool may_open(Node client, Node server) const;

    // Throws std::invalid_argument if !may_open or the client has no free slot.
    void open(Node client, Node server);
    // Throws std::invalid_argument if there is no such client tunnel.
    void close(Node client, Node server);

    // Fills u's free client slots with peers drawn uniformly among those it
    // may open a tunnel to; returns how many slots found none.
    unsigned fill(Node u, std::mt19937_64& random);

private:
    std::optional<Node> random_peer(Node u, std::mt19937_64& random) const;

    unsigned client_slots_;
    unsigned max_clients_;
    std::size_t tunnels_ = 0;
    std::vector<std::vector<Node>> clients_;
    std::vector<std::vector<Node>> links_;
    std::vector<unsigned> incoming_;
};

// Every node fills its free slots, one node after the other in random order;
// returns the slots left free.
std::size_t fill_all(Overlay& overlay, std::mt19937_64& random);

}  // namespace re6st::sim
