// What every owner of a child process needs: the loop, the launcher that
// starts and signals children, the reaper that says how they ended, and the
// clock for grace periods and restart delays. Tests pass a recording
// launcher and a fake clock.
#pragma once

#include "re6stnet/process/child_reaper.hpp"
#include "re6stnet/process/clock.hpp"
#include "re6stnet/process/process_launcher.hpp"

#include <boost/asio/io_context.hpp>

namespace re6st {

struct ProcessContext {
    boost::asio::io_context& io;
    ProcessLauncher& launcher;
    ChildReaper& reaper;
    Clock& clock;
};

}  // namespace re6st
