// re6st-registry's command line: the options, their defaults, and one-line
// errors naming the option (docs/re6st-registry.rst).
#include "registry/registry_options.hpp"

#include "support/option_files.hpp"

#include <gtest/gtest.h>

using namespace re6st;
using namespace re6st::registry;
using namespace std::chrono_literals;
using Args = std::vector<std::string>;

namespace {

const Args required = {"9080", "--db", "r.db", "--ca", "ca.crt", "--key", "ca.key",
                       "--mailhost", "smtp.example.org"};

Args with(Args more)
{
    Args args = required;
    args.insert(args.end(), more.begin(), more.end());
    return args;
}

RegistryOptions parse(const Args& args, std::map<std::string, std::string> files = {})
{
    return parse_registry_options(args, test::option_files(std::move(files))).value();
}

std::string usage_error(const Args& args, std::map<std::string, std::string> files = {})
{
    try {
        parse_registry_options(args, test::option_files(std::move(files)));
    } catch (const UsageError& error) {
        return error.what();
    }
    return "accepted";
}

// 2001:db8:42::/48: node prefixes of up to 79 bits.
const Network network(Ipv6Prefix::parse("2001:db8:42::/48"));

std::string settings_error(const Args& more)
{
    try {
        service_settings(parse(with(more)), network, "registry.example.org");
    } catch (const UsageError& error) {
        return error.what();
    }
    return "accepted";
}

}  // namespace

TEST(RegistryOptions, RequiredOptionsAndDefaults)
{
    auto options = parse(required);
    EXPECT_EQ(options.port, 9080);
    EXPECT_EQ(options.db, "r.db");
    EXPECT_EQ(options.ca, "ca.crt");
    EXPECT_EQ(options.key, "ca.key");
    EXPECT_EQ(options.mailhost, "smtp.example.org");
    EXPECT_FALSE(options.private_address);
    EXPECT_TRUE(options.bootstrap.empty());
    EXPECT_EQ(options.prefix_length, 16u);
    EXPECT_EQ(options.certificate_validity, std::chrono::days(365));
    EXPECT_EQ(options.token_lifetime, 86400s);
    EXPECT_EQ(options.peer_expiry, 86400s);
    EXPECT_EQ(options.grace_period, std::chrono::days(100));
    EXPECT_FALSE(options.mail_from);
    EXPECT_FALSE(options.smtp_starttls);
    EXPECT_FALSE(options.smtp_ca);
    EXPECT_FALSE(options.smtp_user);
    EXPECT_FALSE(options.smtp_password_file);
    EXPECT_EQ(options.smtp_timeout, 30s);
    EXPECT_EQ(options.limits.max_connections, 512u);
    EXPECT_EQ(options.limits.request_timeout, 20s);
    EXPECT_FALSE(options.metrics);
    EXPECT_EQ(options.verbosity, 1);
    EXPECT_EQ(options.network_parameters, merge_network_parameters({}, {}));
}

TEST(RegistryOptions, EveryOption)
{
    auto options = parse(with({"--private", "2001:db8:42::1", "--bootstrap", "0001",
                               "--bootstrap", "1", "--prefix-length", "20",
                               "--certificate-validity", "30", "--token-lifetime", "600",
                               "--peer-expiry", "3600", "--grace-period", "7d",
                               "--mail-from", "re6st@example.org",
                               "--smtp-starttls", "--smtp-ca", "relay.pem", "--smtp-user", "re6st",
                               "--smtp-password-file", "password", "--smtp-timeout", "5",
                               "--max-connections", "8", "--request-timeout", "3",
                               "--metrics", "[::1]:9097", "-v", "3"}));
    EXPECT_EQ(options.private_address, "2001:db8:42::1");
    EXPECT_EQ(options.bootstrap, (Args{"0001", "1"}));
    EXPECT_EQ(options.prefix_length, 20u);
    EXPECT_EQ(options.certificate_validity, std::chrono::days(30));
    EXPECT_EQ(options.token_lifetime, 600s);
    EXPECT_EQ(options.peer_expiry, 3600s);
    EXPECT_EQ(options.grace_period, std::chrono::days(7));
    EXPECT_EQ(options.mail_from, "re6st@example.org");
    EXPECT_TRUE(options.smtp_starttls);
    EXPECT_EQ(options.smtp_ca, "relay.pem");
    EXPECT_EQ(options.smtp_user, "re6st");
    EXPECT_EQ(options.smtp_password_file, "password");
    EXPECT_EQ(options.smtp_timeout, 5s);
    EXPECT_EQ(options.limits.max_connections, 8u);
    EXPECT_EQ(options.limits.request_timeout, 3s);
    EXPECT_EQ(options.metrics,
              boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("::1"), 9097));
    EXPECT_EQ(options.verbosity, 3);
}

// One line naming the option, its value and what is wrong, in an option
// file too.
TEST(RegistryOptions, BadMetricsAddress)
{
    EXPECT_EQ(usage_error(with({"--metrics", "localhost:9097"})),
              "--metrics localhost:9097: not an IPv4 address (an IPv6 one goes in brackets)");
    EXPECT_EQ(usage_error(with({"--metrics", "9097"})), "--metrics 9097: expected ADDRESS:PORT");
    EXPECT_EQ(usage_error({"9080", "@c"}, {{"c", "db r.db\nca a\nkey k\nmailhost m\n"
                                                  "metrics 127.0.0.1:http\n"}}),
              "c:5: --metrics 127.0.0.1:http: the port must be a number from 0 to 65535");
}

// A plain number keeps the unit the option always had: days for the
// certificate validity, seconds for the others.
TEST(RegistryOptions, DurationsWithAUnitOrInTheOptionsOwn)
{
    struct Case {
        const char* option;
        const char* value;
        std::chrono::seconds RegistryOptions::*field;
        std::chrono::seconds expected;
    };
    const Case cases[] = {
        {"--certificate-validity", "30", &RegistryOptions::certificate_validity, 30 * 86400s},
        {"--certificate-validity", "12h", &RegistryOptions::certificate_validity, 12h},
        {"--certificate-validity", "90s", &RegistryOptions::certificate_validity, 90s},
        {"--token-lifetime", "600", &RegistryOptions::token_lifetime, 600s},
        {"--token-lifetime", "10m", &RegistryOptions::token_lifetime, 600s},
        {"--token-lifetime", "0", &RegistryOptions::token_lifetime, 0s},
        {"--peer-expiry", "3600", &RegistryOptions::peer_expiry, 3600s},
        {"--peer-expiry", "2d", &RegistryOptions::peer_expiry, 2 * 86400s},
        {"--grace-period", "86400", &RegistryOptions::grace_period, 86400s},
        {"--grace-period", "365d", &RegistryOptions::grace_period, 365 * 86400s},
        {"--grace-period", "0", &RegistryOptions::grace_period, 0s},
    };
    for (const auto& c : cases)
        EXPECT_EQ(parse(with({c.option, c.value})).*c.field, c.expected)
            << c.option << " " << c.value;
}

TEST(RegistryOptions, BadDurationsNameOptionAndValue)
{
    const std::pair<Args, const char*> cases[] = {
        {with({"--certificate-validity", "0"}), "--certificate-validity 0: must be longer than 0"},
        {with({"--certificate-validity", "0d"}),
         "--certificate-validity 0d: must be longer than 0"},
        {with({"--certificate-validity", "1y"}),
         "--certificate-validity 1y: unknown unit \"y\" (s, m, h or d)"},
        {with({"--token-lifetime", "-1"}), "--token-lifetime -1: negative"},
        {with({"--peer-expiry", "1.5h"}), "--peer-expiry 1.5h: not a whole number"},
        {with({"--grace-period", ""}), "--grace-period : empty"},
        {with({"--grace-period", "400000d"}), "--grace-period 400000d: too long (at most 365000d)"},
    };
    for (const auto& [args, message] : cases)
        EXPECT_EQ(usage_error(args), message);
    EXPECT_EQ(usage_error(with({"@c"}), {{"c", "# the registry\n\ngrace-period 3w\n"}}),
              "c:3: --grace-period 3w: unknown unit \"w\" (s, m, h or d)");
}

TEST(RegistryOptions, NetworkParameters)
{
    auto options = parse(with({"--hello", "4", "--tunnel-hello", "0.5", "--tunnel-timeout", "6",
                               "--tunnel-tcp-timeout", "20", "--tunnel-ping", "2",
                               "--connection-count", "6", "--max-clients", "5",
                               "--tunnel-refresh", "30", "--refresh-count", "0",
                               "--config-refresh", "10"}));
    NetworkParameters expected;
    expected.hello = 4s;
    expected.tunnel_hello = 500ms;
    expected.tunnel_timeout = 6s;
    expected.tunnel_tcp_timeout = 20s;
    expected.tunnel_ping = 2s;
    expected.connection_count = 6;
    expected.max_clients = 5;
    expected.tunnel_refresh = 30s;
    expected.refresh_count = 0;
    expected.config_refresh = 10s;
    EXPECT_EQ(options.network_parameters, expected);
    EXPECT_EQ(service_settings(options, network, "h").network_parameters, expected);
}

// Not given, max-clients is ceil(connection-count/2), as on a node.
TEST(RegistryOptions, MaxClientsFollowsConnectionCount)
{
    for (auto [count, clients] : {std::pair{"1", 1u}, {"2", 1u}, {"7", 4u}, {"20", 10u}})
        EXPECT_EQ(parse(with({"--connection-count", count})).network_parameters.max_clients,
                  clients)
            << count;
    EXPECT_EQ(parse(with({"--connection-count", "7", "--max-clients", "9"}))
                  .network_parameters.max_clients,
              9u);
}

// The nodes' own range rules, each error one line naming option and value.
TEST(RegistryOptions, BadNetworkParametersNameOptionAndValue)
{
    const std::pair<Args, const char*> cases[] = {
        {{"--hello", "0"}, "--hello 0: must be at least 1"},
        {{"--hello", "-3"}, "--hello -3: must be at least 1"},
        {{"--tunnel-hello", "0.01"}, "--tunnel-hello 0.01: must be between 0.05 and 300 seconds"},
        {{"--tunnel-hello", "301"}, "--tunnel-hello 301: must be between 0.05 and 300 seconds"},
        {{"--tunnel-hello", "1e2"}, "--tunnel-hello 1e2: not a number of seconds (decimals allowed)"},
        {{"--tunnel-hello", "0.0001"},
         "--tunnel-hello 0.0001: not a number of seconds (decimals allowed)"},
        {{"--tunnel-timeout", "1"}, "--tunnel-timeout 1: must be at least 2"},
        {{"--tunnel-ping", "3"}, "--tunnel-timeout 3: must be longer than '--tunnel-ping'"},
        {{"--tunnel-timeout", "16"},
         "--tunnel-tcp-timeout 15: must not be shorter than '--tunnel-timeout'"},
        {{"--tunnel-tcp-timeout", "1"}, "--tunnel-tcp-timeout 1: must be at least 2"},
        {{"--tunnel-ping", "0"}, "--tunnel-ping 0: must be at least 1"},
        {{"--connection-count", "0"}, "--connection-count 0: must be at least 1"},
        {{"--connection-count", "-1"}, "--connection-count -1: must not be negative"},
        {{"--connection-count", "4294967296"}, "--connection-count 4294967296: too large"},
        {{"--max-clients", "0"}, "--max-clients 0: must be at least 1"},
        {{"--tunnel-refresh", "0"}, "--tunnel-refresh 0: must be at least 1"},
        {{"--tunnel-refresh", "31536000001"},
         "--tunnel-refresh 31536000001: must be at most 31536000000"},
        {{"--refresh-count", "-1"}, "--refresh-count -1: must not be negative"},
        {{"--config-refresh", "0"}, "--config-refresh 0: must be at least 1"},
        {{"--hello", "15s"}, "the argument ('15s') for option '--hello' is invalid"},
        {{"--connection-count", "2.5"},
         "the argument ('2.5') for option '--connection-count' is invalid"},
    };
    for (const auto& [more, message] : cases)
        EXPECT_EQ(usage_error(with(more)), message);
    EXPECT_EQ(usage_error(with({"@c"}), {{"c", "# network\nconnection-count 6\ntunnel-hello 400\n"}}),
              "c:3: --tunnel-hello 400: must be between 0.05 and 300 seconds");
    for (const char* zero : {"--refresh-count", "--tunnel-refresh"})
        EXPECT_EQ(usage_error(with({zero, "1"})), "accepted") << zero;
}

TEST(RegistryOptions, OptionFileWithThePortByName)
{
    auto options = parse({"@registry.conf"},
                         {{"registry.conf", "# the registry\nport 80\ndb r.db\nca ca.crt\n"
                                            "key ca.key\nmailhost /var/mail/re6st\n"}});
    EXPECT_EQ(options.port, 80);
    EXPECT_EQ(options.mailhost, "/var/mail/re6st");
}

TEST(RegistryOptions, HelpOnTheCommandLineOnly)
{
    for (const auto& args : {Args{"--help"}, Args{"-h"}, Args{"--bogus", "-h"}, with({"--help"})})
        EXPECT_FALSE(parse_registry_options(args, test::option_files({})));
    EXPECT_TRUE(parse_registry_options(with({"@c"}), test::option_files({{"c", "help\n"}})));
}

TEST(RegistryOptions, CommandLineErrorsNameTheOption)
{
    const std::pair<Args, const char*> cases[] = {
        {{"0", "--ca", "ca.crt"}, "the option '--db' is required but missing"},
        {with({"--frobnicate"}), "unrecognised option '--frobnicate'"},
        {{"seventy", "--db", "r.db"}, "the argument ('seventy') for option '--port' is invalid"},
        {{"70000", "--db", "r.db"}, "the argument ('70000') for option '--port' is invalid"},
        {with({"9081"}), "too many positional options have been specified on the command line"},
        {with({"--prefix-length", "x"}),
         "the argument ('x') for option '--prefix-length' is invalid"},
        {with({"--db", "other.db"}), "option '--db' cannot be specified more than once"},
        {{"@missing.conf"}, "cannot read option file missing.conf"},
    };
    for (const auto& [args, message] : cases)
        EXPECT_EQ(usage_error(args), message);
}

TEST(RegistryOptions, OptionFileErrorsNameFileAndLine)
{
    const std::pair<std::string, const char*> cases[] = {
        {"db r.db\nfrobnicate\n", "c:2: unrecognised option '--frobnicate'"},
        {"db r.db\nprefix-length sixteen\n",
         "c:2: the argument ('sixteen') for option '--prefix-length' is invalid"},
        {"db r.db\nmailhost\n", "c:2: the required argument for option '--mailhost' is missing"},
        {"db r.db 9081\n",
         "c:1: too many positional options have been specified on the command line"},
        {"@other.conf\n", "c:1: cannot read option file other.conf"},
    };
    for (const auto& [file, message] : cases)
        EXPECT_EQ(usage_error({"9080", "@c"}, {{"c", file}}), message);
}

TEST(RegistryOptions, ServiceSettings)
{
    auto settings = service_settings(parse(with({"--private", "2001:DB8:42::0001", "--bootstrap",
                                                 "01", "--prefix-length", "24",
                                                 "--certificate-validity", "2"})),
                                     network, "registry.example.org");
    EXPECT_EQ(settings.prefix_length, 24u);
    EXPECT_EQ(settings.certificate_validity, 2 * 86400s);
    EXPECT_EQ(settings.token_lifetime, 86400s);
    EXPECT_EQ(settings.grace_period, 100 * 86400s);
    EXPECT_EQ(settings.private_address, "2001:db8:42::1");
    EXPECT_EQ(settings.bootstrap, (Args{"01"}));
    EXPECT_EQ(settings.mail_from, "re6st-registry@registry.example.org");
    EXPECT_EQ(settings.port, 0);
    auto options = parse(with({"--mail-from", "a@example.org"}));
    EXPECT_EQ(service_settings(options, network, "h").mail_from, "a@example.org");
}

TEST(RegistryOptions, SettingsThatDoNotFitNameTheOption)
{
    const std::string bits79(79, '1'), bits80(80, '1');
    const std::pair<Args, std::string> cases[] = {
        {{"--prefix-length", "79"}, "accepted"},
        {{"--prefix-length", "80"},
         "--prefix-length 80: must be 1..79 in network 2001:db8:42::/48"},
        {{"--prefix-length", "0"},
         "--prefix-length 0: must be 1..79 in network 2001:db8:42::/48"},
        {{"--private", "192.0.2.1"}, "--private 192.0.2.1: not an IPv6 address"},
        {{"--private", "2001:db8:1::1"}, "accepted"},   // outside the network: a warning only
        {{"--bootstrap", bits79}, "accepted"},
        {{"--bootstrap", bits80}, "--bootstrap " + bits80 + ": not a binary node prefix"},
        {{"--bootstrap", "012"}, "--bootstrap 012: not a binary node prefix"},
        {{"--bootstrap", ""}, "--bootstrap : not a binary node prefix"},
        {{"--mail-from", "not an address"},
         "--mail-from not an address: not a plain e-mail address"},
    };
    for (const auto& [more, message] : cases)
        EXPECT_EQ(settings_error(more), message);
}

TEST(RegistryOptions, HttpLimitsArePositive)
{
    EXPECT_EQ(http_limits(parse(with({"--max-connections", "1"}))).max_connections, 1u);
    for (const auto& more : {Args{"--max-connections", "0"}, Args{"--request-timeout", "0"}})
        EXPECT_THROW(http_limits(parse(with(more))), UsageError);
}
