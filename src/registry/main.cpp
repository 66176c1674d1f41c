// re6st-registry: parses the options, wires the registry's objects together
// and runs the HTTP loop until SIGTERM or SIGINT.
#include "common/certificate_authority.hpp"
#include "common/log.hpp"
#include "common/service_notify.hpp"
#include "common/options.hpp"
#include "common/prefix.hpp"
#include "registry/call_dispatcher.hpp"
#include "registry/http_server.hpp"
#include "registry/mailer.hpp"
#include "registry/peer_directory.hpp"
#include "registry/peer_list_xml.hpp"
#include "registry/registry_database.hpp"
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

namespace po = boost::program_options;
using namespace re6st;
using namespace re6st::registry;

namespace {

constexpr const char* usage =
    "Usage: re6st-registry PORT --db FILE --ca FILE --key FILE --mailhost HOST[:PORT]\n"
    "                      [--private IP] [--bootstrap PREFIX]... [options] [@FILE]\n"
    "The certificate and peer registry of a re6st network (XML-RPC over HTTP).\n";

po::options_description option_descriptions()
{
    po::options_description options("Options");
    options.add_options()
        ("help,h", "print this help and exit")
        ("port", po::value<std::uint16_t>()->required(),
         "TCP port, on 0.0.0.0 and [::] (positional)")
        ("db", po::value<std::string>()->required(), "SQLite database, created if missing")
        ("ca", po::value<std::string>()->required(), "CA certificate (PEM)")
        ("key", po::value<std::string>()->required(),
         "CA private key (PEM, readable by its owner only)")
        ("mailhost", po::value<std::string>()->required(),
         "SMTP relay for token mails: HOST[:PORT], smtp://HOST[:PORT], "
         "smtps://HOST[:PORT]; or a path (with a /) of an mbox file to append to")
        ("private", po::value<std::string>(),
         "overlay IPv6 address of the re6stnet node on this machine (getPrivateAddress)")
        ("bootstrap", po::value<std::vector<std::string>>()->composing(),
         "binary prefix of a node to hand out as bootstrap peer first (repeatable)")
        ("prefix-length", po::value<unsigned>()->default_value(16),
         "length in bits of the node prefixes to allocate")
        ("certificate-validity", po::value<unsigned>()->default_value(365),
         "validity of the issued certificates, in days")
        ("token-lifetime", po::value<unsigned>()->default_value(86400),
         "seconds a mailed token stays usable")
        ("peer-expiry", po::value<unsigned>()->default_value(86400),
         "seconds after its last declare a peer is forgotten")
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
        ("verbose,v", po::value<int>()->default_value(1),
         "log level: 0 warnings, 1 info, 2 debug, 3 trace");
    return options;
}

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

std::string default_mail_from()
{
    char host[256] = "localhost";
    gethostname(host, sizeof host - 1);
    return std::string("re6st-registry@") + host;
}

template <class T>
T value(const CommandLine& command, const char* name)
{
    return command.values[name].as<T>();
}

int run(const CommandLine& command)
{
    log::set_verbosity(value<int>(command, "verbose"));

    auto ca_path = value<std::string>(command, "ca");
    auto key_path = value<std::string>(command, "key");
    check_key_mode(key_path);
    auto ca = about("--ca " + ca_path + " / --key " + key_path, [&] {
        return CertificateAuthority(Certificate::load(ca_path), PrivateKey::load(key_path));
    });
    auto network = about("--ca " + ca_path, [&] {
        return Network::from_ca_serial(ca.certificate().serial());
    });

    ServiceSettings settings;
    settings.prefix_length = value<unsigned>(command, "prefix-length");
    if (settings.prefix_length == 0 || settings.prefix_length > network.max_node_bits())
        throw StartupError("--prefix-length " + std::to_string(settings.prefix_length)
                           + ": must be 1.." + std::to_string(network.max_node_bits())
                           + " in network " + network.prefix().to_string());
    settings.certificate_validity = std::chrono::days(value<unsigned>(command, "certificate-validity"));
    settings.token_lifetime = std::chrono::seconds(value<unsigned>(command, "token-lifetime"));
    if (command.values.count("private")) {
        auto text = value<std::string>(command, "private");
        auto address = Ipv6Address::try_parse(text);
        if (!address)
            throw StartupError("--private " + text + ": not an IPv6 address");
        if (!network.contains(*address))
            log::warning("--private ", text, " is outside the network ", network.prefix().to_string());
        settings.private_address = address->to_string();
    }
    if (command.values.count("bootstrap"))
        for (const auto& prefix : value<std::vector<std::string>>(command, "bootstrap")) {
            if (prefix.empty() || prefix.size() > network.max_node_bits() || !is_bit_string(prefix))
                throw StartupError("--bootstrap " + prefix + ": not a binary node prefix");
            settings.bootstrap.push_back(prefix);
        }
    settings.mail_from = command.values.count("mail-from") ? value<std::string>(command, "mail-from")
                                                           : default_mail_from();
    if (!is_mail_address(settings.mail_from))
        throw StartupError("--mail-from " + settings.mail_from + ": not a plain e-mail address");

    SmtpSettings smtp;
    smtp.starttls = value<bool>(command, "smtp-starttls");
    smtp.timeout = std::chrono::seconds(value<unsigned>(command, "smtp-timeout"));
    if (command.values.count("smtp-ca")) {
        smtp.ca_file = value<std::string>(command, "smtp-ca");
        if (::access(smtp.ca_file.c_str(), R_OK) != 0)
            throw StartupError("--smtp-ca " + smtp.ca_file + ": " + std::strerror(errno));
    }
    if (command.values.count("smtp-user"))
        smtp.username = value<std::string>(command, "smtp-user");
    if (command.values.count("smtp-password-file"))
        smtp.password = read_first_line("--smtp-password-file",
                                        value<std::string>(command, "smtp-password-file"));
    auto mailhost = value<std::string>(command, "mailhost");
    auto mailer = about("--mailhost " + mailhost, [&] { return make_mailer(mailhost, smtp); });

    HttpLimits limits;
    limits.max_connections = value<unsigned>(command, "max-connections");
    limits.request_timeout = std::chrono::seconds(value<unsigned>(command, "request-timeout"));
    if (limits.max_connections == 0 || limits.request_timeout.count() == 0)
        throw StartupError("--max-connections and --request-timeout must be positive");

    boost::asio::io_context io(1);
    auto server = HttpServer::bind(io, value<std::uint16_t>(command, "port"), limits);
    settings.port = server->port();

    auto db_path = value<std::string>(command, "db");
    auto [enrolment_db, peer_db] = about("--db " + db_path, [&] {
        return std::pair(open_registry_database(db_path, Durability::power_loss),
                         open_registry_database(db_path, Durability::crash));
    });
    PeerDirectory::Settings directory;
    directory.expiry = std::chrono::seconds(value<unsigned>(command, "peer-expiry"));
    auto peers = about("--db " + db_path, [&] {
        return std::make_unique<PeerDirectory>(peer_db, directory, system_clock_now(),
                                               encode_peer_element);
    });

    RegistryService service(settings, std::move(ca), enrolment_db, *peers, *mailer);
    XmlRpcProcessor processor(service, limits.max_body);
    CallDispatcher dispatcher(processor, {});
    server->start([&dispatcher](std::string body, std::string peer, HttpServer::Respond respond) {
        dispatcher.dispatch(std::move(body), std::move(peer), std::move(respond));
    });

    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& error, int signal) {
        if (error)
            return;
        log::info("stopping on signal ", signal, " (", strsignal(signal), ")");
        notify_service("STOPPING=1");
        server->stop();
        mailer->cancel();
        io.stop();
    });
    // Said once everything is ready, so that a start-up error is the only line.
    log::info("network ", network.prefix().to_string(), ", ", peers->size(),
              " known peers; listening on 0.0.0.0:", server->port(), " and [::]:", server->port());
    notify_service("READY=1");
    io.run();
    dispatcher.join();
    return 0;
}

}  // namespace

int main(int argc, char** argv)
{
    // Writes to a closed connection must fail with EPIPE, not kill the process.
    std::signal(SIGPIPE, SIG_IGN);

    std::vector<std::string> args(argv + 1, argv + argc);
    auto options = option_descriptions();
    for (const auto& arg : args)
        if (arg == "--help" || arg == "-h") {
            std::cout << usage << "\n" << options;
            return 0;
        }
    CommandLine command;
    try {
        po::positional_options_description positional;
        positional.add("port", 1);
        command = parse_command_line(args, options, positional);
    } catch (const UsageError& error) {
        std::cerr << "re6st-registry: " << error.what() << "\n";
        return 2;
    }
    try {
        return run(command);
    } catch (const std::exception& error) {
        log::error(error.what());
        return 1;
    }
}
