// Reading command lines in tests.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

namespace re6st::test {

// The argument after `option`, or "" when there is none.
inline std::string value_after(const std::vector<std::string>& argv, const std::string& option)
{
    auto found = std::find(argv.begin(), argv.end(), option);
    return found == argv.end() || found + 1 == argv.end() ? "" : *(found + 1);
}

// The arguments joined by spaces.
inline std::string join(const std::vector<std::string>& words)
{
    std::string out;
    for (const auto& word : words)
        out += (out.empty() ? "" : " ") + word;
    return out;
}

}  // namespace re6st::test
