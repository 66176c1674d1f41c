// re6st-registry: parses the options, wires the registry's objects together
// and runs the HTTP loop until SIGTERM or SIGINT (docs/re6st-registry.rst).
// Exit status: 0 stopped by a signal, 1 start-up error, 2 bad command line.
// A first argument nodes, revoke, token or map runs that administration command
// on the database instead.
#include "common/certificate_authority.hpp"
#include "common/listen_address.hpp"
#include "common/log.hpp"
#include "common/metrics_server.hpp"
#include "common/options.hpp"
#include "common/prefix.hpp"
#include "common/service_notify.hpp"
#include "registry/admin_command.hpp"
#include "registry/administration.hpp"
#include "registry/call_dispatcher.hpp"
#include "registry/http_server.hpp"
#include "registry/mailer.hpp"
#include "registry/maintenance.hpp"
#include "registry/network_config.hpp"
#include "registry/peer_directory.hpp"
#include "registry/peer_list_xml.hpp"
#include "registry/registry_database.hpp"
#include "registry/registry_metrics.hpp"
#include "registry/registry_options.hpp"
#include "registry/registry_service.hpp"
#include "registry/xmlrpc_methods.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

using namespace re6st;
using namespace re6st::registry;

#ifndef RE6ST_VERSION
#error "RE6ST_VERSION must be defined"
#endif

namespace {

constexpr const char* usage =
    "Usage: re6st-registry PORT --db FILE --ca FILE --key FILE --mailhost HOST[:PORT]\n"
    "                      [--private IP] [--bootstrap PREFIX]... [options] [@FILE]\n"
    "       re6st-registry nodes|revoke|token|map --help\n"
    "The certificate and peer registry of a re6st network (XML-RPC over HTTP), and\n"
    "its administration commands.\n";

// A start-up failure: the message names the option or file at fault.
struct StartupError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

template <class F>
auto about(const std::string& what, F&& step)
{
    try {
        return step();
    } catch (const StartupError&) {
        throw;
    } catch (const std::exception& error) {
        throw StartupError(what + ": " + error.what());
    }
}

// The CA key signs every certificate of the network: refuse to run with a
// key that other users can read (or replace).
void check_key_mode(const std::string& path)
{
    struct stat st;
    if (::stat(path.c_str(), &st) != 0)
        throw StartupError("--key " + path + ": " + std::strerror(errno));
    if (st.st_mode & (S_IRWXG | S_IRWXO)) {
        std::ostringstream mode;
        mode << std::oct << (st.st_mode & 07777);
        throw StartupError("--key " + path + ": the CA key is accessible by group or others (mode 0"
                           + mode.str() + "); run: chmod 600 " + path);
    }
}

std::string read_first_line(const std::string& option, const std::string& path)
{
    std::ifstream file(path);
    std::string line;
    if (!file || !std::getline(file, line))
        throw StartupError(option + " " + path + ": cannot read it");
    return line;
}

std::string host_name()
{
    char host[256] = "localhost";
    gethostname(host, sizeof host - 1);
    return host;
}

CertificateAuthority load_ca(const RegistryOptions& options)
{
    check_key_mode(options.key);
    return about("--ca " + options.ca + " / --key " + options.key, [&] {
        return CertificateAuthority(Certificate::load(options.ca), PrivateKey::load(options.key));
    });
}

SmtpSettings smtp_settings(const RegistryOptions& options)
{
    SmtpSettings smtp;
    smtp.starttls = options.smtp_starttls;
    smtp.timeout = options.smtp_timeout;
    if (options.smtp_ca) {
        smtp.ca_file = *options.smtp_ca;
        if (::access(smtp.ca_file.c_str(), R_OK) != 0)
            throw StartupError("--smtp-ca " + smtp.ca_file + ": " + std::strerror(errno));
    }
    smtp.username = options.smtp_user.value_or("");
    if (options.smtp_password_file)
        smtp.password = read_first_line("--smtp-password-file", *options.smtp_password_file);
    return smtp;
}

// The database's two connections: tokens and prefixes, written to survive a
// power loss; peers, written to survive a crash of the process.
struct Databases {
    sqlite::Database enrolment, peers;
};

Databases open_databases(const std::string& path)
{
    return about("--db " + path, [&] {
        return Databases{open_registry_database(path, Durability::power_loss),
                         open_registry_database(path, Durability::crash)};
    });
}

// Serves until SIGINT or SIGTERM, then stops accepting, cancels the mail
// being sent and returns. `ready` is logged once signals are handled, so
// that whoever waits for it may send one.
void serve(boost::asio::io_context& io, HttpServer& server, metrics::MetricsServer* metrics,
           Mailer& mailer, const std::string& ready)
{
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& error, int signal) {
        if (error)
            return;
        log::info("stopping on signal ", signal, " (", strsignal(signal), ")");
        notify_service("STOPPING=1");
        server.stop();
        if (metrics)
            metrics->stop();
        mailer.cancel();
        io.stop();
    });
    log::info(ready);
    notify_service("READY=1");
    io.run();
}

std::unique_ptr<PeerDirectory> open_peer_directory(sqlite::Database& db,
                                                   const RegistryOptions& options)
{
    PeerDirectory::Settings directory;
    directory.expiry = options.peer_expiry;
    return about("--db " + options.db, [&] {
        return std::make_unique<PeerDirectory>(db, directory, system_clock_now(),
                                               encode_peer_element);
    });
}

// The service's settings, once the CA has told the network.
ServiceSettings checked_settings(const RegistryOptions& options, const Network& network)
{
    auto settings = service_settings(options, network, host_name());
    if (!settings.private_address.empty()
        && !network.contains(*Ipv6Address::try_parse(settings.private_address)))
        log::warning("--private ", *options.private_address, " is outside the network ",
                     network.prefix().to_string());
    return settings;
}

// The registry's metrics, fed by the dispatcher and read at each scrape
// through a read-only connection of their own.
std::unique_ptr<RegistryMetrics> make_registry_metrics(metrics::MetricSet& set,
                                                       const RegistryOptions& options,
                                                       const Certificate& ca,
                                                       const HttpServer& server)
{
    auto db = std::make_shared<sqlite::Database>(
        about("--db " + options.db,
              [&] { return sqlite::Database(options.db, SQLITE_OPEN_READONLY); }));
    db->set_busy_timeout(1000);
    RegistryMetrics::Sources sources;
    sources.version = RE6ST_VERSION;
    sources.ca_not_after = ca.not_after();
    sources.open_connections = [&server] { return server.connection_count(); };
    sources.database = [db, path = options.db, expiry = options.peer_expiry,
                        lifetime = options.token_lifetime] {
        return read_database_figures(*db, path, system_clock_now(), expiry, lifetime);
    };
    return std::make_unique<RegistryMetrics>(set, std::move(sources));
}

int run(const RegistryOptions& options)
{
    log::set_verbosity(options.verbosity);
    auto ca = load_ca(options);
    auto network = about("--ca " + options.ca, [&] {
        return Network::from_ca_serial(ca.certificate().serial());
    });
    auto settings = checked_settings(options, network);
    auto smtp = smtp_settings(options);
    auto mailer = about("--mailhost " + options.mailhost,
                        [&] { return make_mailer(options.mailhost, smtp); });
    auto limits = http_limits(options);

    boost::asio::io_context io(1);
    auto server = HttpServer::bind(io, options.port, limits);
    settings.port = server->port();
    metrics::MetricSet metric_set;
    std::shared_ptr<metrics::MetricsServer> metrics_server;
    if (options.metrics)
        metrics_server = about("--metrics", [&] {
            return metrics::MetricsServer::bind(io, *options.metrics, metric_set);
        });
    auto db = open_databases(options.db);
    auto peers = open_peer_directory(db.peers, options);

    auto ca_certificate = ca.certificate();
    RegistryService service(settings, std::move(ca), db.enrolment, *peers, *mailer);
    Maintenance maintenance(io, service, ca_certificate);
    XmlRpcProcessor processor(service, limits.max_body);
    std::unique_ptr<RegistryMetrics> registry_metrics;
    CallDispatcher::Observer observer;
    if (metrics_server) {
        registry_metrics = make_registry_metrics(metric_set, options, ca_certificate, *server);
        observer = [&counted = *registry_metrics](std::string_view method,
                                                  const CallContext& context,
                                                  std::chrono::steady_clock::duration elapsed) {
            counted.record_call(method, context, elapsed);
        };
    }
    CallDispatcher dispatcher(processor, {}, std::move(observer));
    server->start([&dispatcher](std::string body, std::string peer, HttpServer::Respond respond) {
        dispatcher.dispatch(std::move(body), std::move(peer), std::move(respond));
    });
    // Said once everything is ready, so that a start-up error is the only line.
    // The fingerprint lets operators check the CA that nodes fetch with getCa.
    log::info("CA certificate ", ca_certificate.subject(), ", SHA-256 fingerprint ",
              ca_certificate.fingerprint("sha256"));
    log::info("network configuration ", describe_network_config(service.network_config()));
    maintenance.start();
    auto port = std::to_string(server->port());
    auto ready = "network " + network.prefix().to_string() + ", " + std::to_string(peers->size())
               + " known peers; listening on 0.0.0.0:" + port + " and [::]:" + port;
    if (metrics_server) {
        metrics_server->start();
        ready += "; metrics on http://" + format_listen_address(metrics_server->local_endpoint())
               + "/metrics";
    }
    serve(io, *server, metrics_server.get(), *mailer, ready);
    maintenance.stop();
    dispatcher.join();
    return 0;
}

int administer(AdminVerb verb, const std::vector<std::string>& args)
{
    std::optional<AdminCommand> command;
    try {
        command = parse_admin_command(verb, args);
    } catch (const UsageError& error) {
        std::cerr << "re6st-registry: " << error.what() << "\n";
        return 2;
    }
    if (!command) {
        std::cout << admin_help(verb);
        return 0;
    }
    return run_admin_command(*command, std::cout, std::cerr, system_clock_now());
}

}  // namespace

int main(int argc, char** argv)
{
    // Writes to a closed connection must fail with EPIPE, not kill the process.
    std::signal(SIGPIPE, SIG_IGN);

    if (argc > 1)
        if (auto verb = admin_verb(argv[1]))
            return administer(*verb, {argv + 2, argv + argc});

    std::optional<RegistryOptions> options;
    try {
        options = parse_registry_options({argv + 1, argv + argc});
    } catch (const UsageError& error) {
        std::cerr << "re6st-registry: " << error.what() << "\n";
        return 2;
    }
    if (!options) {
        std::cout << usage << "\n" << registry_options_description();
        return 0;
    }
    try {
        return run(*options);
    } catch (const std::exception& error) {
        log::error(error.what());
        return 1;
    }
}
