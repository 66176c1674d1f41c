// Runs short commands (ip) to completion and collects their output. Used at
// start-up and shutdown only, where waiting a few milliseconds is fine; an
// interface so the network setup can be tested without root.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace re6st {

struct CommandResult {
    int status = 0;        // exit status; -1 when it could not run or was killed
    std::string output;    // stdout and stderr together
};

using CommandRunner = std::function<CommandResult(const std::vector<std::string>& argv)>;

// fork + exec + wait, no shell.
CommandResult run_command(const std::vector<std::string>& argv);

}  // namespace re6st
