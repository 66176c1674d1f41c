// Command lines of the OpenVPN processes.
#include "re6stnet/openvpn_command.hpp"

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
        // DCO does not support TAP devices (SPEC D.1).
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
        // With the kernel's default 208 KiB UDP socket buffers, OpenVPN drops
        // packets inside the tunnel under load and TCP over it retransmits
        // tens of thousands of segments; 2 MiB buffers remove the drops
        // (docs/performance.rst, "The data plane").
        "--sndbuf", "2097152",
        "--rcvbuf", "2097152",
    };
    return argv;
}

// Whole seconds, as OpenVPN counts: at least 1, and under the timeout.
std::chrono::seconds server_poll_timeout(std::chrono::seconds timeout)
{
    return std::max(std::chrono::seconds(1), timeout - std::chrono::seconds(1));
}

}  // namespace

std::string server_interface(const std::string& proto, std::uint16_t port)
{
    return "re6st-" + proto + std::to_string(port);
}

std::string client_interface(unsigned slot)
{
    return "re6stnet" + std::to_string(slot);
}

std::vector<std::string> openvpn_server_command(const OpenVpnSettings& settings,
                                                const OpenVpnServer& server)
{
    if (server.proto != "udp" && server.proto != "tcp")
        throw std::invalid_argument("bad server protocol '" + server.proto + "'");
    auto argv = common_arguments(settings, server.interface);
    auto hook = settings.hook_dir + "/ovpn-server";
    argv.insert(argv.end(), {
        "--tls-server",
        "--mode", "server",
        "--dh", server.dh.empty() ? "none" : server.dh,
        "--max-clients", std::to_string(server.max_clients),
        "--port", std::to_string(server.port),
        "--proto", server.proto == "tcp" ? "tcp-server" : "udp",
        "--up", hook,
        "--client-connect", hook,
        "--client-disconnect", hook,
    });
    // Per client: a silent one is dropped and reported disconnected. Over
    // TCP a lost segment holds back everything after it for as long as TCP
    // takes to send it again, seconds under heavy loss: a longer silence is
    // allowed there, and pushed to the clients, whose own --ping-exit is for
    // UDP (the endpoint they use is only known once connected).
    if (server.proto == "tcp") {
        auto timeout = std::to_string(settings.tcp_timeout.count());
        argv.insert(argv.end(), {"--ping-restart", timeout, "--push", "ping-exit " + timeout});
    } else {
        argv.insert(argv.end(), {"--ping-restart", std::to_string(settings.timeout.count())});
    }
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
        // The server must be the peer we meant to reach (SPEC B.1).
        "--verify-x509-name", client.peer_cn, "name",
        // Try each endpoint once, then give up: the daemon picks another peer.
        "--connect-retry-max", "1",
        // A silent peer ends the process, which deletes the tap: babeld
        // retracts the routes through it at once (SPEC D.5).
        "--ping-exit", std::to_string(settings.timeout.count()),
        // A server that has not answered at all by then is given up for the
        // next endpoint (TCP after UDP: UDP may be filtered). OpenVPN checks
        // --ping-exit first, so this must be shorter or no other endpoint
        // would ever be tried.
        "--server-poll-timeout", std::to_string(server_poll_timeout(settings.timeout).count()),
        "--up", hook,
        "--route-up", hook,
    });
    for (const auto& endpoint : client.endpoints)
        argv.insert(argv.end(), {"--remote", endpoint.ip, std::to_string(endpoint.port),
                                 endpoint.proto});
    argv.insert(argv.end(), settings.extra_args.begin(), settings.extra_args.end());
    return argv;
}

}  // namespace re6st
