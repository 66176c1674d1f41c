// One run of re6st-sim: build the network, measure it, run the tunnel
// refreshes, measure it again; the report goes to `out`.
#pragma once

#include "sim/sim_options.hpp"

#include <ostream>

namespace re6st::sim {

void run_simulation(const SimOptions& options, std::ostream& out);

}  // namespace re6st::sim
