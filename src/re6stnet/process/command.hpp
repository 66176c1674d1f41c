// Short commands (ip, openssl) run to completion, their output collected:
// either blocking, at start-up and shutdown where waiting a few
// milliseconds is fine, or from the event loop without blocking it, with a
// deadline. Both go through one launcher and one pair of pipes.
#pragma once

#include "re6stnet/process/process_context.hpp"

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace re6st {

struct CommandResult {
    int status = 0;        // exit status; -1 when it could not run or was killed
    std::string output;    // stdout and stderr together, final newlines removed
};

// How the parts that run commands at start-up and shutdown get them run; a
// function, so that tests answer for `ip` without root.
using CommandRunner = std::function<CommandResult(const std::vector<std::string>& argv)>;

// Blocking: fork + exec + wait, no shell.
CommandResult run_command(const std::vector<std::string>& argv);

// From the loop: `input` is written to the command's stdin; `done` runs from
// the loop once the command has ended and its output has been read; a
// command still running after `timeout` is killed (status -1).
void run_command_async(const ProcessContext& context, const std::vector<std::string>& argv,
                       std::string input, std::chrono::milliseconds timeout,
                       std::function<void(CommandResult)> done);

}  // namespace re6st
