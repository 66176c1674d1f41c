// The files re6st-conf writes in its directory, and the option file that
// hands them to the daemon: "re6stnet @DIR/re6stnet.conf" (docs/re6st-conf.rst).
#pragma once

#include "common/url.hpp"

#include <filesystem>
#include <string>

namespace re6st::conf {

struct NodeFiles {
    // Made absolute: the option file must work from any current directory.
    explicit NodeFiles(const std::filesystem::path& directory);

    std::filesystem::path directory;
    std::filesystem::path ca() const { return directory / "ca.pem"; }
    std::filesystem::path key() const { return directory / "cert.key"; }
    std::filesystem::path cert() const { return directory / "cert.crt"; }
    std::filesystem::path dh() const { return directory / "dh2048.pem"; }
    std::filesystem::path option_file() const { return directory / "re6stnet.conf"; }
};

// re6stnet.conf: the registry's URL and the four files, under the daemon's
// option names. Option files split on blanks and cut at '#', so a path or
// URL holding either is a UsageError naming it.
std::string daemon_option_file(const Url& registry, const NodeFiles& files);

}  // namespace re6st::conf
