// The OpenVPN command lines.
#include "re6stnet/openvpn/openvpn_command.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

using namespace re6st;
using Argv = std::vector<std::string>;

namespace {

OpenVpnSettings settings()
{
    OpenVpnSettings s;
    s.ca = "/etc/re6stnet/ca.pem";
    s.cert = "/etc/re6stnet/cert.crt";
    s.key = "/etc/re6stnet/cert.key";
    s.hook_dir = "/usr/lib/re6stnet";
    s.management_socket = "/run/re6stnet/openvpn.sock";
    s.ping = std::chrono::seconds(1);
    s.timeout = std::chrono::seconds(3);
    s.tcp_timeout = std::chrono::seconds(15);
    s.extra_args = {"--tun-mtu", "1400"};
    return s;
}

// The values following `option` (up to the next "--" option).
Argv values(const Argv& argv, const std::string& option)
{
    auto found = std::find(argv.begin(), argv.end(), option);
    if (found == argv.end())
        return {"<absent>"};
    Argv out;
    for (auto it = found + 1; it != argv.end() && !it->starts_with("--"); ++it)
        out.push_back(*it);
    return out;
}

}  // namespace

TEST(OpenVpnCommand, Server)
{
    auto argv = openvpn_server_command(settings(), {"re6st-tcp1194", 1194, Transport::tcp, 20, ""});
    EXPECT_EQ(argv[0], "openvpn");
    EXPECT_EQ(values(argv, "--dev-type"), Argv{"tap"});
    EXPECT_EQ(values(argv, "--dev"), Argv{"re6st-tcp1194"});
    EXPECT_EQ(values(argv, "--mode"), Argv{"server"});
    EXPECT_EQ(values(argv, "--tls-server"), Argv{});
    EXPECT_EQ(values(argv, "--dh"), Argv{"none"});
    EXPECT_EQ(values(argv, "--max-clients"), Argv{"20"});
    EXPECT_EQ(values(argv, "--port"), Argv{"1194"});
    EXPECT_EQ(values(argv, "--proto"), Argv{"tcp-server"});
    EXPECT_EQ(values(argv, "--client-connect"), Argv{"/usr/lib/re6stnet/ovpn-server"});
    EXPECT_EQ(values(argv, "--client-disconnect"), Argv{"/usr/lib/re6stnet/ovpn-server"});
    EXPECT_EQ(values(argv, "--up"), Argv{"/usr/lib/re6stnet/ovpn-server"});
    EXPECT_EQ(values(argv, "--user"), Argv{"nobody"});
    EXPECT_EQ(values(argv, "--group"), Argv{"nogroup"});
    EXPECT_EQ(values(argv, "--script-security"), Argv{"2"});
    EXPECT_EQ(values(argv, "--ca"), Argv{"/etc/re6stnet/ca.pem"});
    EXPECT_EQ(values(argv, "--cert"), Argv{"/etc/re6stnet/cert.crt"});
    EXPECT_EQ(values(argv, "--key"), Argv{"/etc/re6stnet/cert.key"});
    EXPECT_EQ(values(argv, "--ping"), Argv{"1"});
    EXPECT_EQ(values(argv, "--tls-timeout"), Argv{"1"});
    // A server drops a silent client; it must not exit itself: 8 s until
    // the client is authenticated, then (set by the client-connect hook)
    // over TCP the TCP timeout, which its clients get too.
    EXPECT_EQ(values(argv, "--ping-restart"), Argv{"8"});
    EXPECT_EQ(values(argv, "--ping-exit"), Argv{"<absent>"});
    EXPECT_EQ(values(argv, "--setenv"), (Argv{"re6st_ping_restart", "15"}));
    EXPECT_EQ(values(argv, "--push"), Argv{"ping-exit 15"});
    EXPECT_EQ(values(argv, "--management"), (Argv{"/run/re6stnet/openvpn.sock", "unix"}));
    EXPECT_EQ(values(argv, "--management-client"), Argv{});
    EXPECT_EQ(values(argv, "--disable-dco"), Argv{});
    EXPECT_EQ(values(argv, "--sndbuf"), Argv{"2097152"});
    EXPECT_EQ(values(argv, "--rcvbuf"), Argv{"2097152"});
    EXPECT_EQ(values(argv, "--persist-tun"), Argv{"<absent>"});   // would hide a dead peer
    // A TCP client sees the connection close when the server stops.
    EXPECT_EQ(values(argv, "--explicit-exit-notify"), Argv{"<absent>"});
    // Extra arguments come last, so they can override.
    EXPECT_EQ(Argv(argv.end() - 2, argv.end()), (Argv{"--tun-mtu", "1400"}));
}

TEST(OpenVpnCommand, UdpServerWithDh)
{
    auto argv = openvpn_server_command(settings(), {"re6st-udp1194", 1194, Transport::udp, 20,
                                                    "/etc/re6stnet/dh2048.pem"});
    EXPECT_EQ(values(argv, "--proto"), Argv{"udp"});
    EXPECT_EQ(values(argv, "--dh"), Argv{"/etc/re6stnet/dh2048.pem"});
    // Until a client is authenticated, the handshake's limit: its TLS
    // handshake waits for resends under loss. Then the client-connect hook
    // sets the UDP limit, and pushes it to the client.
    EXPECT_EQ(values(argv, "--ping-restart"), Argv{"8"});
    EXPECT_EQ(values(argv, "--setenv"), (Argv{"re6st_ping_restart", "3"}));
    EXPECT_EQ(values(argv, "--push"), Argv{"ping-exit 3"});
    // A UDP server that stops tells its clients to end at once.
    EXPECT_EQ(values(argv, "--explicit-exit-notify"), Argv{"1"});
}

// An IPv6 server listens on [::] for IPv6 only: a dual-stack socket would
// take the IPv4 port from the udp or tcp server beside it.
TEST(OpenVpnCommand, Ipv6Servers)
{
    auto udp6 = openvpn_server_command(settings(), {"re6st-6udp1194", 1194, Transport::udp6, 20, ""});
    EXPECT_EQ(values(udp6, "--proto"), Argv{"udp6"});
    EXPECT_EQ(values(udp6, "--bind"), Argv{"ipv6only"});
    EXPECT_EQ(values(udp6, "--dev"), Argv{"re6st-6udp1194"});
    EXPECT_EQ(values(udp6, "--explicit-exit-notify"), Argv{"1"});
    EXPECT_EQ(values(udp6, "--setenv"), (Argv{"re6st_ping_restart", "3"}));

    auto tcp6 = openvpn_server_command(settings(), {"re6st-6tcp1194", 1194, Transport::tcp6, 20, ""});
    EXPECT_EQ(values(tcp6, "--proto"), Argv{"tcp6-server"});
    EXPECT_EQ(values(tcp6, "--bind"), Argv{"ipv6only"});
    EXPECT_EQ(values(tcp6, "--explicit-exit-notify"), Argv{"<absent>"});
    EXPECT_EQ(values(tcp6, "--setenv"), (Argv{"re6st_ping_restart", "15"}));

    for (auto transport : {Transport::udp, Transport::tcp})
        EXPECT_EQ(values(openvpn_server_command(settings(), {"re6st-x", 1194, transport, 20, ""}),
                         "--bind"),
                  Argv{"<absent>"});
}

// Each endpoint's --proto names its family, whatever the peer advertised.
TEST(OpenVpnCommand, ClientReachesIpv6Endpoints)
{
    auto argv = openvpn_client_command(
        settings(), {"re6stnet0",
                     {{"2001:db8::1", 1194, "udp6"}, {"2001:db8::1", 1194, "tcp"},
                      {"2001:db8::1", 1195, "udp"}, {"192.0.2.1", 1194, "tcp"}},
                     "2/16"});
    Argv remotes;
    for (auto it = argv.begin(); it != argv.end(); ++it)
        if (*it == "--remote")
            remotes.insert(remotes.end(), it + 1, it + 4);
    EXPECT_EQ(remotes, (Argv{"2001:db8::1", "1194", "udp6", "2001:db8::1", "1194", "tcp6-client",
                             "2001:db8::1", "1195", "udp6", "192.0.2.1", "1194", "tcp-client"}));
}

TEST(OpenVpnCommand, Client)
{
    auto argv = openvpn_client_command(
        settings(), {"re6stnet3",
                     {{"192.0.2.1", 1194, "udp"}, {"192.0.2.1", 1194, "tcp-client"}},
                     "2/16"});
    EXPECT_EQ(values(argv, "--dev"), Argv{"re6stnet3"});
    EXPECT_EQ(values(argv, "--client"), Argv{});
    EXPECT_EQ(values(argv, "--nobind"), Argv{});
    EXPECT_EQ(values(argv, "--verify-x509-name"), (Argv{"2/16", "name"}));
    EXPECT_EQ(values(argv, "--up"), Argv{"/usr/lib/re6stnet/ovpn-client"});
    EXPECT_EQ(values(argv, "--route-up"), Argv{"/usr/lib/re6stnet/ovpn-client"});
    EXPECT_EQ(values(argv, "--ping"), Argv{"1"});
    EXPECT_EQ(values(argv, "--tls-timeout"), Argv{"1"});
    // Until the server pushes its limit, the handshake's.
    EXPECT_EQ(values(argv, "--ping-exit"), Argv{"8"});
    // The next endpoint is tried before --ping-exit ends the process.
    EXPECT_EQ(values(argv, "--server-poll-timeout"), Argv{"4"});
    // The server sets no route, DNS server or address here.
    EXPECT_EQ(values(argv, "--route-nopull"), Argv{});
    EXPECT_EQ(values(argv, "--pull-filter"), (Argv{"ignore", "ifconfig"}));
    // Its tap outlives a reconnection to a restarted server.
    EXPECT_EQ(values(argv, "--persist-tun"), Argv{});
    EXPECT_EQ(std::count(argv.begin(), argv.end(), "--remote"), 2);
    EXPECT_EQ(values(argv, "--remote"), (Argv{"192.0.2.1", "1194", "udp"}));
    EXPECT_EQ(values(argv, "--mode"), Argv{"<absent>"});
}

TEST(OpenVpnCommand, RejectsWhatOpenVpnWouldRefuseLater)
{
    EXPECT_THROW(openvpn_server_command(
                     settings(), {"re6st-way-too-long-name", 1, Transport::udp, 1, ""}),
                 std::invalid_argument);
    EXPECT_THROW(openvpn_client_command(settings(), {"x", {}, "1/16"}), std::invalid_argument);
}

TEST(OpenVpnCommand, InterfaceNamesFitLinux)
{
    EXPECT_EQ(server_interface(Transport::udp, 1194), "re6st-udp1194");
    EXPECT_LE(server_interface(Transport::tcp, 65535).size(), 15u);
    EXPECT_EQ(server_interface(Transport::udp6, 1194), "re6st-6udp1194");
    EXPECT_EQ(server_interface(Transport::tcp6, 65535), "re6st-6tcp65535");
    // One name per transport and port.
    std::set<std::string> names;
    for (auto transport : {Transport::udp, Transport::tcp, Transport::udp6, Transport::tcp6})
        for (std::uint16_t port : {1, 61, 1194, 11194, 65535}) {
            auto name = server_interface(transport, port);
            EXPECT_LE(name.size(), 15u) << name;
            names.insert(name);
        }
    EXPECT_EQ(names.size(), 20u);
    EXPECT_EQ(client_interface(0), "re6stnet0");
    EXPECT_LE(client_interface(999999).size(), 15u);
}

TEST(OpenVpnCommand, ServerPollTimeoutStaysUnderThePingTimeout)
{
    // {--tunnel-timeout, --server-poll-timeout}: under the handshake's
    // --ping-exit, max(8, --tunnel-timeout).
    for (auto [timeout, poll] : std::vector<std::pair<int, const char*>>{
             {2, "3"}, {3, "4"}, {7, "7"}, {10, "9"}}) {
        auto s = settings();
        s.timeout = std::chrono::seconds(timeout);
        auto argv = openvpn_client_command(s, {"re6stnet0", {{"192.0.2.1", 1194, "udp"}}, "2/16"});
        EXPECT_EQ(values(argv, "--server-poll-timeout"), Argv{poll}) << timeout;
        EXPECT_EQ(values(argv, "--ping-exit"), Argv{std::to_string(std::max(8, timeout))});
    }
}

// Every OpenVPN refuses a peer the registry revoked at the handshake, from
// the directory of serials the daemon keeps; none is given without it.
TEST(OpenVpnCommand, RevokedPeersAreRefusedAtTheHandshake)
{
    auto s = settings();
    s.revoked_dir = "/var/lib/re6stnet/revoked";
    OpenVpnServer server{"re6st-udp1194", 1194, Transport::udp, 10, ""};
    EXPECT_EQ(values(openvpn_server_command(s, server), "--crl-verify"),
              (Argv{"/var/lib/re6stnet/revoked", "dir"}));
    OpenVpnClient client{"re6stnet0", {{"192.0.2.1", 1194, "udp"}}, "2/16"};
    EXPECT_EQ(values(openvpn_client_command(s, client), "--crl-verify"),
              (Argv{"/var/lib/re6stnet/revoked", "dir"}));
    EXPECT_EQ(values(openvpn_server_command(settings(), server), "--crl-verify"),
              Argv{"<absent>"});
}
