// Runs a short command from the event loop without blocking it: its input
// written to its stdin, its output collected, its end reaped, a deadline.
#pragma once

#include "re6stnet/child_reaper.hpp"
#include "re6stnet/command_runner.hpp"
#include "re6stnet/process_launcher.hpp"

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace re6st {

// `done` runs from the loop once the command has ended and its output has
// been read; a command still running after `timeout` is killed (status -1).
void run_command_async(boost::asio::io_context& io, ProcessLauncher& launcher,
                       ChildReaper& reaper, const std::vector<std::string>& argv,
                       std::string input, std::chrono::milliseconds timeout,
                       std::function<void(CommandResult)> done);

}  // namespace re6st
