// Option files served from memory, for tests of @FILE parsing.
#pragma once

#include "common/options.hpp"

#include <map>
#include <string>

namespace re6st::test {

inline FileReader option_files(std::map<std::string, std::string> contents)
{
    return [contents](const std::string& path) {
        auto found = contents.find(path);
        if (found == contents.end())
            throw UsageError("cannot read option file " + path);
        return found->second;
    };
}

}  // namespace re6st::test
