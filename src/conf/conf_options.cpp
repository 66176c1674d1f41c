// re6st-conf's command line.
#include "conf/conf_options.hpp"

#include "common/options.hpp"

#include <charconv>

namespace po = boost::program_options;

namespace re6st::conf {

namespace {

std::uint16_t parse_port(const std::string& text)
{
    unsigned port = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), port);
    if (text.empty() || error != std::errc() || end != text.data() + text.size() || port == 0
        || port > 65535)
        throw UsageError("--port: invalid port \"" + text + "\"");
    return std::uint16_t(port);
}

}  // namespace

po::options_description conf_options_description()
{
    po::options_description options("Options");
    options.add_options()
        ("registry", po::value<std::string>()->value_name("URL"),
         "the registry's URL, e.g. http://[2001:db8::1]:9080/ (or --server and --port)")
        ("server", po::value<std::string>()->value_name("HOST"),
         "the registry's host name or IP address")
        ("port", po::value<std::string>()->value_name("PORT"), "the registry's port")
        ("fingerprint", po::value<std::string>()->value_name("ALG:HEX"),
         "fingerprint the registry's CA certificate must have, as `openssl x509 -noout"
         " -fingerprint -sha256 -in ca.crt` prints it: sha256:5E:8F:...")
        ("dir,d", po::value<std::string>()->value_name("DIR")->default_value("/etc/re6stnet"),
         "directory of the files to write")
        ("email", po::value<std::string>()->value_name("EMAIL"),
         "e-mail address the token is sent to (asked for when needed)")
        ("token", po::value<std::string>()->value_name("TOKEN"),
         "token already received (else one is requested and asked for)")
        ("req,r", po::value<std::vector<std::string>>()->multitoken()->value_name("NAME VALUE"),
         "subject field of the certificate request, e.g. -r O Acme (repeatable)")
        ("ca-only", po::bool_switch(), "only fetch the CA certificate")
        ("force", po::bool_switch(), "replace an existing certificate")
        ("help,h", po::bool_switch(), "print this help");
    return options;
}

std::optional<ConfOptions> parse_conf_options(const std::vector<std::string>& args,
                                              const FileReader& read)
{
    auto line = parse_command_line(args, conf_options_description(), {}, read);
    const auto& values = line.values;
    if (values["help"].as<bool>())
        return std::nullopt;

    ConfOptions options;
    bool has_server = values.count("server"), has_port = values.count("port");
    if (values.count("registry")) {
        if (has_server || has_port)
            throw UsageError("--registry excludes --server and --port");
        try {
            options.registry = Url::parse(values["registry"].as<std::string>());
        } catch (const UrlError& error) {
            throw UsageError(std::string("--registry: ") + error.what());
        }
    } else if (has_server && has_port) {
        try {
            options.registry = Url::from_host_port(values["server"].as<std::string>(),
                                                   parse_port(values["port"].as<std::string>()));
        } catch (const UrlError& error) {
            throw UsageError(std::string("--server/--port: ") + error.what());
        }
    } else if (has_server || has_port) {
        throw UsageError(has_server ? "--server needs --port" : "--port needs --server");
    } else {
        throw UsageError("the registry is required: --registry URL, or --server HOST --port PORT");
    }

    options.directory = values["dir"].as<std::string>();
    if (options.directory.empty())
        throw UsageError("--dir: empty directory name");
    for (auto [name, field] : {std::pair{"email", &options.email}, {"token", &options.token}})
        if (values.count(name)) {
            *field = values[name].as<std::string>();
            if (field->value().empty())
                throw UsageError(std::string("--") + name + ": empty value");
        }
    if (values.count("fingerprint")) {
        try {
            options.fingerprint = Fingerprint::parse(values["fingerprint"].as<std::string>());
        } catch (const FingerprintError& error) {
            // "FILE:LINE: " when given in an option file.
            auto error_text = line.origins.at("fingerprint").front();
            error_text += "--fingerprint: ";
            error_text += error.what();
            throw UsageError(error_text);
        }
    }
    for (const auto& field : line.groups("req", 2))
        options.subject.emplace_back(field[0], field[1]);
    options.ca_only = values["ca-only"].as<bool>();
    options.force = values["force"].as<bool>();
    return options;
}

}  // namespace re6st::conf
