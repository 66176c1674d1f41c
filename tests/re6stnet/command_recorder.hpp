// A CommandRunner for tests: records each command as one line, and answers
// with `status` (and `failure_output` when it is not 0).
#pragma once

#include "re6stnet/process/command.hpp"

#include <string>
#include <vector>

namespace re6st::test {

struct CommandRecorder {
    std::vector<std::string> commands;
    int status = 0;
    std::string failure_output;

    CommandRunner runner()
    {
        return [this](const std::vector<std::string>& argv) {
            std::string line;
            for (const auto& arg : argv)
                line += (line.empty() ? "" : " ") + arg;
            commands.push_back(line);
            return CommandResult{status, status ? failure_output : ""};
        };
    }
};

}  // namespace re6st::test
