// re6st-registry's command line.
#include "registry/registry_options.hpp"

#include "common/duration.hpp"
#include "common/listen_address.hpp"
#include "registry/mailer.hpp"

#include <algorithm>
#include <limits>

namespace po = boost::program_options;

namespace re6st::registry {

po::options_description registry_options_description(bool required)
{
    auto needed = [required](po::typed_value<std::string>* value) {
        return required ? value->required() : value;
    };
    po::options_description options("Options");
    options.add_options()
        ("help,h", "print this help and exit")
        ("port", required ? po::value<std::uint16_t>()->required() : po::value<std::uint16_t>(),
         "TCP port, on 0.0.0.0 and [::] (positional)")
        ("db", needed(po::value<std::string>()), "SQLite database, created if missing")
        ("ca", needed(po::value<std::string>()), "CA certificate (PEM)")
        ("key", needed(po::value<std::string>()),
         "CA private key (PEM, readable by its owner only)")
        ("mailhost", needed(po::value<std::string>()),
         "SMTP relay for token mails: HOST[:PORT], smtp://HOST[:PORT], "
         "smtps://HOST[:PORT]; or a path (with a /) of an mbox file to append to")
        ("private", po::value<std::string>(),
         "overlay IPv6 address of the re6stnet node on this machine (getPrivateAddress)")
        ("bootstrap", po::value<std::vector<std::string>>()->composing(),
         "binary prefix of a node to hand out as bootstrap peer first (repeatable)")
        ("prefix-length", po::value<unsigned>()->default_value(16),
         "length in bits of the node prefixes to allocate")
        ("certificate-validity", po::value<std::string>()->value_name("DURATION")->default_value("365d"),
         "validity of the issued and renewed certificates (90s, 10m, 12h, 365d; "
         "a plain number is days)")
        ("token-lifetime", po::value<std::string>()->value_name("DURATION")->default_value("1d"),
         "how long a mailed token stays usable (a plain number is seconds)")
        ("peer-expiry", po::value<std::string>()->value_name("DURATION")->default_value("1d"),
         "how long after its last declare a peer is forgotten (a plain number is seconds)")
        ("grace-period", po::value<std::string>()->value_name("DURATION")->default_value("100d"),
         "how long after its certificate expired a node may still renew it; then its prefix "
         "returns to the pool (a plain number is seconds)")
        ("mail-from", po::value<std::string>(),
         "sender of token mails [re6st-registry@<host name>]")
        ("smtp-starttls", po::bool_switch(), "require STARTTLS with the SMTP relay")
        ("smtp-ca", po::value<std::string>(),
         "CA certificates (PEM) that sign the relay's certificate [the system's]")
        ("smtp-user", po::value<std::string>(), "SMTP authentication user name")
        ("smtp-password-file", po::value<std::string>(),
         "file holding the SMTP password (first line)")
        ("smtp-timeout", po::value<unsigned>()->default_value(30),
         "seconds allowed for sending one mail")
        ("max-connections", po::value<unsigned>()->default_value(512),
         "concurrent HTTP connections; beyond, the longest idle one is closed")
        ("request-timeout", po::value<unsigned>()->default_value(20),
         "seconds a client has to send a whole request (or read a response)")
        ("metrics", po::value<std::string>()->value_name("ADDRESS:PORT"),
         "serve Prometheus metrics on http://ADDRESS:PORT/metrics (IPv6: [ADDRESS]:PORT) "
         "[off]")
        ("verbose,v", po::value<int>()->default_value(1),
         "log level: 0 warnings, 1 info, 2 debug, 3 trace");

    // The node's defaults and units, so that a network run with none of
    // these behaves as nodes did before the registry handed them out.
    auto defaults = default_network_parameters();
    po::options_description network(
        "Network options (handed to every node, signed, by getNetworkConfig)");
    network.add_options()
        ("hello", po::value<long>()->value_name("S")->default_value(defaults.hello->count()),
         "babeld hello interval in seconds")
        ("tunnel-hello", po::value<std::string>()->value_name("S")
                             ->default_value(format_decimal_seconds(*defaults.tunnel_hello)),
         "babeld hello interval on tunnels, in seconds (decimals allowed, 0.05 to 300)")
        ("tunnel-timeout", po::value<long>()->value_name("S")
                               ->default_value(defaults.tunnel_timeout->count()),
         "seconds without a packet from its peer after which a tunnel is torn down "
         "(at least 2, longer than --tunnel-ping)")
        ("tunnel-tcp-timeout", po::value<long>()->value_name("S")
                                   ->default_value(defaults.tunnel_tcp_timeout->count()),
         "the same for tunnels over TCP (not shorter than --tunnel-timeout)")
        ("tunnel-ping", po::value<long>()->value_name("S")
                            ->default_value(defaults.tunnel_ping->count()),
         "OpenVPN keepalive interval on tunnels, in seconds")
        ("connection-count", po::value<long>()->value_name("N")
                                 ->default_value(long(*defaults.connection_count)),
         "tunnels per node: ceil(N/2) client tunnels to random peers")
        ("max-clients", po::value<long>()->value_name("N"),
         "clients each node's OpenVPN server accepts [ceil(connection-count/2)]")
        ("tunnel-refresh", po::value<long>()->value_name("S")
                               ->default_value(defaults.tunnel_refresh->count()),
         "mean seconds between tunnel replacements")
        ("refresh-count", po::value<long>()->value_name("N")
                              ->default_value(long(*defaults.refresh_count)),
         "tunnels replaced at each tunnel refresh")
        ("config-refresh", po::value<long>()->value_name("S")
                               ->default_value(defaults.config_refresh->count()),
         "seconds between two checks by a node for a new network configuration");
    options.add(network);
    return options;
}

namespace {

template <class T>
std::optional<T> optional_value(const po::variables_map& values, const char* name)
{
    if (!values.count(name))
        return std::nullopt;
    return values[name].as<T>();
}

// The text an option was given as (or defaults to), whatever its type.
std::string given_text(const CommandLine& line, const std::string& name)
{
    const auto& value = line.values[name].value();
    if (auto text = boost::any_cast<std::string>(&value))
        return *text;
    if (auto number = boost::any_cast<long>(&value))
        return std::to_string(*number);
    return {};
}

// An error about the value of option `name`: "--NAME VALUE: what", after
// "FILE:LINE: " when it was given in an option file.
UsageError bad_value(const CommandLine& line, const std::string& name, const std::string& what)
{
    auto found = line.origins.find(name);
    std::string message = found == line.origins.end() ? "" : found->second.front();
    message += "--" + name + " " + given_text(line, name) + ": " + what;
    return UsageError(message);
}

// The value of a duration option; a plain number counts `plain_unit`s.
std::chrono::seconds duration(const CommandLine& line, const std::string& name,
                              std::chrono::seconds plain_unit)
{
    try {
        return parse_duration(line.values[name].as<std::string>(), plain_unit);
    } catch (const DurationError& error) {
        throw bad_value(line, name, error.what());
    }
}

std::chrono::seconds seconds(const CommandLine& line, const std::string& name)
{
    return std::chrono::seconds(line.values[name].as<long>());
}

unsigned count(const CommandLine& line, const std::string& name)
{
    auto value = line.values[name].as<long>();
    if (value < 0)
        throw bad_value(line, name, "must not be negative");
    if (value > long(std::numeric_limits<unsigned>::max()))
        throw bad_value(line, name, "too large");
    return unsigned(value);
}

// The parameters handed to the nodes, checked with the nodes' own rules.
NetworkParameters network_parameters(const CommandLine& line)
{
    NetworkParameters p;
    p.hello = seconds(line, "hello");
    auto tunnel_hello = parse_decimal_seconds(line.values["tunnel-hello"].as<std::string>());
    if (!tunnel_hello)
        throw bad_value(line, "tunnel-hello", "not a number of seconds (decimals allowed)");
    p.tunnel_hello = *tunnel_hello;
    p.tunnel_timeout = seconds(line, "tunnel-timeout");
    p.tunnel_tcp_timeout = seconds(line, "tunnel-tcp-timeout");
    p.tunnel_ping = seconds(line, "tunnel-ping");
    p.connection_count = count(line, "connection-count");
    if (line.values.count("max-clients"))
        p.max_clients = count(line, "max-clients");
    p.tunnel_refresh = seconds(line, "tunnel-refresh");
    p.refresh_count = count(line, "refresh-count");
    p.config_refresh = seconds(line, "config-refresh");
    try {
        check_network_parameters(p);
    } catch (const NetworkParameterError& error) {
        throw bad_value(line, error.option(), error.rule());
    }
    return merge_network_parameters(p, {});
}

}  // namespace

std::optional<RegistryOptions> parse_registry_options(const std::vector<std::string>& args,
                                                      const FileReader& read)
{
    // Asked for on the command line only, even among bad options.
    if (std::ranges::any_of(args, [](const auto& arg) { return arg == "--help" || arg == "-h"; }))
        return std::nullopt;
    po::positional_options_description positional;
    positional.add("port", 1);
    auto line = parse_command_line(args, registry_options_description(), positional, read);
    const auto& values = line.values;

    RegistryOptions options;
    options.port = values["port"].as<std::uint16_t>();
    options.db = values["db"].as<std::string>();
    options.ca = values["ca"].as<std::string>();
    options.key = values["key"].as<std::string>();
    options.mailhost = values["mailhost"].as<std::string>();
    options.private_address = optional_value<std::string>(values, "private");
    options.bootstrap = optional_value<std::vector<std::string>>(values, "bootstrap")
                            .value_or(std::vector<std::string>());
    options.prefix_length = values["prefix-length"].as<unsigned>();
    using namespace std::chrono_literals;
    options.certificate_validity = duration(line, "certificate-validity", 86400s);
    if (options.certificate_validity == 0s)
        throw bad_value(line, "certificate-validity", "must be longer than 0");
    options.token_lifetime = duration(line, "token-lifetime", 1s);
    options.peer_expiry = duration(line, "peer-expiry", 1s);
    options.grace_period = duration(line, "grace-period", 1s);
    options.mail_from = optional_value<std::string>(values, "mail-from");
    options.smtp_starttls = values["smtp-starttls"].as<bool>();
    options.smtp_ca = optional_value<std::string>(values, "smtp-ca");
    options.smtp_user = optional_value<std::string>(values, "smtp-user");
    options.smtp_password_file = optional_value<std::string>(values, "smtp-password-file");
    options.smtp_timeout = std::chrono::seconds(values["smtp-timeout"].as<unsigned>());
    options.limits.max_connections = values["max-connections"].as<unsigned>();
    options.limits.request_timeout = std::chrono::seconds(values["request-timeout"].as<unsigned>());
    if (values.count("metrics")) {
        try {
            options.metrics = parse_listen_address(values["metrics"].as<std::string>());
        } catch (const ListenAddressError& error) {
            throw bad_value(line, "metrics", error.reason());
        }
    }
    options.verbosity = values["verbose"].as<int>();
    options.network_parameters = network_parameters(line);
    return options;
}

ServiceSettings service_settings(const RegistryOptions& options, const Network& network,
                                 std::string_view host_name)
{
    ServiceSettings settings;
    settings.prefix_length = options.prefix_length;
    if (settings.prefix_length == 0 || settings.prefix_length > network.max_node_bits())
        throw UsageError("--prefix-length " + std::to_string(settings.prefix_length)
                         + ": must be 1.." + std::to_string(network.max_node_bits())
                         + " in network " + network.prefix().to_string());
    settings.certificate_validity = options.certificate_validity;
    settings.token_lifetime = options.token_lifetime;
    settings.grace_period = options.grace_period;
    if (options.private_address) {
        const auto& text = *options.private_address;
        auto address = Ipv6Address::try_parse(text);
        if (!address)
            throw UsageError("--private " + text + ": not an IPv6 address");
        settings.private_address = address->to_string();
    }
    for (const auto& prefix : options.bootstrap) {
        if (!network.is_node_prefix(prefix))
            throw UsageError("--bootstrap " + prefix + ": not a binary node prefix");
        settings.bootstrap.push_back(prefix);
    }
    settings.network_parameters = options.network_parameters;
    settings.mail_from = options.mail_from.value_or("re6st-registry@" + std::string(host_name));
    if (!is_mail_address(settings.mail_from))
        throw UsageError("--mail-from " + settings.mail_from + ": not a plain e-mail address");
    return settings;
}

HttpLimits http_limits(const RegistryOptions& options)
{
    if (options.limits.max_connections == 0 || options.limits.request_timeout.count() == 0)
        throw UsageError("--max-connections and --request-timeout must be positive");
    return options.limits;
}

}  // namespace re6st::registry
