// The daemon's options (the original's, plus what a deployment needs; the
// man page is docs/re6stnet.rst), parsed and validated into a Config. Does
// no I/O beyond reading @FILE option files.
#pragma once

#include "common/endpoint.hpp"
#include "common/options.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace re6st {

struct ServerPort {
    std::uint16_t port = 0;
    Transport transport = Transport::udp;

    // What a client passes to OpenVPN's --proto to reach this server.
    std::string client_proto() const
    {
        return transport == Transport::tcp ? "tcp-client" : "udp";
    }
    bool operator==(const ServerPort&) const = default;
};

struct Config {
    using seconds = std::chrono::seconds;

    std::string registry;                    // public URL of the registry
    std::string ca, cert, key;
    std::string dh;                          // empty: ECDHE only (--dh none)
    std::vector<Endpoint> ip;                // --ip: advertised as is, no UPnP
    std::vector<ServerPort> pp;              // one OpenVPN server each
    seconds peers_db_refresh{3600};
    std::string log_dir = "/var/log";
    std::string state_dir = "/var/lib/re6stnet";
    std::string run_dir = "/run/re6stnet";
    int verbose = 0;                         // 0..3; babeld's table dumps at 3
    std::vector<std::string> lan_interfaces; // -i
    seconds hello{15};                       // babeld hello interval on LANs
    // Failure detection on tunnels (see tunnel_ping etc. in --help): OpenVPN
    // keepalives, the silence after which a tunnel is torn down, and babeld's
    // hello interval on taps, whose hellos also keep OpenVPN's timer fed.
    seconds tunnel_ping{1};
    seconds tunnel_timeout{3};
    seconds tunnel_tcp_timeout{15};          // over TCP, where a loss stalls
    std::chrono::milliseconds tunnel_hello{200};
    bool wireless = false;
    unsigned connection_count = 20;
    unsigned max_clients = 10;               // per server; ceil(connection_count / 2)
    unsigned refresh_count = 1;
    seconds tunnel_refresh{300};
    std::string main_interface = "lo";       // carries the node address
    std::string hook_dir;                    // empty: the default location
    bool upnp = true;                        // only without --ip
    std::vector<std::string> openvpn_args;   // after "--"

    // Client tunnels opened to random peers: ceil(connection_count / 2).
    unsigned client_count() const { return (connection_count + 1) / 2; }
};

// `args` excludes argv[0]. Throws UsageError with a one-line message naming
// the bad option. The caller handles --help and --version first
// (wants_help, wants_version): they need no other option.
Config parse_config(const std::vector<std::string>& args, const FileReader& read = read_option_file);
bool wants_help(const std::vector<std::string>& args);
bool wants_version(const std::vector<std::string>& args);
std::string config_help();

}  // namespace re6st
