// The tunnel replacement decision.
#include "re6stnet/tunnel_policy.hpp"

#include <algorithm>
#include <utility>

namespace re6st {

std::chrono::milliseconds refresh_delay(std::chrono::milliseconds period,
                                        std::mt19937_64& random)
{
    auto quarter = period.count() / 4;
    std::uniform_int_distribution<std::chrono::milliseconds::rep> spread(-quarter, quarter);
    return period + std::chrono::milliseconds(spread(random));
}

std::vector<std::string> tunnels_to_replace(std::vector<TunnelUsage> tunnels, unsigned slots,
                                            unsigned refresh_count, std::mt19937_64& random)
{
    std::size_t in_use = tunnels.size();
    if (in_use + refresh_count <= slots)
        return {};
    std::size_t kill = std::min(in_use, in_use + refresh_count - slots);

    // Shuffle first so that a stable sort leaves equal counts in random order.
    std::shuffle(tunnels.begin(), tunnels.end(), random);
    std::stable_sort(tunnels.begin(), tunnels.end(),
                     [](const TunnelUsage& a, const TunnelUsage& b) {
                         return std::pair(a.young, a.routes) < std::pair(b.young, b.routes);
                     });
    std::vector<std::string> peers;
    for (std::size_t i = 0; i < kill; ++i)
        peers.push_back(tunnels[i].peer);
    return peers;
}

}  // namespace re6st
