// re6st-sim's command line: what network to build and what to measure.
// No I/O beyond @FILE option files.
#pragma once

#include "sim/route_count.hpp"

#include <boost/program_options/options_description.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace re6st::sim {

struct SimOptions {
    std::size_t nodes = 0;
    // The original's plain random graph: this many links opened per node,
    // no limit on accepted ones. Unset: the daemon's tunnels.
    std::optional<unsigned> plain_links;
    unsigned connection_count = 20;  // the daemon's --connection-count
    unsigned client_tunnels = 10;    // per node: ceil(connection_count / 2), or plain_links
    unsigned max_clients = 10;       // per server; unlimited_clients for a plain graph
    unsigned refresh_count = 1;      // the daemon's --refresh-count
    unsigned rounds = 0;             // tunnel refreshes of the whole network
    double kill = 0.5;               // fraction of nodes killed in each failure trial
    std::size_t samples = 1000;      // failure trials
    std::size_t sources = 0;         // searches for hop statistics; >= nodes: exact
    TieBreak ties = TieBreak::oldest;
    std::uint64_t seed = 1;
    unsigned threads = 1;
    bool progress = false;           // hop statistics after every round
};

boost::program_options::options_description sim_options_description();

// nullopt for --help. Bad or missing options are re6st::UsageErrors.
// `hardware_threads` is the default for --threads.
std::optional<SimOptions> parse_sim_options(const std::vector<std::string>& args,
                                            unsigned hardware_threads);

}  // namespace re6st::sim
