// re6st-conf's command line (docs/re6st-conf.rst): the original's options,
// plus --registry, --fingerprint and --force, parsed into a plain
// description of what to do; no network, no key, no file but @FILE option
// files.
#pragma once

#include "common/options.hpp"
#include "common/url.hpp"
#include "conf/fingerprint.hpp"

#include <boost/program_options/options_description.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace re6st::conf {

struct ConfOptions {
    Url registry;                      // --registry, or --server and --port
    std::filesystem::path directory;   // -d/--dir
    std::optional<std::string> email;
    std::optional<std::string> token;
    // -r NAME VALUE, in order: subject fields of the certificate request.
    std::vector<std::pair<std::string, std::string>> subject;
    // What the registry's CA certificate must have; unchecked without.
    std::optional<Fingerprint> fingerprint;
    bool ca_only = false;
    bool force = false;                // replace an existing certificate
};

boost::program_options::options_description conf_options_description();

// nullopt for --help. Bad or missing options are re6st::UsageErrors.
std::optional<ConfOptions> parse_conf_options(const std::vector<std::string>& args,
                                              const FileReader& read = read_option_file);

}  // namespace re6st::conf
