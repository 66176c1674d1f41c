// re6st-registry's command line (docs/re6st-registry.rst), parsed into plain
// settings; the checks that need the network wait for the CA to give it. No
// I/O but reading @FILE option files.
#pragma once

#include "common/network_parameters.hpp"
#include "common/options.hpp"
#include "common/prefix.hpp"
#include "registry/http_server.hpp"
#include "registry/registry_service.hpp"

#include <boost/program_options/options_description.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace re6st::registry {

struct RegistryOptions {
    std::uint16_t port = 0;   // 0: any free port
    std::string db;           // SQLite database
    std::string ca, key;      // the CA's certificate and private key (PEM)
    std::string mailhost;     // SMTP relay, or a path of an mbox file
    std::optional<std::string> private_address;   // as given
    std::vector<std::string> bootstrap;           // as given, in order
    unsigned prefix_length = 16;                  // bits
    std::chrono::seconds certificate_validity{365 * 86400};
    std::chrono::seconds token_lifetime{86400};
    std::chrono::seconds peer_expiry{86400};
    std::chrono::seconds grace_period{100 * 86400};
    std::optional<std::string> mail_from;          // none: re6st-registry@<host name>
    bool smtp_starttls = false;
    std::optional<std::string> smtp_ca;            // none: the system's CAs
    std::optional<std::string> smtp_user;          // none: no authentication
    std::optional<std::string> smtp_password_file;
    std::chrono::seconds smtp_timeout{30};
    HttpLimits limits;
    // Where Prometheus metrics are served; none: nowhere.
    std::optional<boost::asio::ip::tcp::endpoint> metrics;
    int verbosity = 1;
    // What getNetworkConfig hands out to every node, all set and in range.
    NetworkParameters network_parameters = merge_network_parameters({}, {});
};

// The server's options; `required` false makes none required (for the
// administration commands, which read the server's option files and use a
// few of them).
boost::program_options::options_description registry_options_description(bool required = true);

// nullopt when --help or -h is among `args` (argv without argv[0]). A bad
// command line or option file is a UsageError.
std::optional<RegistryOptions> parse_registry_options(const std::vector<std::string>& args,
                                                      const FileReader& read = read_option_file);

// The service's settings in `network`, the one of the CA; `host_name` makes
// the default sender. Options that do not fit are UsageErrors naming them.
ServiceSettings service_settings(const RegistryOptions& options, const Network& network,
                                 std::string_view host_name);

// The HTTP limits; zero is a UsageError.
HttpLimits http_limits(const RegistryOptions& options);

}  // namespace re6st::registry
