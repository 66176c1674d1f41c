// The command lines of re6st-registry's administration commands (nodes,
// revoke, token, map): the server's options, so that its @FILE option files
// serve, of which they use --db and, for token, --token-lifetime and
// --prefix-length, plus their own. No I/O but reading option files.
#pragma once

#include "common/options.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace re6st::registry {

enum class AdminVerb { nodes, revoke, token, map };

enum class MapFormat { dot, json };

// The verb that `first_argument` of re6st-registry names, if any.
std::optional<AdminVerb> admin_verb(std::string_view first_argument);

struct AdminCommand {
    AdminVerb verb = AdminVerb::nodes;
    std::string db;
    bool json = false;        // nodes
    MapFormat format = MapFormat::dot;   // map
    std::string target;       // revoke: a CN or a serial; token: an e-mail address
    unsigned prefix_length = 16;                  // token
    std::chrono::seconds token_lifetime{86400};   // token
};

// `args`: after the verb. nullopt when --help or -h is among them; a bad
// command line or option file is a UsageError naming the option.
std::optional<AdminCommand> parse_admin_command(AdminVerb verb,
                                                const std::vector<std::string>& args,
                                                const FileReader& read = read_option_file);

// What --help prints.
std::string admin_help(AdminVerb verb);

}  // namespace re6st::registry
