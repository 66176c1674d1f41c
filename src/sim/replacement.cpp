// The tunnel refresh on the simulated network.
#include "sim/replacement.hpp"

#include "re6stnet/tunnel_policy.hpp"
#include "sim/graph.hpp"
#include "sim/parallel.hpp"
#include "sim/random.hpp"

#include <algorithm>
#include <charconv>
#include <mutex>
#include <stdexcept>
#include <string>

namespace re6st::sim {

namespace {

enum Stream : std::uint64_t { route_ties = 3 };

// The policy names peers as the daemon does, by a string.
std::string peer_name(Node node)
{
    return std::to_string(node);
}

Node peer_node(const std::string& name)
{
    Node node = 0;
    auto [end, error] = std::from_chars(name.data(), name.data() + name.size(), node);
    if (error != std::errc() || end != name.data() + name.size())
        throw std::logic_error("the tunnel policy returned an unknown peer \"" + name + "\"");
    return node;
}

}  // namespace

Decisions decide_replacements(const Overlay& overlay, const Graph& graph,
                              const ReplacementSettings& settings, std::uint64_t round,
                              std::mt19937_64& random)
{
    // Route counts: one search per node, the costly part, spread over threads.
    std::vector<std::vector<TunnelUsage>> usage(overlay.size());
    std::vector<HopStats> per_range;
    std::mutex lock;
    parallel_for(overlay.size(), settings.threads, [&](std::size_t begin, std::size_t end) {
        RouteCounter counter(graph, settings.ties);
        HopStats hops;
        for (Node u = Node(begin); u < end; ++u) {
            auto ties = random_stream(settings.seed, route_ties, round * overlay.size() + u);
            const auto& per_link = counter.count(u, ties);
            hops.add(counter.search());
            auto links = graph.neighbours(u);
            for (Node peer : overlay.clients(u)) {
                auto link = std::find(links.begin(), links.end(), peer) - links.begin();
                usage[u].push_back({peer_name(peer), per_link[link]});
            }
        }
        std::lock_guard guard(lock);
        per_range.push_back(hops);
    });

    Decisions decisions;
    for (const auto& hops : per_range)
        decisions.hops.merge(hops);
    // The policy's own tie breaks draw from one generator, node after node.
    for (Node u = 0; u < overlay.size(); ++u)
        for (const auto& peer : tunnels_to_replace(std::move(usage[u]), overlay.client_slots(),
                                                   settings.refresh_count, random))
            decisions.close.push_back({u, peer_node(peer)});
    return decisions;
}

RoundOutcome replacement_round(Overlay& overlay, const ReplacementSettings& settings,
                               std::uint64_t round, std::mt19937_64& random)
{
    Decisions decisions;
    {
        Graph graph(overlay);
        decisions = decide_replacements(overlay, graph, settings, round, random);
    }
    for (const auto& tunnel : decisions.close)
        overlay.close(tunnel.client, tunnel.server);
    RoundOutcome outcome;
    outcome.closed = decisions.close.size();
    outcome.hops_before = decisions.hops;
    outcome.left_free = fill_all(overlay, random);
    return outcome;
}

}  // namespace re6st::sim
