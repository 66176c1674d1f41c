// The daemon's tunnel refresh (docs/re6stnet.rst) played by every node of the
// simulated network: each node counts the routes its client tunnels carry,
// asks the daemon's own decision, re6st::tunnels_to_replace, which to close,
// and refills the freed slots with random peers.
#pragma once

#include "sim/overlay.hpp"
#include "sim/route_count.hpp"
#include "sim/statistics.hpp"

#include <cstdint>
#include <random>
#include <vector>

namespace re6st::sim {

struct ReplacementSettings {
    unsigned refresh_count = 1;     // the daemon's --refresh-count
    TieBreak ties = TieBreak::oldest;
    unsigned threads = 1;
    std::uint64_t seed = 0;         // for random route ties
};

struct Tunnel {
    Node client = 0, server = 0;
    bool operator==(const Tunnel&) const = default;
};

struct Decisions {
    std::vector<Tunnel> close;      // by client, in node order
    HopStats hops;                  // exact, of the graph decided on
};

// Every node decides on the same `graph` (a snapshot of `overlay`). `round`
// numbers the random route ties; `random` feeds the policy's own tie breaks.
Decisions decide_replacements(const Overlay& overlay, const Graph& graph,
                              const ReplacementSettings& settings, std::uint64_t round,
                              std::mt19937_64& random);

struct RoundOutcome {
    std::size_t closed = 0;
    std::size_t left_free = 0;      // slots no peer could fill afterwards
    HopStats hops_before;
};

// One refresh of the whole network: every node decides on the same snapshot,
// the chosen tunnels close, then the nodes refill their free slots one after
// the other in random order.
RoundOutcome replacement_round(Overlay& overlay, const ReplacementSettings& settings,
                               std::uint64_t round, std::mt19937_64& random);

}  // namespace re6st::sim
