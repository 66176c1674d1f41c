// The daemon's options (the original's, plus what a deployment needs; the
// man page is docs/re6stnet.rst), parsed and validated into a Config. Does
// no I/O beyond reading @FILE option files.
#pragma once

#include "common/endpoint.hpp"
#include "common/network_parameters.hpp"
#include "common/options.hpp"

#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <optional>
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
        return std::string(re6st::client_proto(transport));
    }
    bool operator==(const ServerPort&) const = default;
};

struct Config {
    using seconds = std::chrono::seconds;

    std::string registry;                    // public URL of the registry
    std::string ca, cert, key;
    std::string dh;                          // empty: ECDHE only (--dh none)
    std::vector<Endpoint> ip;                // --ip: advertised as is, no UPnP
    std::vector<ServerPort> pp;              // one OpenVPN server each; empty:
                                             // the host's (default_servers)
    seconds peers_db_refresh{3600};
    std::string log_dir = "/var/log";
    std::string state_dir = "/var/lib/re6stnet";
    std::string run_dir = "/run/re6stnet";
    int verbose = 0;                         // 0..3; babeld's table dumps at 3
    std::vector<std::string> lan_interfaces; // -i
    bool wireless = false;
    // The network-wide parameters (--hello, --connection-count...) given on
    // the command line or in an option file; the others follow the
    // registry's configuration (merge_network_parameters).
    NetworkParameters given;
    std::string main_interface = "lo";       // carries the node address
    std::string hook_dir;                    // empty: the default location
    bool upnp = true;                        // only without --ip
    std::vector<std::string> openvpn_args;   // after "--"
    // Where Prometheus metrics are served; none: nowhere.
    std::optional<boost::asio::ip::tcp::endpoint> metrics;
    // --status: ask the daemon of --run for its status, and print it (as
    // JSON with --json); no other option is then required.
    bool status = false;
    bool json = false;
};

// `args` excludes argv[0]. With --status, only --run and --json matter
// (the others may be given, as in the daemon's option file). Throws UsageError with a one-line message naming
// the bad option. The caller handles --help and --version first
// (wants_help, wants_version): they need no other option.
Config parse_config(const std::vector<std::string>& args, const FileReader& read = read_option_file);
bool wants_help(const std::vector<std::string>& args);
bool wants_version(const std::vector<std::string>& args);
std::string config_help();

}  // namespace re6st
