// Command lines of the OpenVPN processes (OpenVPN 2.6, TAP): one server per
// --pp, one client per tunnel to a peer. Pure: argv vectors, no process.
#pragma once

#include "common/endpoint.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace re6st {

// OpenVPN drops root for this user and group once its device is open; the
// hook scripts then run as them.
inline constexpr const char* openvpn_user = "nobody";
inline constexpr const char* openvpn_group = "nogroup";

// What every OpenVPN process of the node shares.
struct OpenVpnSettings {
    std::string program = "openvpn";
    std::string ca, cert, key;
    std::string hook_dir;            // ovpn-server and ovpn-client live here
    std::string management_socket;   // the daemon listens; OpenVPN connects
    std::string revoked_dir;         // --crl-verify DIR dir (revoked_dir.hpp)
    std::chrono::seconds ping{1};      // keepalive interval
    std::chrono::seconds timeout{3};   // silence that ends a tunnel
    std::chrono::seconds tcp_timeout{15};   // the same over TCP
    int verbosity = 0;               // the daemon's -v
    std::vector<std::string> extra_args;
};

struct OpenVpnServer {
    std::string interface;   // at most 15 characters
    std::uint16_t port = 0;
    Transport transport = Transport::udp;
    unsigned max_clients = 0;
    std::string dh;          // empty: ECDHE only
};

struct OpenVpnClient {
    std::string interface;
    std::vector<Endpoint> endpoints;   // tried in order
    std::string peer_cn;               // the server must present this CN
};

std::vector<std::string> openvpn_server_command(const OpenVpnSettings& settings,
                                                const OpenVpnServer& server);
std::vector<std::string> openvpn_client_command(const OpenVpnSettings& settings,
                                                const OpenVpnClient& client);

// Interface names: "re6st-udp1194" or "re6st-6udp1194" (IPv6) for a
// server, 15 characters at most, "re6stnet3" for client slot 3.
std::string server_interface(Transport transport, std::uint16_t port);
std::string client_interface(unsigned slot);

}  // namespace re6st
