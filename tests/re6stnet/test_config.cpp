// The daemon's options (SPEC A.5).
#include "re6stnet/config.hpp"

#include "support/option_files.hpp"

#include <gtest/gtest.h>

#include <map>

using namespace re6st;
using Tokens = std::vector<std::string>;

namespace {

const Tokens required{"--registry", "http://192.0.2.42/", "--ca", "ca.pem", "--cert",
                      "cert.crt", "--key", "cert.key"};

Tokens with(Tokens extra)
{
    Tokens args = required;
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
}

std::string error_of(const Tokens& args)
{
    try {
        parse_config(args, test::option_files({}));
    } catch (const UsageError& error) {
        return error.what();
    }
    return "<accepted>";
}

}  // namespace

TEST(Config, DefaultsOfTheOriginal)
{
    auto config = parse_config(required, test::option_files({}));
    EXPECT_EQ(config.registry, "http://192.0.2.42/");
    EXPECT_EQ(config.dh, "");
    EXPECT_TRUE(config.ip.empty());
    // The plan chooses the servers from the host's addresses.
    EXPECT_TRUE(config.pp.empty());
    EXPECT_EQ(config.peers_db_refresh.count(), 3600);
    EXPECT_EQ(config.log_dir, "/var/log");
    EXPECT_EQ(config.state_dir, "/var/lib/re6stnet");
    EXPECT_EQ(config.verbose, 0);
    EXPECT_FALSE(config.wireless);
    EXPECT_EQ(config.main_interface, "lo");
    EXPECT_TRUE(config.upnp);
    // No network-wide parameter given: the network's apply, else the defaults.
    EXPECT_EQ(config.given, NetworkParameters());
    EXPECT_TRUE(config.openvpn_args.empty());
}

TEST(Config, FromAnOptionFileWrittenByReConf)
{
    auto config = parse_config(
        {"@/etc/re6stnet/re6stnet.conf", "-v", "2"},
        test::option_files({{"/etc/re6stnet/re6stnet.conf",
                "# written by re6st-conf\n"
                "registry http://192.0.2.42:9080/\n"
                "ca /etc/re6stnet/ca.pem\ncert /etc/re6stnet/cert.crt\n"
                "key /etc/re6stnet/cert.key\ndh /etc/re6stnet/dh2048.pem\n"
                "ip 192.0.2.5 1194 udp\nip 192.0.2.5 1194 tcp\n"
                "pp 1194 udp\npp 1194 tcp-server\n"
                "interface eth1\ninterface eth2\nhello 4\nconnection-count 5\n"}}));
    EXPECT_EQ(config.dh, "/etc/re6stnet/dh2048.pem");
    EXPECT_EQ(config.ip, (std::vector<Endpoint>{{"192.0.2.5", 1194, "udp"},
                                                {"192.0.2.5", 1194, "tcp"}}));
    EXPECT_EQ(config.pp, (std::vector<ServerPort>{{1194, Transport::udp}, {1194, Transport::tcp}}));
    EXPECT_EQ(config.lan_interfaces, (Tokens{"eth1", "eth2"}));
    NetworkParameters given;
    given.hello = std::chrono::seconds(4);
    given.connection_count = 5;
    EXPECT_EQ(config.given, given);
    EXPECT_EQ(config.verbose, 2);
}

TEST(Config, MaxClientsCanBeRaised)
{
    EXPECT_EQ(parse_config(with({"--max-clients", "40"}), test::option_files({})).given.max_clients,
              40u);
    EXPECT_EQ(error_of(with({"--max-clients", "0"})), "option '--max-clients' must be at least 1");
}

TEST(Config, TunnelHelloInDecimalSeconds)
{
    for (auto [text, ms] : std::vector<std::pair<std::string, long>>{
             {"0.25", 250}, {"1", 1000}, {".5", 500}, {"2.", 2000}, {"0.075", 75}}) {
        auto config = parse_config(with({"--tunnel-hello", text}), test::option_files({}));
        EXPECT_EQ(config.given.tunnel_hello, std::chrono::milliseconds(ms)) << text;
    }
}

// Each network-wide parameter is recorded as given only when it was: on
// the command line or in an option file, even at its default value.
TEST(Config, NetworkParametersGivenAreRecorded)
{
    auto config = parse_config(
        with({"@/etc/re6stnet/local.conf", "--tunnel-refresh", "300", "--config-refresh", "10"}),
        test::option_files({{"/etc/re6stnet/local.conf",
                             "tunnel-ping 2\ntunnel-timeout 6\nrefresh-count 0\n"}}));
    NetworkParameters given;
    given.tunnel_ping = std::chrono::seconds(2);
    given.tunnel_timeout = std::chrono::seconds(6);
    given.refresh_count = 0;
    given.tunnel_refresh = std::chrono::seconds(300);
    given.config_refresh = std::chrono::seconds(10);
    EXPECT_EQ(config.given, given);
}

// What a node runs with: each option given, else the registry's value,
// else the default; max-clients follows the connection-count in effect.
TEST(Config, OptionsOverrideTheNetworkWhichOverridesTheDefaults)
{
    auto config = parse_config(with({"--connection-count", "8", "--hello", "4"}),
                               test::option_files({}));
    NetworkParameters network;
    network.connection_count = 2;
    network.hello = std::chrono::seconds(2);
    network.tunnel_refresh = std::chrono::seconds(60);
    auto effective = merge_network_parameters(config.given, network);
    EXPECT_EQ(effective.connection_count, 8u);                        // given
    EXPECT_EQ(effective.hello, std::chrono::seconds(4));              // given
    EXPECT_EQ(effective.tunnel_refresh, std::chrono::seconds(60));    // the network's
    EXPECT_EQ(effective.tunnel_timeout, std::chrono::seconds(3));     // the default
    EXPECT_EQ(effective.config_refresh, std::chrono::seconds(60));    // the default
    EXPECT_EQ(effective.max_clients, 4u);                             // ceil(8 / 2)
    // With nothing from the network, the defaults.
    EXPECT_EQ(merge_network_parameters(config.given, {}).tunnel_refresh,
              std::chrono::seconds(300));
}

TEST(Config, OpenVpnArgumentsAfterDoubleDash)
{
    auto config = parse_config(with({"--", "--tun-mtu", "1400", "@notafile"}), test::option_files({}));
    EXPECT_EQ(config.openvpn_args, (Tokens{"--tun-mtu", "1400", "@notafile"}));
}

TEST(Config, ServerPortsAdvertiseClientProtocols)
{
    EXPECT_EQ((ServerPort{1194, Transport::tcp}).client_proto(), "tcp-client");
    EXPECT_EQ((ServerPort{1194, Transport::udp}).client_proto(), "udp");
    EXPECT_EQ((ServerPort{1194, Transport::udp6}).client_proto(), "udp6");
    EXPECT_EQ((ServerPort{1194, Transport::tcp6}).client_proto(), "tcp6-client");
}

TEST(Config, ServersAndEndpointsOverIpv6)
{
    auto config = parse_config(with({"--pp", "1194", "udp6", "--pp", "1194", "tcp6",
                                     "--pp", "1195", "tcp6-server", "--pp", "1194", "udp",
                                     "--ip", "2001:DB8:0:0::1", "1194", "udp6",
                                     "--ip", "2001:db8::1", "1194", "tcp6-client",
                                     "--ip", "192.0.2.5", "1194", "udp"}),
                               test::option_files({}));
    EXPECT_EQ(config.pp, (std::vector<ServerPort>{{1194, Transport::udp6}, {1194, Transport::tcp6},
                                                  {1195, Transport::tcp6}, {1194, Transport::udp}}));
    EXPECT_EQ(config.ip, (std::vector<Endpoint>{{"2001:db8::1", 1194, "udp6"},
                                                {"2001:db8::1", 1194, "tcp6-client"},
                                                {"192.0.2.5", 1194, "udp"}}));
}

TEST(Config, ErrorsNameTheOption)
{
    struct Case { Tokens args; const char* message; };
    for (const auto& c : std::vector<Case>{
             {{}, "the option '--registry' is required but missing"},
             {with({"--pp", "1194"}), "option '--pp' takes 2 values, not 1"},
             {with({"--pp", "0", "udp"}), "option '--pp': bad port '0'"},
             {with({"--pp", "1194", "sctp"}), "option '--pp': protocol must be udp, tcp, udp6 or tcp6, not 'sctp'"},
             {with({"--pp", "1194", "udp6", "--pp", "1194", "udp6"}), "option '--pp': 1194 udp6 given twice"},
             {with({"--ip", "[2001:db8::1]", "1194", "udp6"}),
              "option '--ip': bad endpoint \"[2001:db8::1],1194,udp6\": write an IPv6 address "
              "without brackets (2001:db8::1,1194,udp6)"},
             {with({"--ip", "192.0.2.5", "1194", "udp6"}),
              "option '--ip': bad endpoint \"192.0.2.5,1194,udp6\": the protocol is for the "
              "other address family"},
             {with({"--pp", "1194", "udp", "--pp", "1194", "udp"}), "option '--pp': 1194 udp given twice"},
             {with({"--ip", "192.0.2.5", "1194", "tcp-server"}),
              "option '--ip': bad endpoint \"192.0.2.5,1194,tcp-server\": unknown protocol"},
             {with({"--hello", "0"}), "option '--hello' must be at least 1"},
             {with({"--connection-count", "0"}), "option '--connection-count' must be at least 1"},
             {with({"--verbose", "4"}), "option '--verbose' must be between 0 and 3"},
             {with({"--tunnel-hello", "0.2.5"}), "option '--tunnel-hello': bad number of seconds '0.2.5'"},
             {with({"--tunnel-hello", "-1"}), "option '--tunnel-hello': bad number of seconds '-1'"},
             {with({"--tunnel-hello", "0.0001"}), "option '--tunnel-hello': bad number of seconds '0.0001'"},
             {with({"--tunnel-hello", "0.01"}), "option '--tunnel-hello' must be between 0.05 and 300 seconds"},
             {with({"--tunnel-timeout", "1"}), "option '--tunnel-timeout' must be at least 2"},
             {with({"--tunnel-timeout", "2", "--tunnel-ping", "2"}),
              "option '--tunnel-timeout' must be longer than '--tunnel-ping'"},
             {with({"--tunnel-timeout", "5", "--tunnel-tcp-timeout", "4"}),
              "option '--tunnel-tcp-timeout' must not be shorter than '--tunnel-timeout'"},
             {with({"--interface", "a-very-long-interface-name"}),
              "option '--interface': bad interface name 'a-very-long-interface-name'"},
             {with({"--config-refresh", "0"}), "option '--config-refresh' must be at least 1"},
             {with({"--refresh-count", "-1"}),
              "option '--refresh-count' must be between 0 and 4294967295"},
             {with({"--connection-count", "-3"}), "option '--connection-count' must be at least 1"},
             // Alone, with the default tunnel-timeout (3 s).
             {with({"--tunnel-ping", "3"}),
              "option '--tunnel-timeout' must be longer than '--tunnel-ping'"},
         })
        EXPECT_EQ(error_of(c.args), c.message);
    EXPECT_NE(error_of(with({"--bogus"})).find("--bogus"), std::string::npos);
    EXPECT_NE(error_of(with({"--hello", "x"})).find("--hello"), std::string::npos);
}

TEST(Config, HelpAndVersionAreRecognisedBeforeParsing)
{
    EXPECT_TRUE(wants_help({"--help"}));
    EXPECT_TRUE(wants_help({"-h"}));
    EXPECT_FALSE(wants_help({"--", "--help"}));
    EXPECT_TRUE(wants_version({"--version"}));
    EXPECT_NE(config_help().find("--connection-count"), std::string::npos);
}

// Each network-wide parameter says the registry's value applies unless it
// is given, and shows the default.
TEST(Config, HelpTellsWhichParametersFollowTheRegistry)
{
    auto help = config_help();
    for (auto name : network_parameter_names()) {
        auto at = help.find("--" + std::string(name));
        ASSERT_NE(at, std::string::npos) << name;
        auto next = help.find("\n  -", at + 1);
        auto entry = help.substr(at, next - at);
        // Boost wraps the text: compare it with its line breaks removed.
        std::string flat;
        for (char c : entry)
            if (c != '\n')
                flat += c;
            else
                flat += ' ';
        std::string words;
        for (std::size_t i = 0; i < flat.size(); ++i)
            if (!(flat[i] == ' ' && i > 0 && flat[i - 1] == ' '))
                words += flat[i];
        EXPECT_NE(words.find("the registry's value applies unless this option is given"),
                  std::string::npos)
            << entry;
    }
    EXPECT_NE(help.find("--tunnel-hello S (=0.2)"), std::string::npos) << help;
    EXPECT_NE(help.find("--config-refresh S (=60)"), std::string::npos) << help;
}

// A value that fails a check in an option file: the file and line come
// first, then the same message as on the command line.
TEST(Config, ErrorsInAnOptionFileNameTheFileAndLine)
{
    auto error_in = [](const std::string& lines) {
        try {
            parse_config({"@/etc/re6stnet/re6stnet.conf"},
                         test::option_files({{"/etc/re6stnet/re6stnet.conf",
                                              "registry http://192.0.2.42:9080/\n"
                                              "ca ca.pem\ncert cert.crt\nkey cert.key\n"
                                                  + lines}}));
        } catch (const UsageError& error) {
            return std::string(error.what());
        }
        return std::string("accepted");
    };
    const std::string file = "/etc/re6stnet/re6stnet.conf:";
    EXPECT_EQ(error_in("# comment\nverbose 7\n"),
              file + "6: option '--verbose' must be between 0 and 3");
    EXPECT_EQ(error_in("hello 0\n"), file + "5: option '--hello' must be at least 1");
    EXPECT_EQ(error_in("pp 1194 udp\npp 0 udp\n"), file + "6: option '--pp': bad port '0'");
    EXPECT_EQ(error_in("pp 1194 udp\npp 1194 udp\n"),
              file + "6: option '--pp': 1194 udp given twice");
    EXPECT_EQ(error_in("ip 192.0.2.5 1194 tcp-server\n"),
              file + "5: option '--ip': bad endpoint \"192.0.2.5,1194,tcp-server\": "
                     "unknown protocol");
    EXPECT_EQ(error_in("tunnel-hello 0.01\n"),
              file + "5: option '--tunnel-hello' must be between 0.05 and 300 seconds");
    EXPECT_EQ(error_in("tunnel-ping 2\ntunnel-timeout 2\n"),
              file + "6: option '--tunnel-timeout' must be longer than '--tunnel-ping'");
    EXPECT_EQ(error_in("interface eth1\ninterface a-very-long-interface-name\n"),
              file + "6: option '--interface': bad interface name 'a-very-long-interface-name'");
}

// --status needs none of the daemon's required options, only --run, and
// reads the daemon's option file for it.
TEST(Config, StatusNeedsOnlyTheRunDirectory)
{
    auto config = parse_config({"--status"}, test::option_files({}));
    EXPECT_TRUE(config.status);
    EXPECT_FALSE(config.json);
    EXPECT_EQ(config.run_dir, "/run/re6stnet");
    config = parse_config({"--status", "--json", "@node.conf"},
                          test::option_files({{"node.conf", "registry http://192.0.2.42/\n"
                                                            "run /tmp/node1\n"}}));
    EXPECT_TRUE(config.json);
    EXPECT_EQ(config.run_dir, "/tmp/node1");
    EXPECT_EQ(error_of(with({"--json"})), "option '--json' goes with '--status'");
}

TEST(Config, MetricsAddress)
{
    EXPECT_FALSE(parse_config(required, test::option_files({})).metrics);
    auto config = parse_config(with({"--metrics", "[::1]:9098"}), test::option_files({}));
    ASSERT_TRUE(config.metrics);
    EXPECT_EQ(config.metrics->port(), 9098);
    EXPECT_TRUE(config.metrics->address().is_v6());
    EXPECT_EQ(error_of(with({"--metrics", "localhost:9098"})),
              "option '--metrics': \"localhost:9098\": not an IPv4 address (an IPv6 one goes in "
              "brackets)");
}
