// One run of re6st-sim.
#include "sim/simulation.hpp"

#include "sim/failure.hpp"
#include "sim/graph.hpp"
#include "sim/overlay.hpp"
#include "sim/random.hpp"
#include "sim/replacement.hpp"
#include "sim/statistics.hpp"

#include <chrono>
#include <cstdio>
#include <string>

namespace re6st::sim {

namespace {

enum Stream : std::uint64_t { build = 10, rounds = 11 };

std::string format(const char* pattern, auto... values)
{
    char text[256];
    std::snprintf(text, sizeof text, pattern, values...);
    return text;
}

class Stopwatch {
public:
    double seconds() const
    {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    }

private:
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

std::string describe_network(const SimOptions& options)
{
    if (options.plain_links)
        return format("plain random graph: %u links opened per node, no limit on links accepted",
                      *options.plain_links);
    return format("re6st tunnels: connection-count %u, so %u client tunnels per node; "
                  "max-clients %u",
                  options.connection_count, options.client_tunnels, options.max_clients);
}

std::string describe_hops(const HopStats& hops, std::size_t nodes)
{
    auto figures = format("avg %.4f, max %u", hops.mean(), hops.max);
    if (hops.sources == nodes)
        return figures + format(" (exact: all %llu ordered pairs)",
                                (unsigned long long)hops.pairs);
    return figures + format(" (sampled: %zu random sources x %zu others = %llu pairs; "
                            "max is a lower bound)",
                            hops.sources, nodes - 1, (unsigned long long)hops.pairs);
}

void report(const SimOptions& options, const Overlay& overlay, std::ostream& out)
{
    Stopwatch watch;
    Graph graph(overlay);
    auto degrees = degree_statistics(graph);
    out << "  degree            "
        << format("min %zu, avg %.2f, max %zu", degrees.min, degrees.mean, degrees.max) << "\n";
    out << "  degree histogram ";
    for (auto [degree, nodes] : degrees.histogram)
        out << " " << degree << ":" << nodes;
    out << "\n";

    // The same seed at every stage: the same sources and the same dead nodes
    // before and after the rounds, so that the stages compare like with like.
    auto hops = hop_statistics(graph, options.sources, options.threads, options.seed);
    out << "  hops              " << describe_hops(hops, graph.size()) << "\n";
    out << "  unreachable pairs "
        << format("%llu of %llu", (unsigned long long)hops.unreachable,
                  (unsigned long long)hops.pairs)
        << "\n";

    if (options.samples) {
        auto failure = failure_statistics(graph, options.kill, options.samples, options.threads,
                                          options.seed);
        out << format("  kill %-12s P(two survivors cut apart) %.3g +- %.2g",
                      format("%g%%", options.kill * 100).c_str(), failure.mean, failure.std_error)
            << format(" (%zu trials of %zu dead, %zu survivors; %zu trials with a cut, "
                      "worst %.3g)",
                      failure.trials, failure.dead, graph.size() - failure.dead,
                      failure.cut_trials, failure.worst)
            << "\n"
            << format("  isolation only    %.3g (expected from the degrees: survivors whose every "
                      "neighbour died)",
                      isolation_estimate(degrees, graph.size(), failure.dead))
            << "\n";
    }
    out << format("  measured in %.2f s", watch.seconds()) << "\n";
}

}  // namespace

void run_simulation(const SimOptions& options, std::ostream& out)
{
    const char* ties = options.ties == TieBreak::oldest ? "oldest link" : "random";
    out << "re6st-sim: " << options.nodes << " nodes; " << describe_network(options) << "\n"
        << format("refresh-count %u, route ties: %s, seed %llu, %u threads", options.refresh_count,
                  ties, (unsigned long long)options.seed, options.threads)
        << "\n\n";

    Stopwatch build_watch;
    Overlay overlay(options.nodes, options.client_tunnels, options.max_clients);
    auto build_random = random_stream(options.seed, build, 0);
    std::size_t left_free = fill_all(overlay, build_random);
    out << format("initial network: %zu tunnels, %zu client slots left free (built in %.2f s)",
                  overlay.tunnel_count(), left_free, build_watch.seconds())
        << "\n";
    report(options, overlay, out);
    if (options.rounds == 0)
        return;

    Stopwatch rounds_watch;
    ReplacementSettings settings{options.refresh_count, options.ties, options.threads,
                                 options.seed};
    auto round_random = random_stream(options.seed, rounds, 0);
    std::size_t replaced = 0;
    for (unsigned round = 1; round <= options.rounds; ++round) {
        auto outcome = replacement_round(overlay, settings, round, round_random);
        replaced += outcome.closed;
        left_free = outcome.left_free;
        if (options.progress)
            out << format("round %u: before it hops avg %.4f, max %u, unreachable pairs %llu; "
                          "%zu tunnels replaced, %zu slots left free",
                          round, outcome.hops_before.mean(), outcome.hops_before.max,
                          (unsigned long long)outcome.hops_before.unreachable, outcome.closed,
                          outcome.left_free)
                << std::endl;
    }
    out << "\n"
        << format("after %u rounds: %zu tunnels, %zu client slots left free, %zu tunnels replaced "
                  "in all (rounds run in %.2f s)",
                  options.rounds, overlay.tunnel_count(), left_free, replaced,
                  rounds_watch.seconds())
        << "\n";
    report(options, overlay, out);
}

}  // namespace re6st::sim
