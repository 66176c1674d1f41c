// The enrolled node's files and its option file for the daemon.
#include "conf/node_files.hpp"

#include "common/options.hpp"

#include <algorithm>

namespace re6st::conf {

namespace {

// `text` unchanged, if an option file can hold it.
std::string option_value(const std::string& text)
{
    if (std::any_of(text.begin(), text.end(),
                    [](unsigned char c) { return c <= ' ' || c == '#' || c == 0x7f; }))
        throw UsageError("\"" + text + "\" cannot be written in an option file: "
                         "it contains a blank, a control character or '#'");
    return text;
}

}  // namespace

NodeFiles::NodeFiles(const std::filesystem::path& directory)
    : directory(std::filesystem::absolute(directory).lexically_normal())
{
    // "/etc/re6stnet/" normalises to "/etc/re6stnet/": drop the empty last part.
    if (this->directory.has_parent_path() && this->directory.filename().empty())
        this->directory = this->directory.parent_path();
}

std::string daemon_option_file(const Url& registry, const NodeFiles& files)
{
    option_value(files.directory.string());   // the file names themselves are plain
    auto url = option_value(registry.to_string());
    return "# Written by re6st-conf, rewritten at each enrolment: keep other options\n"
           "# in a file of your own. Start the node with\n"
           "#   re6stnet @" + files.option_file().string() + "\n"
           "registry " + url + "\n"
           "ca " + files.ca().string() + "\n"
           "cert " + files.cert().string() + "\n"
           "key " + files.key().string() + "\n"
           "dh " + files.dh().string() + "\n";
}

}  // namespace re6st::conf
