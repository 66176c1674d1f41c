// The administration commands' command lines.
#include "registry/admin_command.hpp"

#include "common/certificate_serial.hpp"
#include "common/duration.hpp"
#include "common/prefix.hpp"
#include "registry/mailer.hpp"
#include "registry/registry_options.hpp"

#include <algorithm>
#include <sstream>

namespace po = boost::program_options;

namespace re6st::registry {

namespace {

struct VerbText {
    const char* name;
    const char* usage;
    const char* positional;   // the positional argument's name, or nullptr
};

VerbText text_of(AdminVerb verb)
{
    switch (verb) {
    case AdminVerb::nodes:
        return {"nodes",
                "Usage: re6st-registry nodes --db FILE [--json] [@FILE]\n"
                "The nodes of the database, one a line (CN, address, e-mail, serial, expiry,\n"
                "last declaration, endpoints, status); --json: a JSON array.\n",
                nullptr};
    case AdminVerb::revoke:
        return {"revoke",
                "Usage: re6st-registry revoke --db FILE CN|SERIAL [@FILE]\n"
                "Revokes every unexpired certificate of a node (CN as in its certificate,\n"
                "123/16) and frees its prefix, or one certificate by serial (hex); prints what\n"
                "it revoked.\n",
                "target"};
    case AdminVerb::token:
        return {"token",
                "Usage: re6st-registry token --db FILE EMAIL [--token-lifetime DURATION]\n"
                "                            [--prefix-length N] [@FILE]\n"
                "Makes a token for EMAIL as requestToken does and prints it.\n",
                "email"};
    case AdminVerb::map:
        return {"map",
                "Usage: re6st-registry map --db FILE [--format dot|json] [@FILE]\n"
                "The overlay as the nodes last reported their tunnels: a Graphviz graph (dot)\n"
                "of the nodes, labelled with prefix and address, and their tunnels; reports\n"
                "older than 10 minutes drawn dashed and grey. --format json: the same as JSON.\n",
                nullptr};
    }
    return {"", "", nullptr};
}

po::options_description own_options(AdminVerb verb)
{
    po::options_description own("Options");
    own.add_options()("help,h", "print this help and exit")(
        "db", po::value<std::string>(), "the registry's SQLite database");
    if (verb == AdminVerb::nodes)
        own.add_options()("json", po::bool_switch(), "a JSON array of objects");
    if (verb == AdminVerb::map)
        own.add_options()("format", po::value<std::string>()->default_value("dot"),
                          "dot (Graphviz) or json");
    if (verb == AdminVerb::token) {
        own.add_options()("token-lifetime",
                          po::value<std::string>()->value_name("DURATION")->default_value("1d"),
                          "how long the token stays usable (a plain number is seconds)")(
            "prefix-length", po::value<unsigned>()->default_value(16),
            "length in bits of the prefix the token grants");
    }
    return own;
}

}  // namespace

std::optional<AdminVerb> admin_verb(std::string_view first_argument)
{
    for (auto verb : {AdminVerb::nodes, AdminVerb::revoke, AdminVerb::token, AdminVerb::map})
        if (first_argument == text_of(verb).name)
            return verb;
    return std::nullopt;
}

std::string admin_help(AdminVerb verb)
{
    std::ostringstream help;
    help << text_of(verb).usage << "\n"
         << own_options(verb)
         << "\nThe other options of the server (as in its option files) are accepted and ignored.\n"
            "Exit status: 0 done, 1 no such node or certificate (or the database failed),\n"
            "2 bad command line.\n";
    return help.str();
}

std::optional<AdminCommand> parse_admin_command(AdminVerb verb,
                                                const std::vector<std::string>& args,
                                                const FileReader& read)
{
    if (std::ranges::any_of(args, [](const auto& arg) { return arg == "--help" || arg == "-h"; }))
        return std::nullopt;
    auto text = text_of(verb);
    // The server's options but those the command has as its own.
    auto own = own_options(verb);
    po::options_description all;
    all.add(own);
    auto server = registry_options_description(false);
    for (const auto& option : server.options())
        if (!own.find_nothrow(option->long_name(), false))
            all.add(option);
    po::positional_options_description positional;
    if (text.positional) {
        all.add_options()(text.positional, po::value<std::string>());
        positional.add(text.positional, 1);
    }
    auto line = parse_command_line(args, all, positional, read);
    const auto& values = line.values;

    AdminCommand command;
    command.verb = verb;
    if (!values.count("db"))
        throw UsageError(std::string(text.name) + ": option '--db' is required");
    command.db = values["db"].as<std::string>();
    if (verb == AdminVerb::nodes)
        command.json = values["json"].as<bool>();
    if (verb == AdminVerb::map) {
        auto format = values["format"].as<std::string>();
        if (format == "json")
            command.format = MapFormat::json;
        else if (format != "dot")
            throw UsageError("map: --format " + format + ": must be dot or json");
    }
    if (text.positional) {
        if (!values.count(text.positional))
            throw UsageError(std::string(text.name) + ": "
                             + (verb == AdminVerb::revoke ? "a CN or a serial" : "an e-mail address")
                             + " is required");
        command.target = values[text.positional].as<std::string>();
        if (verb == AdminVerb::revoke) {
            if (command.target.find('/') != std::string::npos) {
                try {
                    bits_from_cn(command.target);
                } catch (const AddressError& error) {
                    throw UsageError(std::string("revoke: ") + error.what());
                }
            } else if (!canonical_serial(command.target)) {
                throw UsageError("revoke: not a CN (123/16) or a hex serial: " + command.target);
            }
        } else if (!is_mail_address(command.target)) {
            throw UsageError("token: not a plain e-mail address (user@domain): " + command.target);
        }
    }
    if (verb == AdminVerb::token) {
        command.prefix_length = values["prefix-length"].as<unsigned>();
        auto lifetime = values["token-lifetime"].as<std::string>();
        try {
            command.token_lifetime = parse_duration(lifetime, std::chrono::seconds(1));
        } catch (const DurationError& error) {
            auto found = line.origins.find("token-lifetime");
            throw UsageError((found == line.origins.end() ? "" : found->second.front())
                             + "--token-lifetime " + lifetime + ": " + error.what());
        }
        if (command.token_lifetime.count() <= 0)
            throw UsageError("--token-lifetime " + lifetime + ": must be longer than 0");
    }
    return command;
}

}  // namespace re6st::registry
