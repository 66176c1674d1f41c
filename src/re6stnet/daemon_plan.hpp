// What the daemon will run, decided before anything runs: from the options
// and the node's identity, the settings of each part (the host's
// addressing, every OpenVPN server, the client tunnels, babeld, the peer
// cache refresher) and the files and sockets they use. Pure: no I/O, so a
// test reads the whole plan.
#pragma once

#include "common/url.hpp"
#include "re6stnet/babel/babeld_command.hpp"
#include "re6stnet/config.hpp"
#include "re6stnet/host_network.hpp"
#include "re6stnet/network_setup.hpp"
#include "re6stnet/node_identity.hpp"
#include "re6stnet/openvpn/openvpn_command.hpp"
#include "re6stnet/peer_refresher.hpp"
#include "re6stnet/tunnel_manager.hpp"

#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace re6st {

struct DaemonPlan {
    struct Server {
        OpenVpnServer openvpn;
        std::string log_file;
    };

    NodeIdentity identity;
    Url registry;                          // public URL
    std::string log_dir, state_dir, run_dir;
    std::string peer_db;                   // the peer cache
    std::string management_socket;         // every OpenVPN child connects here
    std::string control_socket;            // re6stnet --status asks here
    std::optional<boost::asio::ip::tcp::endpoint> metrics;   // --metrics
    NodeAddressing addressing;
    std::vector<Server> servers;
    TunnelManager::Settings tunnels;
    BabeldSettings babeld;
    std::string babeld_log;
    PeerRefresher::Settings refresher;
    std::vector<Endpoint> advertised;      // --ip: as is, no UPnP
    std::vector<ServerPort> ports;         // --pp or default_servers; UPnP maps the IPv4 ones
    std::string underlay_ipv6;             // without --ip, declared from the start
    bool upnp = false;
    std::set<std::string> lan_interfaces;  // whose routes name peers on the LAN
    // The network-wide parameters given as options, which override the
    // network's, and those the node runs with (every one set).
    NetworkParameters given, network;
    std::string network_config;            // the last good one from the registry
};

// With the network-wide parameters of the options and the defaults (see
// plan_network). Without --pp, the servers fit `host`: IPv6 ones when it
// has an underlay IPv6 address. The client tunnels try only the endpoint
// families `host` can reach. Throws UsageError naming the option at fault
// (a bad --registry URL).
DaemonPlan plan_daemon(const Config& config, const NodeIdentity& identity,
                       const std::string& hook_dir, const HostNetwork& host = {});

// Makes `effective` (every parameter set, as merge_network_parameters gives
// them) the node's: each server's max-clients, the client slots, the
// OpenVPN keepalive and timeouts, babeld's hellos, the tunnel refresh.
// babeld's list of taps only grows: a tap of a slot no longer wanted may
// still be up, its tunnel closing.
void plan_network(DaemonPlan& plan, const NetworkParameters& effective);

}  // namespace re6st
