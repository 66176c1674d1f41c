// Options of the node daemon.
#include "re6stnet/config.hpp"

#include "common/listen_address.hpp"

#include <limits>
#include <optional>
#include <sstream>

namespace po = boost::program_options;

namespace re6st {

namespace {

using Tokens = std::vector<std::string>;

po::options_description describe()
{
    po::options_description general("General options");
    general.add_options()
        ("help,h", "show this help and exit")
        ("version", "show the version and exit")
        ("registry", po::value<std::string>()->value_name("URL"),
         "public HTTP URL of the registry, e.g. http://192.0.2.42:80/ (required)")
        ("ca", po::value<std::string>()->value_name("FILE"), "CA certificate (required)")
        ("cert", po::value<std::string>()->value_name("FILE"),
         "this node's certificate (required)")
        ("key", po::value<std::string>()->value_name("FILE"),
         "this node's private key (required)")
        ("dh", po::value<std::string>()->value_name("FILE")->default_value("none"),
         "Diffie-Hellman parameters for the OpenVPN servers; 'none' for ECDHE only")
        ("ip", po::value<Tokens>()->multitoken()->value_name("ADDR PORT PROTO"),
         "endpoint advertised to other nodes (repeatable); disables UPnP")
        ("pp", po::value<Tokens>()->multitoken()->value_name("PORT PROTO"),
         "port and protocol (udp, tcp over IPv4; udp6, tcp6 over IPv6) of an OpenVPN "
         "server (repeatable) [1194 udp, 1194 tcp; with an IPv6 address that is not the "
         "network's, 1194 udp6, 1194 tcp6 too]")
        ("no-upnp", "never ask a UPnP gateway for port mappings")
        ("peers-db-refresh", po::value<long>()->value_name("S")->default_value(3600),
         "seconds between declarations to the registry and peer list refreshes")
        ("log,l", po::value<std::string>()->value_name("DIR")->default_value("/var/log"),
         "directory of the log files of OpenVPN and babeld")
        ("state,s", po::value<std::string>()->value_name("DIR")
                        ->default_value("/var/lib/re6stnet"),
         "directory of peers.db, babeld.state and network.conf")
        ("run", po::value<std::string>()->value_name("DIR")->default_value("/run/re6stnet"),
         "directory of pid files and control sockets (created mode 0700)")
        ("verbose,v", po::value<int>()->value_name("N")->default_value(0),
         "0 warnings, 1 info, 2 debug, 3 trace (with babeld's table dumps)")
        ("main-interface", po::value<std::string>()->value_name("IF")->default_value("lo"),
         "interface that carries the node's overlay address")
        ("hook-dir", po::value<std::string>()->value_name("DIR"),
         "directory of the OpenVPN hook scripts [next to the program in a build tree, "
         "else the installed ones]")
        ("metrics", po::value<std::string>()->value_name("ADDRESS:PORT"),
         "serve Prometheus metrics on http://ADDRESS:PORT/metrics (IPv6: [ADDRESS]:PORT) "
         "[off]")
        ("status", "ask the daemon running with this --run for its status, print it and exit")
        ("json", "with --status: print the status as one JSON document");
    // The network-wide parameters: their defaults are shown, and whether a
    // value was given is told by defaulted().
    const auto defaults = default_network_parameters();
    auto network = [](const char* what) {
        return std::string(what) + "; the registry's value applies unless this option is given";
    };
    po::options_description routing("Routing options");
    routing.add_options()
        ("interface,i", po::value<Tokens>()->value_name("IF"),
         "LAN interface on which babeld also runs, to find nodes without tunnels "
         "(repeatable)")
        ("hello", po::value<long>()->value_name("S")->default_value(defaults.hello->count()),
         network("babeld hello interval in seconds").c_str())
        ("wireless,w", po::bool_switch(), "treat LAN interfaces as wireless");
    po::options_description tunnels("Tunnel options");
    tunnels.add_options()
        ("tunnel-timeout",
         po::value<long>()->value_name("S")->default_value(defaults.tunnel_timeout->count()),
         network("tear a tunnel down after S seconds without a packet from its peer "
                 "(OpenVPN --ping-exit on clients, --ping-restart on servers); before it is "
                 "connected, after S or 8 s, whichever is longer").c_str())
        ("tunnel-tcp-timeout",
         po::value<long>()->value_name("S")->default_value(defaults.tunnel_tcp_timeout->count()),
         network("the same for tunnels over TCP, where one lost segment holds back all that "
                 "follows until TCP sends it again (after 0.2, 0.6, 1.4, 3, 6.2, 12.6 s...)")
             .c_str())
        ("tunnel-ping",
         po::value<long>()->value_name("S")->default_value(defaults.tunnel_ping->count()),
         network("OpenVPN keepalive interval on tunnels (--ping)").c_str())
        ("tunnel-hello",
         po::value<std::string>()->value_name("S")->default_value(
             format_decimal_seconds(*defaults.tunnel_hello)),
         network("babeld hello interval on tunnels, in seconds (decimals allowed); with "
                 "link-quality estimation on, these hellos keep a lossy tunnel from timing out")
             .c_str())
        ("connection-count",
         po::value<long>()->value_name("N")->default_value(*defaults.connection_count),
         network("tunnels per node: ceil(N/2) client tunnels to random peers").c_str())
        ("max-clients", po::value<long>()->value_name("N"),
         network("clients each OpenVPN server accepts [ceil(connection-count/2), so that a "
                 "node has about as many tunnels in as out]").c_str())
        ("refresh-count",
         po::value<long>()->value_name("N")->default_value(*defaults.refresh_count),
         network("tunnels replaced at each tunnel refresh").c_str())
        ("tunnel-refresh",
         po::value<long>()->value_name("S")->default_value(defaults.tunnel_refresh->count()),
         network("mean seconds between tunnel replacements (each wait within a quarter of "
                 "it)").c_str())
        ("config-refresh",
         po::value<long>()->value_name("S")->default_value(defaults.config_refresh->count()),
         network("seconds between checks for a new network configuration at the "
                 "registry").c_str());
    po::options_description all;
    all.add(general).add(routing).add(tunnels);
    return all;
}

// A value that fails a check: the message starts with where the option
// was given, "FILE:LINE: " when that was in an option file.
UsageError bad(const CommandLine& line, const std::string& name, const std::string& what,
               std::size_t occurrence = 0)
{
    auto found = line.origins.find(name);
    auto where = found == line.origins.end() || occurrence >= found->second.size()
                     ? std::string()
                     : found->second[occurrence];
    return UsageError(where + what);
}

long positive(const CommandLine& line, const char* name, long minimum)
{
    long value = line.values[name].as<long>();
    if (value < minimum)
        throw bad(line, name, std::string("option '--") + name + "' must be at least "
                                  + std::to_string(minimum));
    return value;
}

std::string required(const CommandLine& line, const char* name)
{
    if (!line.values.count(name))
        throw UsageError(std::string("the option '--") + name + "' is required but missing");
    auto value = line.values[name].as<std::string>();
    if (value.empty())
        throw bad(line, name, std::string("option '--") + name + "' is empty");
    return value;
}

// "0.25" -> 250 ms; at most millisecond precision, as babeld reads it.
std::chrono::milliseconds decimal_seconds(const CommandLine& line, const char* option)
{
    auto text = line.values[option].as<std::string>();
    auto value = parse_decimal_seconds(text);
    if (!value)
        throw bad(line, option,
                  std::string("option '--") + option + "': bad number of seconds '" + text + "'");
    return *value;
}

std::uint16_t port_number(const CommandLine& line, const std::string& text, const char* option,
                          std::size_t occurrence)
{
    std::size_t end = 0;
    long value = -1;
    try {
        value = std::stol(text, &end);
    } catch (const std::exception&) {
    }
    if (end != text.size() || value < 1 || value > 65535)
        throw bad(line, option, std::string("option '--") + option + "': bad port '" + text + "'",
                  occurrence);
    return value;
}

// What --pp names; "tcp-server" is the original's spelling of tcp.
std::optional<Transport> server_transport(const std::string& proto)
{
    for (auto transport : {Transport::udp, Transport::tcp, Transport::udp6, Transport::tcp6})
        if (proto == transport_name(transport))
            return transport;
    if (proto == "tcp-server")
        return Transport::tcp;
    if (proto == "tcp6-server")
        return Transport::tcp6;
    return std::nullopt;
}

// --ip and --pp.
void read_endpoints(const CommandLine& line, Config& config)
{
    auto ip = line.groups("ip", 3);
    for (std::size_t i = 0; i < ip.size(); ++i) {
        const auto& group = ip[i];
        try {
            config.ip.push_back(parse_endpoint(group[0] + "," + group[1] + "," + group[2]));
        } catch (const EndpointError& error) {
            throw bad(line, "ip", std::string("option '--ip': ") + error.what(), i);
        }
    }
    auto pp = line.groups("pp", 2);
    for (std::size_t i = 0; i < pp.size(); ++i) {
        const auto& group = pp[i];
        const auto& proto = group[1];
        auto transport = server_transport(proto);
        if (!transport)
            throw bad(line, "pp",
                      "option '--pp': protocol must be udp, tcp, udp6 or tcp6, not '" + proto
                          + "'", i);
        ServerPort server{port_number(line, group[0], "pp", i), *transport};
        for (const auto& other : config.pp)
            if (other == server)
                throw bad(line, "pp",
                          "option '--pp': " + group[0] + " " + group[1] + " given twice", i);
        config.pp.push_back(server);
    }
    config.upnp = !line.values.count("no-upnp");
}

// Whether the option was on the command line or in an option file, not
// merely its default.
bool given(const CommandLine& line, const char* name)
{
    return line.values.count(name) && !line.values[name].defaulted();
}

// The network-wide parameters given, each checked alone with the
// registry's range rules, then together, then with the built-in defaults of
// those not given: the set a node runs with while it knows no network
// configuration.
NetworkParameters read_network_parameters(const CommandLine& line)
{
    using Seconds = std::optional<std::chrono::seconds> NetworkParameters::*;
    using Count = std::optional<unsigned> NetworkParameters::*;
    NetworkParameters options;
    auto take = [&](const char* name, auto field, auto value) {
        NetworkParameters alone;
        alone.*field = value;
        try {
            check_network_parameters(alone);
        } catch (const NetworkParameterError& error) {
            throw bad(line, name, error.what());
        }
        options.*field = value;
    };
    auto take_seconds = [&](const char* name, Seconds field) {
        if (given(line, name))
            take(name, field, std::chrono::seconds(line.values[name].as<long>()));
    };
    auto take_count = [&](const char* name, Count field) {
        if (!given(line, name))
            return;
        long value = line.values[name].as<long>();
        if (value < 0)
            take(name, field, 0u);   // the rule's own message when 0 is too few
        if (value < 0 || value > long(std::numeric_limits<unsigned>::max()))
            throw bad(line, name, std::string("option '--") + name + "' must be between 0 and "
                                      + std::to_string(std::numeric_limits<unsigned>::max()));
        take(name, field, unsigned(value));
    };
    take_seconds("hello", &NetworkParameters::hello);
    take_count("connection-count", &NetworkParameters::connection_count);
    take_count("max-clients", &NetworkParameters::max_clients);
    take_count("refresh-count", &NetworkParameters::refresh_count);
    take_seconds("tunnel-refresh", &NetworkParameters::tunnel_refresh);
    take_seconds("tunnel-ping", &NetworkParameters::tunnel_ping);
    take_seconds("tunnel-timeout", &NetworkParameters::tunnel_timeout);
    take_seconds("tunnel-tcp-timeout", &NetworkParameters::tunnel_tcp_timeout);
    if (given(line, "tunnel-hello"))
        take("tunnel-hello", &NetworkParameters::tunnel_hello,
             decimal_seconds(line, "tunnel-hello"));
    take_seconds("config-refresh", &NetworkParameters::config_refresh);
    for (const auto& merged : {options, merge_network_parameters(options, {})}) {
        try {
            check_network_parameters(merged);
        } catch (const NetworkParameterError& error) {
            throw bad(line, error.option(), error.what());
        }
    }
    return options;
}

// Babel on the LANs, and the network-wide parameters given.
void read_routing(const CommandLine& line, Config& config)
{
    const auto& values = line.values;
    if (values.count("interface"))
        config.lan_interfaces = values["interface"].as<Tokens>();
    for (std::size_t i = 0; i < config.lan_interfaces.size(); ++i) {
        const auto& name = config.lan_interfaces[i];
        if (name.empty() || name.size() > 15 || name.find('/') != name.npos)
            throw bad(line, "interface", "option '--interface': bad interface name '" + name + "'",
                      i);
    }
    config.wireless = values["wireless"].as<bool>();
    config.given = read_network_parameters(line);
}

}  // namespace

bool wants_help(const std::vector<std::string>& args)
{
    for (const auto& arg : args) {
        if (arg == "--")
            break;
        if (arg == "--help" || arg == "-h")
            return true;
    }
    return false;
}

bool wants_version(const std::vector<std::string>& args)
{
    for (const auto& arg : args) {
        if (arg == "--")
            break;
        if (arg == "--version")
            return true;
    }
    return false;
}

std::string config_help()
{
    std::ostringstream text;
    text << "Usage: re6stnet [OPTION]... [@FILE]... [-- OPENVPN-ARGUMENT...]\n"
            "Run a node of a re6st network: OpenVPN servers and tunnels to random\n"
            "peers, with babeld routing over them. @FILE reads options from FILE,\n"
            "one per line, with or without the leading --; # starts a comment.\n"
            "Arguments after -- are passed to every OpenVPN process.\n"
         << describe();
    return text.str();
}

Config parse_config(const std::vector<std::string>& args, const FileReader& read)
{
    auto line = parse_command_line(args, describe(), {}, read);
    const auto& values = line.values;
    Config config;
    config.run_dir = values["run"].as<std::string>();
    config.json = values.count("json") > 0;
    if (values.count("status")) {
        config.status = true;
        return config;
    }
    if (config.json)
        throw bad(line, "json", "option '--json' goes with '--status'");
    config.registry = required(line, "registry");
    config.ca = required(line, "ca");
    config.cert = required(line, "cert");
    config.key = required(line, "key");
    config.dh = values["dh"].as<std::string>();
    if (config.dh == "none")
        config.dh.clear();
    read_endpoints(line, config);
    read_routing(line, config);
    config.peers_db_refresh = Config::seconds(positive(line, "peers-db-refresh", 1));
    config.log_dir = values["log"].as<std::string>();
    config.state_dir = values["state"].as<std::string>();
    config.run_dir = values["run"].as<std::string>();
    config.verbose = values["verbose"].as<int>();
    if (config.verbose < 0 || config.verbose > 3)
        throw bad(line, "verbose", "option '--verbose' must be between 0 and 3");
    config.main_interface = values["main-interface"].as<std::string>();
    if (values.count("hook-dir"))
        config.hook_dir = values["hook-dir"].as<std::string>();
    if (values.count("metrics")) {
        try {
            config.metrics = parse_listen_address(values["metrics"].as<std::string>());
        } catch (const ListenAddressError& error) {
            throw bad(line, "metrics", std::string("option '--metrics': ") + error.what());
        }
    }
    config.openvpn_args = line.after_double_dash;
    return config;
}

}  // namespace re6st
