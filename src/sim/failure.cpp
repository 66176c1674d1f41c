// Connectivity once nodes die.
#include "sim/failure.hpp"

#include "sim/parallel.hpp"
#include "sim/random.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace re6st::sim {

namespace {

enum Stream : std::uint64_t { kill_trial = 2 };

}  // namespace

std::vector<std::size_t> component_sizes(const Graph& graph, const std::vector<char>& alive)
{
    std::vector<char> seen(graph.size(), 0);
    std::vector<Node> stack;
    std::vector<std::size_t> sizes;
    for (Node start = 0; start < graph.size(); ++start) {
        if (!alive[start] || seen[start])
            continue;
        std::size_t size = 0;
        seen[start] = 1;
        stack.push_back(start);
        while (!stack.empty()) {
            Node u = stack.back();
            stack.pop_back();
            ++size;
            for (Node v : graph.neighbours(u))
                if (alive[v] && !seen[v]) {
                    seen[v] = 1;
                    stack.push_back(v);
                }
        }
        sizes.push_back(size);
    }
    return sizes;
}

double cut_pair_fraction(const std::vector<std::size_t>& sizes)
{
    // Integers up to n^2: exact for any network that fits in memory.
    std::uint64_t n = std::accumulate(sizes.begin(), sizes.end(), std::uint64_t(0));
    if (n < 2)
        return 0.0;
    std::uint64_t together = 0;
    for (std::uint64_t s : sizes)
        together += s * (s - 1);
    return double(n * (n - 1) - together) / double(n * (n - 1));
}

double isolation_estimate(const DegreeStats& degrees, std::size_t nodes, std::size_t dead)
{
    std::size_t survivors = nodes - dead;
    if (survivors < 2)
        return 0.0;
    double alone = 0;   // expected isolated survivors
    for (auto [degree, count] : degrees.histogram) {
        double all_dead = 1;
        for (std::size_t i = 0; i < degree; ++i)
            all_dead *= i < dead ? double(dead - i) / double(nodes - 1 - i) : 0.0;
        alone += double(count) * double(survivors) / double(nodes) * all_dead;
    }
    // Each cuts n - 1 of the n (n - 1) / 2 pairs.
    return alone * 2 / double(survivors);
}

FailureStats failure_statistics(const Graph& graph, double fraction, std::size_t trials,
                                unsigned threads, std::uint64_t seed)
{
    if (!(fraction >= 0 && fraction < 1))
        throw std::invalid_argument("the fraction of nodes killed must be in [0, 1)");
    FailureStats stats;
    stats.dead = std::size_t(std::llround(fraction * double(graph.size())));
    stats.trials = trials;
    std::vector<double> cut(trials);
    parallel_for(trials, threads, [&](std::size_t begin, std::size_t end) {
        std::vector<Node> nodes(graph.size());
        std::vector<char> alive(graph.size());
        for (std::size_t trial = begin; trial < end; ++trial) {
            auto random = random_stream(seed, kill_trial, trial);
            std::iota(nodes.begin(), nodes.end(), Node(0));
            std::fill(alive.begin(), alive.end(), 1);
            // The first `dead` places of a partial Fisher-Yates shuffle.
            for (std::size_t i = 0; i < stats.dead; ++i) {
                std::uniform_int_distribution<std::size_t> pick(i, nodes.size() - 1);
                std::swap(nodes[i], nodes[pick(random)]);
                alive[nodes[i]] = 0;
            }
            cut[trial] = cut_pair_fraction(component_sizes(graph, alive));
        }
    });
    double sum = 0;
    for (double value : cut) {
        sum += value;
        stats.worst = std::max(stats.worst, value);
        stats.cut_trials += value > 0;
    }
    if (trials) {
        double n = double(trials);
        stats.mean = sum / n;
        double squares = 0;
        for (double value : cut)
            squares += (value - stats.mean) * (value - stats.mean);
        stats.std_error = trials > 1 ? std::sqrt(squares / (n - 1) / n) : 0.0;
    }
    return stats;
}

}  // namespace re6st::sim
