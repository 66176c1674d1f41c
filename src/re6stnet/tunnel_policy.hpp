// The tunnel replacement decision: at each tunnel refresh, when the
// client slots are full, the tunnels that carry the fewest routes give way to
// fresh random peers. Pure, so that the daemon and the network simulator run
// the very same code.
#pragma once

#include <chrono>
#include <random>
#include <string>
#include <vector>

namespace re6st {

struct TunnelUsage {
    std::string peer;      // the peer's binary prefix
    unsigned routes = 0;   // installed routes inside the network through it
    // Not up yet, or up so recently that babeld has not moved routes onto
    // it: its count says nothing yet.
    bool young = false;
};

// Returns the peers whose tunnels to close, fewest routes first: the
// `refresh_count` carrying the fewest routes once `tunnels` fills the
// `slots` (more if it overfills them, none while slots are free). Young
// tunnels go last, whatever their count. Ties are broken at random with
// `random`.
std::vector<std::string> tunnels_to_replace(std::vector<TunnelUsage> tunnels, unsigned slots,
                                            unsigned refresh_count, std::mt19937_64& random);

// The wait before the next tunnel refresh: `period` give or take a quarter,
// at random, so that nodes started together (a site after a power cut) do
// not all replace a tunnel in the same second, refresh after refresh. The
// mean is `period`.
std::chrono::milliseconds refresh_delay(std::chrono::milliseconds period,
                                        std::mt19937_64& random);

}  // namespace re6st
