// The daemon's report of its tunnels to the registry, for the map of the
// mesh: which peers, and when (TunnelReporter decides).
#include "common/prefix.hpp"
#include "re6stnet/daemon.hpp"

namespace re6st {

std::set<std::string> Daemon::tunnel_peers() const
{
    std::set<std::string> peers;
    for (const auto& tunnel : tunnels_->views())
        if (tunnel.state == TunnelManager::View::State::up)
            peers.insert(cn_from_bits(tunnel.peer));
    for (const auto& server : servers_)
        for (const auto& client : server->clients)
            peers.insert(client.first);
    return peers;
}

void Daemon::report_tunnels()
{
    if (stopping_)
        return;
    // Over the overlay, as getNetworkConfig once a tunnel is up.
    reporter_->run(services_.clock.now(), tunnel_peers(), network_config_->private_url());
}

}  // namespace re6st
