// re6st-sim: the large-network simulator (docs/performance.rst, "Network
// simulation"). Exit status: 0 done, 2 bad command line.
#include "common/options.hpp"
#include "sim/sim_options.hpp"
#include "sim/simulation.hpp"

#include <iostream>
#include <thread>

int main(int argc, char** argv)
{
    using namespace re6st;
    try {
        auto options = sim::parse_sim_options({argv + 1, argv + argc},
                                              std::thread::hardware_concurrency());
        if (!options) {
            std::cout
                << "Usage: re6st-sim [options] N\n"
                   "Simulates a network of N re6stnet nodes: each opens random client tunnels\n"
                   "as the daemon does, then R tunnel refreshes run the daemon's own\n"
                   "replacement decision on route counts from shortest paths. Reports hop\n"
                   "counts, node degrees, and the chance that two nodes cannot reach each\n"
                   "other once a fraction of the nodes is killed; before and after the rounds.\n"
                   "\n"
                   "Examples:\n"
                   "  re6st-sim 2000 --rounds 100 --samples 100000\n"
                   "  re6st-sim 102400 --plain 10 --samples 0\n"
                << sim::sim_options_description();
            return 0;
        }
        sim::run_simulation(*options, std::cout);
        return 0;
    } catch (const UsageError& error) {
        std::cerr << "re6st-sim: " << error.what() << " (see re6st-sim --help)\n";
        return 2;
    } catch (const std::exception& error) {
        std::cerr << "re6st-sim: " << error.what() << "\n";
        return 1;
    }
}
