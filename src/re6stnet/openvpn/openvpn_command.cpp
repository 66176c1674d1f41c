// Command lines of the OpenVPN processes.
#include "re6stnet/openvpn/openvpn_command.hpp"

#include <algorithm>
#include <stdexcept>

namespace re6st {

namespace {

std::string openvpn_verbosity(int verbosity)
{
    // OpenVPN's 3 is its normal level, 5 prints a character per packet; our
    // 0 is warnings only.
    static constexpr const char* levels[] = {"1", "3", "3", "4"};
    return levels[verbosity < 0 ? 0 : verbosity > 3 ? 3 : verbosity];
}

std::vector<std::string> common_arguments(const OpenVpnSettings& settings,
                                          const std::string& interface)
{
    if (interface.empty() || interface.size() > 15)
        throw std::invalid_argument("bad interface name '" + interface + "'");
    std::vector<std::string> argv{
        settings.program,
        "--dev-type", "tap",
        "--dev", interface,
        // DCO does not support TAP devices.
        "--disable-dco",
        "--persist-key",
        "--script-security", "2",
        "--user", openvpn_user,
        "--group", openvpn_group,
        "--ca", settings.ca,
        "--cert", settings.cert,
        "--key", settings.key,
        "--verb", openvpn_verbosity(settings.verbosity),
        // OpenVPN connects to the daemon's management socket and quits when
        // that connection closes: no tunnel outlives a daemon killed with
        // SIGKILL, although dropping privileges cleared PR_SET_PDEATHSIG.
        "--management", settings.management_socket, "unix",
        "--management-client",
        "--ping", std::to_string(settings.ping.count()),
        // A lost TLS handshake packet is sent again after 1 s, then 2, 4, 8 s
        // (OpenVPN doubles the wait), instead of 2, 4, 8, 16 s: handshakes
        // under packet loss end sooner.
        "--tls-timeout", "1",
        // With the kernel's default 208 KiB UDP socket buffers, OpenVPN drops
        // packets inside the tunnel under load and TCP over it retransmits
        // tens of thousands of segments; 2 MiB buffers remove the drops
        // (docs/performance.rst, "The data plane").
        "--sndbuf", "2097152",
        "--rcvbuf", "2097152",
    };
    // Peers whose certificate the registry revoked are refused at the
    // handshake.
    if (!settings.revoked_dir.empty())
        argv.insert(argv.end(), {"--crl-verify", settings.revoked_dir, "dir"});
    return argv;
}

// The silence allowed to a tunnel until it is connected. Its TLS handshake
// sends a lost packet again 1, 3, 7 and 15 s after the first try
// (--tls-timeout 1, doubling): 8 s let four tries and an answer in, as a
// longer wait would, under loss. It is also what a full UDP server costs a
// client: OpenVPN answers a first packet before it looks at --max-clients,
// then drops the rest.
std::chrono::seconds handshake_timeout(const OpenVpnSettings& settings)
{
    return std::max(settings.timeout, std::chrono::seconds(8));
}

// How long a client waits for the first answer from an endpoint before it
// tries the next one: the first packet and two resends (at 1 s and 3 s)
// under the default --tunnel-timeout; under the handshake timeout, which
// would end the process first. Whole seconds, as OpenVPN counts, at least 1.
std::chrono::seconds server_poll_timeout(const OpenVpnSettings& settings)
{
    using std::chrono::seconds;
    return std::max(seconds(1), std::min(settings.timeout + seconds(1),
                                         handshake_timeout(settings) - seconds(1)));
}

std::string server_proto(Transport transport)
{
    switch (transport) {
    case Transport::udp: return "udp";
    case Transport::tcp: return "tcp-server";
    case Transport::udp6: return "udp6";
    case Transport::tcp6: return "tcp6-server";
    }
    return "udp";
}

}  // namespace

std::string server_interface(Transport transport, std::uint16_t port)
{
    // "re6st-udp61" would be both udp6 port 1 and udp port 61: the family
    // goes first, where no digit of the port can reach it.
    std::string protocol = is_tcp(transport) ? "tcp" : "udp";
    std::string family = transport_family(transport) == AddressFamily::ipv6 ? "6" : "";
    return "re6st-" + family + protocol + std::to_string(port);
}

std::string client_interface(unsigned slot)
{
    return "re6stnet" + std::to_string(slot);
}

std::vector<std::string> openvpn_server_command(const OpenVpnSettings& settings,
                                                const OpenVpnServer& server)
{
    auto argv = common_arguments(settings, server.interface);
    auto hook = settings.hook_dir + "/ovpn-server";
    argv.insert(argv.end(), {
        "--tls-server",
        "--mode", "server",
        "--dh", server.dh.empty() ? "none" : server.dh,
        "--max-clients", std::to_string(server.max_clients),
        "--port", std::to_string(server.port),
        "--proto", server_proto(server.transport),
        "--up", hook,
        "--client-connect", hook,
        "--client-disconnect", hook,
    });
    // OpenVPN 2.6 opens a udp6 or tcp6-server socket dual-stack
    // (IPV6_V6ONLY=0): it would also take the port over IPv4 and the udp or
    // tcp server of the same port could not bind. Each family gets its own
    // server, so that both serve port 1194 by default and each counts its
    // clients against its own --max-clients.
    if (transport_family(server.transport) == AddressFamily::ipv6)
        argv.insert(argv.end(), {"--bind", "ipv6only"});
    // Per client: a silent one is dropped and reported disconnected, after
    // --tunnel-timeout, or --tunnel-tcp-timeout over TCP, where a lost
    // segment holds back everything after it for as long as TCP takes to send
    // it again (seconds under heavy loss). Until the client is authenticated
    // the limit is the handshake's: the client-connect hook then sets the
    // client's own (re6st_ping_restart), which it gets pushed as --ping-exit.
    auto established = std::to_string(
        (is_tcp(server.transport) ? settings.tcp_timeout : settings.timeout).count());
    // A server that stops (the daemon replaces it to present a renewed
    // certificate, or quits) tells its UDP clients so: they connect again at
    // once (to its replacement, if any), instead of after --tunnel-timeout
    // of silence. A TCP client sees its connection close anyway.
    if (!is_tcp(server.transport))
        argv.insert(argv.end(), {"--explicit-exit-notify", "1"});
    argv.insert(argv.end(), {
        "--ping-restart", std::to_string(handshake_timeout(settings).count()),
        "--setenv", "re6st_ping_restart", established,
        "--push", "ping-exit " + established,
    });
    argv.insert(argv.end(), settings.extra_args.begin(), settings.extra_args.end());
    return argv;
}

std::vector<std::string> openvpn_client_command(const OpenVpnSettings& settings,
                                                const OpenVpnClient& client)
{
    if (client.endpoints.empty())
        throw std::invalid_argument("no endpoint to connect to");
    auto argv = common_arguments(settings, client.interface);
    auto hook = settings.hook_dir + "/ovpn-client";
    argv.insert(argv.end(), {
        "--client",
        "--nobind",
        // The server must be the peer we meant to reach, not any member
        // of the network.
        "--verify-x509-name", client.peer_cn, "name",
        // Try each endpoint once, then give up: the daemon picks another peer.
        "--connect-retry-max", "1",
        // A silent peer ends the process, which deletes the tap: babeld
        // retracts the routes through it at once, long before babeld
        // would miss its hellos. The server
        // pushes the limit of a connected tunnel (--tunnel-timeout, or
        // --tunnel-tcp-timeout over TCP); through the TLS handshake, which
        // waits for resends under loss, the handshake's holds.
        "--ping-exit", std::to_string(handshake_timeout(settings).count()),
        // A server that has not answered at all by then is given up for the
        // next endpoint (TCP after UDP: UDP may be filtered).
        "--server-poll-timeout", std::to_string(server_poll_timeout(settings).count()),
        // The server may set nothing on this machine but its tunnel's
        // keepalive: no route, DNS server or address, or any node could
        // take over our IPv4 routing (redirect-gateway) or a LAN's subnet.
        "--route-nopull",
        "--pull-filter", "ignore", "ifconfig",
        // A server that restarts (replaced for a renewed certificate) tells
        // its clients to connect again: the tap stays through that, with
        // babeld's neighbour on it. Without it OpenVPN, no longer root,
        // would fail to make a new tap and end.
        "--persist-tun",
        "--up", hook,
        "--route-up", hook,
    });
    // The proto names the endpoint's family: an IPv6 endpoint is reached
    // over udp6 or tcp6-client whatever its peer advertised.
    for (const auto& endpoint : client.endpoints)
        argv.insert(argv.end(), {"--remote", endpoint.ip, std::to_string(endpoint.port),
                                 std::string(client_proto(endpoint.transport()))});
    argv.insert(argv.end(), settings.extra_args.begin(), settings.extra_args.end());
    return argv;
}

}  // namespace re6st
