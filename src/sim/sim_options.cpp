// re6st-sim's command line.
#include "sim/sim_options.hpp"

#include "common/options.hpp"
#include "sim/overlay.hpp"

#include <cmath>
#include <limits>

namespace po = boost::program_options;

namespace re6st::sim {

namespace {

// Up to this size hop statistics are exact by default (a search from every
// node); beyond, this many random sources keep large networks fast.
constexpr std::size_t exact_hops_up_to = 5000;
constexpr std::size_t default_sources = 1000;

unsigned long long bounded(const po::variables_map& values, const char* name,
                           unsigned long long least,
                           unsigned long long most = std::numeric_limits<unsigned>::max())
{
    long long value = values[name].as<long long>();
    if (value < 0 || (unsigned long long)value < least || (unsigned long long)value > most)
        throw UsageError("option '--" + std::string(name) + "' must be between "
                         + std::to_string(least) + " and " + std::to_string(most));
    return (unsigned long long)value;
}

}  // namespace

po::options_description sim_options_description()
{
    po::options_description network("Network");
    network.add_options()
        ("nodes,n", po::value<long long>()->value_name("N"),
         "number of nodes (required; also the first positional argument)")
        ("connection-count", po::value<long long>()->value_name("N")->default_value(20),
         "as the daemon's: each node opens ceil(N/2) client tunnels to random peers")
        ("max-clients", po::value<long long>()->value_name("N"),
         "clients each node's server accepts [ceil(connection-count/2), as the daemon]")
        ("plain", po::value<long long>()->value_name("K"),
         "instead, the original simulation's plain random graph: each node opens K links "
         "to random nodes, with no limit on links accepted (excludes --connection-count "
         "and --max-clients)");
    po::options_description replacement("Tunnel replacement");
    replacement.add_options()
        ("rounds,r", po::value<long long>()->value_name("R")->default_value(0),
         "tunnel refreshes of the whole network, each through the daemon's own decision")
        ("refresh-count", po::value<long long>()->value_name("N")->default_value(1),
         "as the daemon's: tunnels each node replaces per refresh")
        ("ties", po::value<std::string>()->value_name("RULE")->default_value("oldest"),
         "which of equally short routes a node uses: 'oldest' (through its oldest tunnel, "
         "as babeld keeps a selected route until a better one appears) or 'random'");
    po::options_description measures("Measures");
    measures.add_options()
        ("kill", po::value<double>()->value_name("FRACTION")->default_value(0.5),
         "fraction of nodes killed in each failure trial, in [0, 1)")
        ("samples", po::value<long long>()->value_name("S")->default_value(1000),
         "failure trials, each with its own random set of dead nodes")
        ("sources", po::value<long long>()->value_name("S"),
         "random nodes whose hop counts to every other node are measured "
         "[every node, exact, up to 5000 nodes; else 1000]")
        ("progress", po::bool_switch(), "print exact hop counts before every round");
    po::options_description run("Run");
    run.add_options()
        ("seed", po::value<unsigned long long>()->value_name("N")->default_value(1),
         "random seed: the same seed gives the same network and figures")
        ("threads", po::value<long long>()->value_name("N"),
         "threads for searches and trials [the machine's hardware threads]")
        ("help,h", po::bool_switch(), "print this help");
    po::options_description all;
    all.add(network).add(replacement).add(measures).add(run);
    return all;
}

std::optional<SimOptions> parse_sim_options(const std::vector<std::string>& args,
                                            unsigned hardware_threads)
{
    po::positional_options_description positional;
    positional.add("nodes", 1);
    auto line = parse_command_line(args, sim_options_description(), positional);
    const auto& values = line.values;
    if (values["help"].as<bool>())
        return std::nullopt;

    SimOptions options;
    if (!values.count("nodes"))
        throw UsageError("the number of nodes is required: --nodes N");
    options.nodes = bounded(values, "nodes", 2, std::numeric_limits<Node>::max());
    if (values.count("plain")) {
        if (!values["connection-count"].defaulted() || values.count("max-clients"))
            throw UsageError("option '--plain' excludes --connection-count and --max-clients");
        options.plain_links = unsigned(bounded(values, "plain", 1));
        options.client_tunnels = *options.plain_links;
        options.max_clients = unlimited_clients;
    } else {
        options.connection_count = unsigned(bounded(values, "connection-count", 1));
        options.client_tunnels = (options.connection_count + 1) / 2;
        options.max_clients = values.count("max-clients")
                                  ? unsigned(bounded(values, "max-clients", 1))
                                  : options.client_tunnels;
    }
    options.rounds = unsigned(bounded(values, "rounds", 0));
    options.refresh_count = unsigned(bounded(values, "refresh-count", 0));
    auto ties = values["ties"].as<std::string>();
    if (ties == "oldest")
        options.ties = TieBreak::oldest;
    else if (ties == "random")
        options.ties = TieBreak::random;
    else
        throw UsageError("option '--ties' must be 'oldest' or 'random', not '" + ties + "'");

    options.kill = values["kill"].as<double>();
    if (!(options.kill >= 0 && options.kill < 1))
        throw UsageError("option '--kill' must be a fraction in [0, 1)");
    if (options.nodes - std::size_t(std::llround(options.kill * double(options.nodes))) < 2)
        throw UsageError("option '--kill' leaves fewer than 2 nodes alive");
    options.samples = bounded(values, "samples", 0, std::numeric_limits<std::size_t>::max());
    options.sources = values.count("sources")
                          ? bounded(values, "sources", 1, std::numeric_limits<std::size_t>::max())
                          : options.nodes <= exact_hops_up_to ? options.nodes : default_sources;
    options.sources = std::min(options.sources, options.nodes);
    options.progress = values["progress"].as<bool>();

    options.seed = values["seed"].as<unsigned long long>();
    options.threads = values.count("threads") ? unsigned(bounded(values, "threads", 1, 256))
                                              : std::max(1u, hardware_threads);
    return options;
}

}  // namespace re6st::sim
