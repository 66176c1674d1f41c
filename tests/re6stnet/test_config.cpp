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
    EXPECT_EQ(config.pp, (std::vector<ServerPort>{{1194, Transport::udp}, {1194, Transport::tcp}}));
    EXPECT_EQ(config.peers_db_refresh.count(), 3600);
    EXPECT_EQ(config.log_dir, "/var/log");
    EXPECT_EQ(config.state_dir, "/var/lib/re6stnet");
    EXPECT_EQ(config.verbose, 0);
    EXPECT_EQ(config.hello.count(), 15);
    EXPECT_FALSE(config.wireless);
    EXPECT_EQ(config.connection_count, 20u);
    EXPECT_EQ(config.client_count(), 10u);
    EXPECT_EQ(config.refresh_count, 1u);
    EXPECT_EQ(config.tunnel_refresh.count(), 300);
    EXPECT_EQ(config.main_interface, "lo");
    EXPECT_EQ(config.tunnel_ping.count(), 1);
    EXPECT_EQ(config.tunnel_timeout.count(), 3);
    EXPECT_EQ(config.tunnel_tcp_timeout.count(), 15);
    EXPECT_EQ(config.tunnel_hello.count(), 200);
    EXPECT_EQ(config.max_clients, 10u);
    EXPECT_TRUE(config.upnp);
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
    EXPECT_EQ(config.hello.count(), 4);
    EXPECT_EQ(config.client_count(), 3u);
    EXPECT_EQ(config.max_clients, 3u);
    EXPECT_EQ(config.verbose, 2);
}

TEST(Config, MaxClientsCanBeRaised)
{
    EXPECT_EQ(parse_config(with({"--max-clients", "40"}), test::option_files({})).max_clients, 40u);
    EXPECT_EQ(error_of(with({"--max-clients", "0"})), "option '--max-clients' must be at least 1");
}

TEST(Config, TunnelHelloInDecimalSeconds)
{
    for (auto [text, ms] : std::vector<std::pair<std::string, long>>{
             {"0.25", 250}, {"1", 1000}, {".5", 500}, {"2.", 2000}, {"0.075", 75}}) {
        auto config = parse_config(with({"--tunnel-hello", text}), test::option_files({}));
        EXPECT_EQ(config.tunnel_hello.count(), ms) << text;
    }
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
}

TEST(Config, ErrorsNameTheOption)
{
    struct Case { Tokens args; const char* message; };
    for (const auto& c : std::vector<Case>{
             {{}, "the option '--registry' is required but missing"},
             {with({"--pp", "1194"}), "option '--pp' takes 2 values, not 1"},
             {with({"--pp", "0", "udp"}), "option '--pp': bad port '0'"},
             {with({"--pp", "1194", "sctp"}), "option '--pp': protocol must be udp or tcp, not 'sctp'"},
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
    EXPECT_EQ(error_in("interface eth1\ninterface a-very-long-interface-name\n"),
              file + "6: option '--interface': bad interface name 'a-very-long-interface-name'");
}
