// @FILE option files and the daemon's options read from them. The input holds
// the files f0, f1, ... separated by NUL bytes (which no option file may hold);
// the command line is "@f0", and files include each other by these names.
#include "fuzz_check.hpp"
#include "re6stnet/config.hpp"

#include "common/options.hpp"

#include <map>

using namespace re6st;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    auto text = fuzz::text_of(data, size);
    std::map<std::string, std::string> files;
    for (std::size_t start = 0, i = 0; start <= text.size(); ++i) {
        auto end = std::min(text.find('\0', start), text.size());
        // Appended: in `"f" + string`, GCC 12 at -O3 sees an overlapping
        // memcpy that is not there (-Wrestrict).
        std::string name = "f";
        name += std::to_string(i);
        files[name] = text.substr(start, end - start);
        start = end + 1;
    }
    FileReader read = [&](const std::string& path) {
        auto file = files.find(path);
        if (file == files.end())
            throw UsageError("cannot read option file " + path);
        return file->second;
    };

    try {
        auto tokens = parse_option_file(files["f0"], "f0");
        for (const auto& token : tokens)
            fuzz::check(!token.empty() && token.find_first_of(" \t\n") == token.npos,
                        "a token is one non-empty word");
    } catch (const UsageError&) {
    }
    try {
        expand_option_files({"@f0"}, read);
    } catch (const UsageError&) {
    }
    try {
        parse_config({"@f0"}, read);
    } catch (const UsageError&) {
    }
    return 0;
}
