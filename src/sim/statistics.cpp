// Hop counts and degrees.
#include "sim/statistics.hpp"

#include "sim/parallel.hpp"
#include "sim/random.hpp"

#include <algorithm>
#include <mutex>
#include <numeric>

namespace re6st::sim {

namespace {

enum Stream : std::uint64_t { choose_sources = 1 };

}  // namespace

void HopStats::add(const Bfs& search)
{
    const auto& order = search.order();
    std::size_t others = search.graph().size() - 1;
    ++sources;
    pairs += others;
    unreachable += others - (order.size() - 1);
    for (Node v : order)
        total_hops += search.distance(v);
    max = std::max(max, search.distance(order.back()));
}

void HopStats::merge(const HopStats& other)
{
    sources += other.sources;
    pairs += other.pairs;
    unreachable += other.unreachable;
    total_hops += other.total_hops;
    max = std::max(max, other.max);
}

double HopStats::mean() const
{
    std::uint64_t reachable = pairs - unreachable;
    return reachable ? double(total_hops) / double(reachable) : 0.0;
}

HopStats hop_statistics(const Graph& graph, std::size_t sources, unsigned threads,
                        std::uint64_t seed)
{
    std::vector<Node> nodes(graph.size());
    std::iota(nodes.begin(), nodes.end(), Node(0));
    if (sources < nodes.size()) {
        auto random = random_stream(seed, choose_sources, 0);
        std::shuffle(nodes.begin(), nodes.end(), random);
        nodes.resize(sources);
    }
    std::vector<HopStats> per_range;   // integer sums: any merge order gives the same totals
    std::mutex lock;
    parallel_for(nodes.size(), threads, [&](std::size_t begin, std::size_t end) {
        Bfs search(graph);
        HopStats stats;
        for (std::size_t i = begin; i < end; ++i) {
            search.run(nodes[i]);
            stats.add(search);
        }
        std::lock_guard guard(lock);
        per_range.push_back(stats);
    });
    HopStats total;
    for (const auto& stats : per_range)
        total.merge(stats);
    return total;
}

DegreeStats degree_statistics(const Graph& graph)
{
    DegreeStats stats;
    if (graph.size() == 0)
        return stats;
    std::size_t sum = 0;
    stats.min = graph.degree(0);
    for (Node u = 0; u < graph.size(); ++u) {
        std::size_t degree = graph.degree(u);
        stats.min = std::min(stats.min, degree);
        stats.max = std::max(stats.max, degree);
        sum += degree;
        ++stats.histogram[degree];
    }
    stats.mean = double(sum) / double(graph.size());
    return stats;
}

}  // namespace re6st::sim
